import type { RouteRecordRaw } from 'vue-router';

/** The portal's public pages. 入网仪器 (/instruments) lives in views/catalogue, 供需信息 (/posts) in views/posts, 通知公告 (/notices) in views/notices. */
export default [
  { path: '/', component: () => import('./HomePage.vue'), meta: { title: '首页' } },
  { path: '/orgs', component: () => import('./OrgDirectory.vue'), meta: { title: '入网单位' } },
] satisfies RouteRecordRaw[];
