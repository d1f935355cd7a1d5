import type { RouteRecordRaw } from 'vue-router';

const USER = ['person', 'cityReviewer', 'provinceReviewer', 'sysadmin'];
export default [
  {
    path: '/member',
    component: () => import('./MemberHome.vue'),
    meta: { title: '我的工作台', layout: 'member', roles: USER, menu: { group: 'account', order: 1 } },
  },
  {
    path: '/member/password',
    component: () => import('./ChangePasswordPage.vue'),
    meta: { title: '修改密码', layout: 'member', roles: USER, menu: { group: 'account', order: 9 } },
  },
] satisfies RouteRecordRaw[];
