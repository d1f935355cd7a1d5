import type { RouteRecordRaw } from 'vue-router';

export default [
  {
    path: '/admin/audit',
    component: () => import('./AuditPage.vue'),
    meta: {
      title: '操作日志',
      layout: 'member',
      roles: ['sysadmin', 'provinceReviewer'],
      menu: { group: 'admin', order: 5 },
    },
  },
] satisfies RouteRecordRaw[];
