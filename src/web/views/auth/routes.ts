import type { RouteRecordRaw } from 'vue-router';

export default [
  { path: '/login', component: () => import('./LoginPage.vue'), meta: { title: '登录' } },
  {
    path: '/login/unified-error',
    component: () => import('./UnifiedLoginError.vue'),
    meta: { title: '统一身份认证登录' },
  },
  { path: '/register', component: () => import('./RegisterPage.vue'), meta: { title: '注册' } },
  { path: '/forgot-password', component: () => import('./ForgotPasswordPage.vue'), meta: { title: '忘记密码' } },
  { path: '/reset-password', component: () => import('./ResetPasswordPage.vue'), meta: { title: '重置密码' } },
] satisfies RouteRecordRaw[];
