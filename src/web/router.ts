import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteRecordRaw } from 'vue-router';
import type { MeT } from '@contracts/accounts';
import { useSession } from '@/stores/session';
import { i18n, pageTitle } from '@/i18n';
import { pendingPath, routeLoading } from '@/composables/routeLoading';

declare module 'vue-router' {
  interface RouteMeta {
    /** Page title (Chinese; shown in breadcrumb and document title). */
    title?: string;
    /** 'member' pages sit in the member centre with its left menu. */
    layout?: 'portal' | 'member' | 'bare';
    /** Roles that may open the page (see /api/auth/me roles); absent = everyone. */
    roles?: string[];
    /** Entry in the member-centre left menu. */
    menu?: { group: 'org' | 'booking' | 'review' | 'admin' | 'account'; order: number; icon?: string };
    /** The page above this one in the breadcrumb, for pages outside the menu. */
    parent?: { title: string; path: string };
    /** Whether the menu entry shows for this session, beyond `roles` (e.g. 我的创新券 only where vouchers apply). */
    show?: (me: MeT | null) => boolean;
  }
}

/** Each module lists its pages in views/<module>/routes.ts; they are merged here. */
const modules = import.meta.glob<{ default: RouteRecordRaw[] }>('./views/*/routes.ts', { eager: true });
const routes: RouteRecordRaw[] = Object.values(modules).flatMap((m) => m.default);
routes.push({
  path: '/:pathMatch(.*)*',
  component: () => import('./views/home/NotFound.vue'),
  meta: { title: '页面不存在' },
});

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
});

// the progress bar appears only when a page takes a moment (its code loads, or the session is asked first)
let slow: ReturnType<typeof setTimeout> | null = null;
router.beforeEach((to) => {
  pendingPath.value = to.path;
  if (slow) clearTimeout(slow);
  slow = setTimeout(() => (routeLoading.value = true), 120);
});
const settled = () => {
  if (slow) clearTimeout(slow);
  slow = null;
  routeLoading.value = false;
  pendingPath.value = null;
};
router.onError(settled);

router.beforeEach(async (to) => {
  const session = useSession();
  const roles = to.meta.roles;
  // a public page does not wait for /api/auth/me (one round trip less before the first paint on a slow phone); the
  // header follows the session when it arrives. A page for some roles waits, to decide.
  if (!session.loaded) {
    const refreshing = session.refresh().catch(() => undefined);
    if (roles) await refreshing;
  }
  if (roles && !session.has(...roles)) {
    if (!session.loggedIn) return { path: '/login', query: { redirect: to.fullPath } };
    return { path: '/member', query: { denied: '1' } };
  }
  return true;
});

/** The document title of a page in the language shown: its title, then the site's name. */
export function applyTitle(to: RouteLocationNormalized) {
  const site = (i18n.global as unknown as { t: (key: string) => string }).t('common.siteName');
  document.title = to.meta.title ? `${pageTitle(to.meta.title)} - ${site}` : site;
}

router.afterEach((to) => {
  settled();
  applyTitle(to);
});
