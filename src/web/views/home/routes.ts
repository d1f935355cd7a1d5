import type { RouteRecordRaw } from 'vue-router';

/** The portal's public pages. 入网仪器 (/instruments) lives in views/catalogue/routes.ts. */
export default [
  { path: '/', component: () => import('./HomePage.vue'), meta: { title: '首页' } },
  { path: '/posts', component: () => import('./ComingPage.vue'), meta: { title: '供需信息' } },
  { path: '/notices', component: () => import('./ComingPage.vue'), meta: { title: '通知公告' } },
  { path: '/orgs', component: () => import('./OrgDirectory.vue'), meta: { title: '入网单位' } },
] satisfies RouteRecordRaw[];
