import type { RouteRecordRaw } from 'vue-router';

/**
 * 监测终端 (issue 14): an organisation's instrument terminals and their hours and annotations, in the member centre;
 * 终端覆盖, 运行机时 and 机时差异 (registered against measured hours of bookings) for the departments (their scope) and 运行机时 for an org admin (its own instruments).
 */
const REVIEWERS = ['cityReviewer', 'provinceReviewer'];
const PARENT = { title: '监测终端', path: '/member/terminals' };
export default [
  {
    path: '/member/terminals',
    component: () => import('./TerminalsPage.vue'),
    meta: { title: '监测终端', layout: 'member', roles: ['orgAdmin'], menu: { group: 'org', order: 5.5 } },
  },
  {
    path: '/member/terminals/:id/usage',
    component: () => import('./InstrumentUsagePage.vue'),
    meta: { title: '机时与标注', layout: 'member', roles: ['orgAdmin'], parent: PARENT },
  },
  {
    path: '/member/terminal-hours',
    component: () => import('./TerminalHoursPage.vue'),
    meta: { title: '运行机时', layout: 'member', roles: ['orgAdmin'], menu: { group: 'org', order: 5.6 } },
  },
  {
    path: '/review/terminal-coverage',
    component: () => import('./CoveragePage.vue'),
    meta: { title: '终端覆盖', layout: 'member', roles: REVIEWERS, menu: { group: 'review', order: 7 } },
  },
  {
    path: '/review/terminal-hours',
    component: () => import('./TerminalHoursPage.vue'),
    meta: { title: '运行机时', layout: 'member', roles: REVIEWERS, menu: { group: 'review', order: 8 } },
  },
  {
    path: '/review/terminal-differences',
    component: () => import('./DifferencesPage.vue'),
    meta: { title: '机时差异', layout: 'member', roles: REVIEWERS, menu: { group: 'review', order: 8.5 } },
  },
] satisfies RouteRecordRaw[];
