import { ref } from 'vue';
import { get } from '@/api/client';
import { currentLang, i18n } from '@/i18n';

const tr = (key: string, values?: Record<string, unknown>) =>
  (i18n.global as unknown as { t: (k: string, v?: Record<string, unknown>) => string }).t(key, values ?? {});
import { REVIEW_STATE_LABEL, type ReviewState } from '@domain/review';

export type { ReviewState };
export const STATE_LABEL = REVIEW_STATE_LABEL;
export const STATE_OPTIONS = (Object.keys(REVIEW_STATE_LABEL) as ReviewState[]).map((value) => ({
  value,
  label: REVIEW_STATE_LABEL[value],
}));

export interface ReviewItem {
  id: string;
  subjectKind: string;
  subjectId: string;
  orgId: string | null;
  orgName: string | null;
  title: string;
  state: ReviewState;
  level: number;
  levels: number;
  departmentId: string;
  departmentName: string;
  reason: string | null;
  submittedAt: string;
  decidedAt: string | null;
}
export interface ReviewEvent {
  id: string;
  action: string;
  fromState: string | null;
  toState: string;
  level: number;
  actorName: string;
  departmentName: string | null;
  reason: string | null;
  at: string;
}
export interface ReviewDetail {
  review: ReviewItem;
  subject: Record<string, unknown>;
  history: ReviewEvent[];
  actions: ('approve' | 'reject' | 'return')[];
}

/** Kinds known before the server answers, so that the first paint already has names. */
const KNOWN_KINDS: Record<string, string> = { organization: '单位入网', organization_change: '单位信息变更' };
const kinds = ref<{ kind: string; label: string }[]>(
  Object.entries(KNOWN_KINDS).map(([kind, label]) => ({ kind, label })),
);
let loaded: Promise<void> | null = null;

/** The review kinds (GET /api/reviews/kinds), fetched once per page load. */
export function useReviewKinds() {
  if (!loaded) {
    loaded = get<{ kind: string; label: string }[]>('/reviews/kinds')
      .then((k) => {
        if (k.length) kinds.value = k;
      })
      .catch(() => {
        loaded = null;
      });
  }
  const kindLabel = (kind: string) =>
    currentLang() === 'en' && tr(`reviews.kind.${kind}`) !== `reviews.kind.${kind}`
      ? tr(`reviews.kind.${kind}`)
      : (kinds.value.find((k) => k.kind === kind)?.label ?? KNOWN_KINDS[kind] ?? kind);
  return { kinds, kindLabel };
}

/** 第 1/2 级 when a review has several levels; nothing for a single-level one. */
export const levelText = (r: { level: number; levels: number }) =>
  r.levels > 1 ? tr('reviews.level', { level: r.level, levels: r.levels }) : '';

/** A review state in the language shown (by code). */
export const stateName = (s: string) => tr(`reviews.state.${s}`);
