import type { RouteRecordRaw } from 'vue-router';

/** 入网仪器 (manual §3.1.1 仪器查找): the public catalogue and an instrument's details. */
export default [
  { path: '/instruments', component: () => import('./CataloguePage.vue'), meta: { title: '入网仪器' } },
  {
    path: '/instruments/:id',
    component: () => import('./InstrumentDetail.vue'),
    meta: { title: '仪器详情', parent: { title: '入网仪器', path: '/instruments' } },
  },
] satisfies RouteRecordRaw[];
