import type { RouteRecordRaw } from 'vue-router';

/** 统一身份认证 (issue 13): the identities linked to one's account, and linking a local account once. */
export default [
  {
    path: '/member/identity',
    component: () => import('./IdentityPage.vue'),
    meta: { title: '统一身份认证', layout: 'member', roles: ['person'], menu: { group: 'account', order: 8 } },
  },
] satisfies RouteRecordRaw[];
