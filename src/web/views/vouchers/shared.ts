import type { z } from 'zod';
import type {
  ClaimDetail,
  ClaimListItem,
  ClaimPage,
  PayoutBatch,
  PayoutDetail,
  PayoutPage,
  StatsReply,
  VerifyReply,
  VoucherChoice,
  VoucherPolicyBody,
  VoucherPolicyVersion,
  VoucherQuote,
} from '@contracts/vouchers';
import type { StoredFileT } from '@contracts/files';
import { CLAIM_DOCUMENTS, CLAIM_STATE_LABEL, type ClaimDocument, type ClaimState } from '@domain/voucher';
import { ApiError } from '@/api/client';
import { i18n } from '@/i18n';

const t = (key: string, named?: Record<string, unknown>) =>
  (i18n.global as unknown as { t: (k: string, n?: Record<string, unknown>) => string }).t(key, named ?? {});

export { CLAIM_DOCUMENTS, CLAIM_STATE_LABEL };
export type { ClaimDocument, ClaimState };
export type VoucherQuoteT = z.infer<typeof VoucherQuote>;
export type VoucherPartT = VoucherQuoteT['provincial'];
export type VoucherChoiceT = z.infer<typeof VoucherChoice>;
export type ClaimItemT = z.infer<typeof ClaimListItem>;
export type ClaimPageT = z.infer<typeof ClaimPage>;
export type ClaimDetailT = z.infer<typeof ClaimDetail>;
export type StatsReplyT = z.infer<typeof StatsReply>;
export type PayoutBatchT = z.infer<typeof PayoutBatch>;
export type PayoutDetailT = z.infer<typeof PayoutDetail>;
export type PayoutPageT = z.infer<typeof PayoutPage>;
export type PolicyVersionT = z.infer<typeof VoucherPolicyVersion>;
export type PolicyBodyT = z.infer<typeof VoucherPolicyBody>;
export type VerifyReplyT = z.infer<typeof VerifyReply>;
export type StoredFile = StoredFileT;

/** The claim documents uploaded at settlement besides the report and the invoice. */
export const EXTRA_SLOTS = ['contract', 'result_proof', 'relevance_proof'] as const;
export type ExtraSlot = (typeof EXTRA_SLOTS)[number];
/** What each document is, in one line, for the upload blocks. */
export const DOC_HINT: Record<ClaimDocument, string> = {
  contract: '委托方与服务机构签订的技术服务合同或委托协议',
  invoice: '服务机构开具的服务费发票',
  report: '服务机构出具的检测报告',
  result_proof: '证明服务已完成的材料，如检测数据、验收单等',
  relevance_proof: '说明本次检测服务与企业科技创新活动相关的证明材料',
};

export const CLAIM_STATE_OPTIONS = (Object.keys(CLAIM_STATE_LABEL) as ClaimState[]).map((value) => ({
  value,
  label: CLAIM_STATE_LABEL[value],
}));
export const isClaimState = (s: unknown): s is ClaimState => typeof s === 'string' && s in CLAIM_STATE_LABEL;

/** Basis points as a percentage: 4000 → 40%, 3350 → 33.5%. */
export const pct = (bp: number | null | undefined) =>
  bp === null || bp === undefined ? '—' : `${Number((bp / 100).toFixed(2))}%`;
/** A percentage typed in a form (up to 2 decimals) as basis points. */
export const pctToBp = (p: number) => Math.round(p * 100);

export const CLAIM_UPLOAD = {
  accept: '.pdf,.doc,.docx,.xls,.xlsx,.jpg,.jpeg,.png',
  maxBytes: 20 * 1024 * 1024,
  hint: '支持 PDF、Word、Excel、JPG、PNG，单个不超过 20 MB',
};
export const fileSize = (n: number) =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;

/** Today in China Standard Time, YYYY-MM-DD. */
export const todayCst = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

function csrf(): string {
  const m = document.cookie.match(/(?:^|;\s*)csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : '';
}

/** The file name of a Content-Disposition header (RFC 5987 filename* first). */
function fileNameOf(header: string | null, fallback: string): string {
  if (!header) return fallback;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* fall through */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(header);
  return plain ? plain[1] : fallback;
}

/**
 * Downloads a generated file (PDF, Excel) with progress: `onProgress(percent | null)` — null while the size is not
 * known — then hands it to the browser as a download. Errors come as ApiError with the server's message.
 */
export async function download(
  url: string,
  fallbackName: string,
  onProgress?: (percent: number | null) => void,
): Promise<{ name: string; size: number }> {
  onProgress?.(null);
  let res: Response;
  try {
    res = await fetch(`/api${url}`, { credentials: 'same-origin', headers: { 'x-csrf-token': csrf() } });
  } catch {
    throw new ApiError(0, 'NETWORK', t('vouchers.dl.network'));
  }
  if (!res.ok) {
    const data = await res.json().catch(() => ({}));
    const e = (data as { error?: { code?: string; message?: string } }).error ?? {};
    throw new ApiError(res.status, e.code ?? 'ERROR', e.message ?? t('vouchers.dl.failed', { status: res.status }));
  }
  const total = Number(res.headers.get('content-length')) || 0;
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let got = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      got += value.length;
      onProgress?.(total ? Math.min(99, Math.round((got / total) * 100)) : null);
    }
  } else {
    chunks.push(new Uint8Array(await res.arrayBuffer()));
  }
  const blob = new Blob(chunks, { type: res.headers.get('content-type') ?? 'application/octet-stream' });
  const name = fileNameOf(res.headers.get('content-disposition'), fallbackName);
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
  onProgress?.(100);
  return { name, size: blob.size };
}
