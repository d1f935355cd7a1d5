import type { RouteRecordRaw } from 'vue-router';

/** 消息中心: what transitions (bookings, reviews, …) tell each user; the header bell shows the unread count. */
export default [
  {
    path: '/member/messages',
    component: () => import('./MessagesPage.vue'),
    meta: {
      title: '消息中心',
      layout: 'member',
      roles: ['person', 'cityReviewer', 'provinceReviewer', 'sysadmin'],
      menu: { group: 'account', order: 2 },
    },
  },
] satisfies RouteRecordRaw[];
