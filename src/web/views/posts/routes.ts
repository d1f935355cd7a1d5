import type { RouteRecordRaw } from 'vue-router';

/**
 * 供需发布 (manual §4.5): 我的需求 in the member centre (org admins publish and manage the organisation's posts of both kinds),
 * and the public 供需信息 list and detail in the portal.
 */
const PARENT = { title: '我的需求', path: '/member/posts' };
export default [
  { path: '/posts', component: () => import('./PublicPostsPage.vue'), meta: { title: '供需信息' } },
  {
    path: '/posts/:id',
    component: () => import('./PublicPostDetail.vue'),
    meta: { title: '供需详情', parent: { title: '供需信息', path: '/posts' } },
  },
  {
    path: '/member/posts',
    component: () => import('./MyPostsPage.vue'),
    meta: { title: '我的需求', layout: 'member', roles: ['orgAdmin'], menu: { group: 'org', order: 6 } },
  },
  {
    path: '/member/posts/new',
    component: () => import('./PostEditPage.vue'),
    meta: { title: '新增供需信息', layout: 'member', roles: ['orgAdmin'], parent: PARENT },
  },
  {
    path: '/member/posts/:id/edit',
    component: () => import('./PostEditPage.vue'),
    meta: { title: '编辑供需信息', layout: 'member', roles: ['orgAdmin'], parent: PARENT },
  },
] satisfies RouteRecordRaw[];
