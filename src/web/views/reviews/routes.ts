import type { RouteRecordRaw } from 'vue-router';

const REVIEWERS = ['cityReviewer', 'provinceReviewer'];
export default [
  {
    path: '/review',
    component: () => import('./ReviewQueue.vue'),
    meta: { title: '审核管理', layout: 'member', roles: REVIEWERS, menu: { group: 'review', order: 1 } },
  },
  {
    path: '/review/:id',
    component: () => import('./ReviewDetail.vue'),
    meta: { title: '审核详情', layout: 'member', roles: REVIEWERS, parent: { title: '审核管理', path: '/review' } },
  },
] satisfies RouteRecordRaw[];
