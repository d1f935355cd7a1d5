import type { RouteRecordRaw } from 'vue-router';

/**
 * 预约 (manual §4.3.2–4.3.3): 我的预约 (the consumer's bookings), 我的被预约 (the provider's), the booking form,
 * the detail page of both parties, 检测结果登记 (provider) and 结算 (consumer).
 */
const MINE = { title: '我的预约', path: '/member/bookings' };
const PROVIDED = { title: '我的被预约', path: '/member/provided' };
const list = () => import('./BookingListPage.vue');
const detail = () => import('./BookingDetailPage.vue');
const form = () => import('./BookingFormPage.vue');
export default [
  {
    path: '/member/bookings',
    component: list,
    props: { side: 'consumer' },
    meta: { title: '我的预约', layout: 'member', roles: ['member'], menu: { group: 'booking', order: 1 } },
  },
  {
    path: '/member/provided',
    component: list,
    props: { side: 'provider' },
    meta: { title: '我的被预约', layout: 'member', roles: ['orgAdmin'], menu: { group: 'booking', order: 2 } },
  },
  // a person without an organisation is told on the page how to bind one
  {
    path: '/member/bookings/new',
    component: form,
    meta: { title: '填写预约单', layout: 'member', roles: ['person'], parent: MINE },
  },
  {
    path: '/member/bookings/:id/edit',
    component: form,
    meta: { title: '编辑预约单', layout: 'member', roles: ['member'], parent: MINE },
  },
  {
    path: '/member/bookings/:id',
    component: detail,
    meta: { title: '预约详情', layout: 'member', roles: ['member'], parent: MINE },
  },
  {
    path: '/member/provided/:id',
    component: detail,
    meta: { title: '预约详情', layout: 'member', roles: ['orgAdmin'], parent: PROVIDED },
  },
  {
    path: '/member/bookings/:id/results',
    component: () => import('./ResultsPage.vue'),
    meta: { title: '检测结果登记', layout: 'member', roles: ['orgAdmin'], parent: PROVIDED },
  },
  {
    path: '/member/bookings/:id/settle',
    component: () => import('./SettlePage.vue'),
    meta: { title: '结算', layout: 'member', roles: ['member'], parent: MINE },
  },
] satisfies RouteRecordRaw[];
