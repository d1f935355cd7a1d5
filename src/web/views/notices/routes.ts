import type { RouteRecordRaw } from 'vue-router';

/** 通知公告: the public list and a notice. Notices are written in 系统管理 › 通知公告 (views/admin). */
export default [
  { path: '/notices', component: () => import('./NoticeListPage.vue'), meta: { title: '通知公告' } },
  {
    path: '/notices/:id',
    component: () => import('./NoticeDetail.vue'),
    meta: { title: '公告详情', parent: { title: '通知公告', path: '/notices' } },
  },
] satisfies RouteRecordRaw[];
