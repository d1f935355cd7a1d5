import type { RouteRecordRaw } from 'vue-router';

export default [
  { path: '/admin/accounts', component: () => import('./AccountsPage.vue'), meta: { title: '部门账号', layout: 'member', roles: ['sysadmin'], menu: { group: 'admin', order: 1 } } },
] satisfies RouteRecordRaw[];
