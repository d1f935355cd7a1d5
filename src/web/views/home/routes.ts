import type { RouteRecordRaw } from 'vue-router';
// the landing page comes with the main bundle: on a slow phone a separate chunk is one more round trip before its
// largest text is painted
import HomePage from './HomePage.vue';

/** The portal's public pages. 入网仪器 (/instruments) lives in views/catalogue, 供需信息 (/posts) in views/posts, 通知公告 (/notices) in views/notices. */
export default [
  { path: '/', component: HomePage, meta: { title: '首页' } },
  { path: '/orgs', component: () => import('./OrgDirectory.vue'), meta: { title: '入网单位' } },
  {
    path: '/orgs/:id',
    component: () => import('./OrgProfile.vue'),
    meta: { title: '单位详情', parent: { title: '入网单位', path: '/orgs' } },
  },
] satisfies RouteRecordRaw[];
