import type { RouteRecordRaw } from 'vue-router';

/**
 * 创新券 (manual §4.4): 我的创新券 for the consumer's members; for the departments the claim queue is the review
 * queue (/review?kind=voucher_claim), with 创新券统计, and for the province 兑付批次 and 创新券政策.
 * The public verification page /verify/:code is what the QR code of a printed voucher opens.
 */
const REVIEWERS = ['cityReviewer', 'provinceReviewer'];
const PROVINCE = ['provinceReviewer'];
const MINE = { title: '我的创新券', path: '/member/vouchers' };
const PAYOUTS = { title: '兑付批次', path: '/review/vouchers/payouts' };
export default [
  {
    path: '/member/vouchers',
    component: () => import('./MyClaimsPage.vue'),
    meta: {
      title: '我的创新券',
      layout: 'member',
      roles: ['member'],
      menu: { group: 'booking', order: 3 },
      show: (me) => !!me?.org?.canUseVouchers,
    },
  },
  {
    path: '/member/vouchers/:id',
    component: () => import('./ClaimDetailPage.vue'),
    meta: { title: '兑付申请详情', layout: 'member', roles: ['member'], parent: MINE },
  },
  {
    path: '/review/vouchers/stats',
    component: () => import('./StatsPage.vue'),
    meta: { title: '创新券统计', layout: 'member', roles: REVIEWERS, menu: { group: 'review', order: 2 } },
  },
  {
    path: '/review/vouchers/payouts',
    component: () => import('./PayoutsPage.vue'),
    meta: { title: '兑付批次', layout: 'member', roles: PROVINCE, menu: { group: 'review', order: 3 } },
  },
  {
    path: '/review/vouchers/payouts/:id',
    component: () => import('./PayoutDetailPage.vue'),
    meta: { title: '兑付批次详情', layout: 'member', roles: PROVINCE, parent: PAYOUTS },
  },
  {
    path: '/review/vouchers/policy',
    component: () => import('./PolicyPage.vue'),
    meta: { title: '创新券政策', layout: 'member', roles: PROVINCE, menu: { group: 'review', order: 4 } },
  },
  { path: '/verify/:code', component: () => import('./VerifyPage.vue'), meta: { title: '创新券真伪验证' } },
] satisfies RouteRecordRaw[];
