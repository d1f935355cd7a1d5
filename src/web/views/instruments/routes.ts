import type { RouteRecordRaw } from 'vue-router';

/**
 * 仪器入网 (manual §4.2): 我的仪器, 发布仪器 / 编辑仪器, and the Excel bulk listing (模板下载 / 上传).
 * Every member sees the organisation's instruments; org admins and the legal representative account manage them.
 */
const PARENT = { title: '我的仪器', path: '/member/instruments' };
export default [
  {
    path: '/member/instruments',
    component: () => import('./MyInstrumentsPage.vue'),
    meta: { title: '我的仪器', layout: 'member', roles: ['member'], menu: { group: 'org', order: 5 } },
  },
  {
    path: '/member/instruments/new',
    component: () => import('./InstrumentEditPage.vue'),
    meta: { title: '发布仪器', layout: 'member', roles: ['orgAdmin'], parent: PARENT },
  },
  {
    path: '/member/instruments/:id/edit',
    component: () => import('./InstrumentEditPage.vue'),
    meta: { title: '编辑仪器', layout: 'member', roles: ['orgAdmin'], parent: PARENT },
  },
  {
    path: '/member/instruments/import',
    component: () => import('./ImportPage.vue'),
    meta: { title: '批量导入', layout: 'member', roles: ['orgAdmin'], parent: PARENT },
  },
] satisfies RouteRecordRaw[];
