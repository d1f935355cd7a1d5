import type { RouteRecordRaw } from 'vue-router';

/**
 * 单位入网 (manual §4.1) and the organisation's binding work (manual §2).
 * 单位基本信息 is open to every person: one without an organisation sees how to bind or register one.
 */
export default [
  {
    path: '/member/org',
    component: () => import('./OrgInfoPage.vue'),
    meta: { title: '单位基本信息', layout: 'member', roles: ['person'], menu: { group: 'org', order: 1 } },
  },
  {
    path: '/member/org/edit',
    component: () => import('./OrgEditPage.vue'),
    meta: {
      title: '编辑单位信息',
      layout: 'member',
      roles: ['person'],
      parent: { title: '单位基本信息', path: '/member/org' },
    },
  },
  {
    path: '/member/org/requests',
    component: () => import('./OrgRequestsPage.vue'),
    meta: { title: '绑定审核', layout: 'member', roles: ['orgAdmin'], menu: { group: 'org', order: 3 } },
  },
  {
    path: '/member/org/members',
    component: () => import('./OrgMembersPage.vue'),
    meta: { title: '成员管理', layout: 'member', roles: ['legal'], menu: { group: 'org', order: 4 } },
  },
] satisfies RouteRecordRaw[];
