import type { RouteRecordRaw } from 'vue-router';

/**
 * 开放共享评价 (issue 15): 共享统计 for an organisation's admins (its own instruments) and for the departments (a city
 * its organisations, the province all); the yearly evaluation rounds and the organisations' reports.
 */
const REVIEWERS = ['cityReviewer', 'provinceReviewer'];
const ROUNDS = { title: '开放共享评价', path: '/sharing/rounds' };
export default [
  {
    path: '/member/sharing',
    component: () => import('./DashboardPage.vue'),
    props: { scope: 'org' },
    meta: { title: '本单位共享统计', layout: 'member', roles: ['orgAdmin'], menu: { group: 'org', order: 8 } },
  },
  {
    path: '/member/sharing-reports',
    component: () => import('./MyReportsPage.vue'),
    meta: { title: '本单位评价报告', layout: 'member', roles: ['orgAdmin'], menu: { group: 'org', order: 9 } },
  },
  {
    path: '/sharing/dashboard',
    component: () => import('./DashboardPage.vue'),
    props: { scope: 'dept' },
    meta: { title: '共享统计', layout: 'member', roles: REVIEWERS, menu: { group: 'review', order: 5 } },
  },
  {
    path: '/sharing/rounds',
    component: () => import('./RoundsPage.vue'),
    meta: { title: '开放共享评价', layout: 'member', roles: REVIEWERS, menu: { group: 'review', order: 6 } },
  },
  {
    path: '/sharing/settings',
    component: () => import('./SettingsPage.vue'),
    meta: { title: '评价设置', layout: 'member', roles: ['provinceReviewer'], menu: { group: 'review', order: 7 } },
  },
  {
    path: '/sharing/reports/:id',
    component: () => import('./ReportPage.vue'),
    meta: { title: '开放共享评价报告', layout: 'member', roles: ['orgAdmin', ...REVIEWERS], parent: ROUNDS },
  },
] satisfies RouteRecordRaw[];
