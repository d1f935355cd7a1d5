import type { RouteRecordRaw } from 'vue-router';

/** 个人注册和绑定单位 (manual §2): the person's side of binding. */
export default [
  {
    path: '/member/binding',
    component: () => import('./BindingPage.vue'),
    meta: { title: '绑定单位', layout: 'member', roles: ['person'], menu: { group: 'org', order: 2 } },
  },
] satisfies RouteRecordRaw[];
