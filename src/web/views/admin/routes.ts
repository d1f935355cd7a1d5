import type { RouteRecordRaw } from 'vue-router';

/** 系统管理: department accounts, reference data, site settings, user management (system administrator) and notices (also the province department). */
export default [
  {
    path: '/admin/accounts',
    component: () => import('./AccountsPage.vue'),
    meta: { title: '部门账号', layout: 'member', roles: ['sysadmin'], menu: { group: 'admin', order: 1 } },
  },
  {
    path: '/admin/users',
    component: () => import('./UsersPage.vue'),
    meta: { title: '用户管理', layout: 'member', roles: ['sysadmin'], menu: { group: 'admin', order: 2 } },
  },
  {
    path: '/admin/reference',
    component: () => import('./ReferencePage.vue'),
    meta: { title: '基础数据', layout: 'member', roles: ['sysadmin'], menu: { group: 'admin', order: 3 } },
  },
  {
    path: '/admin/site',
    component: () => import('./SiteSettingsPage.vue'),
    meta: {
      title: '站点设置',
      layout: 'member',
      roles: ['sysadmin', 'provinceReviewer'],
      menu: { group: 'admin', order: 4 },
    },
  },
  {
    path: '/admin/notices',
    component: () => import('./NoticesAdminPage.vue'),
    meta: {
      title: '通知公告管理',
      layout: 'member',
      roles: ['sysadmin', 'provinceReviewer'],
      menu: { group: 'admin', order: 6 },
    },
  },
] satisfies RouteRecordRaw[];
