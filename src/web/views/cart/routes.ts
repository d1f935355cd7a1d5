import type { RouteRecordRaw } from 'vue-router';

/** 预选清单 (manual §6): a person's saved instruments, grouped by organisation, booked one organisation at a time. */
export default [
  {
    path: '/member/cart',
    component: () => import('./CartPage.vue'),
    meta: { title: '预选清单', layout: 'member', roles: ['person'], menu: { group: 'booking', order: 3 } },
  },
] satisfies RouteRecordRaw[];
