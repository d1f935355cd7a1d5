import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  ChangePasswordBody,
  LoginBody,
  LoginStatusQuery,
  Me,
  RegisterBody,
  ResetCheckQuery,
  ResetCheckReply,
  ResetConfirmBody,
  ResetRequestBody,
} from '../../../contracts/accounts';
import { Ok } from '../../../contracts/common';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import { CSRF } from '../../http/session';
import * as svc from './service';

export async function accountRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  const tags = ['accounts'];

  r.get(
    '/auth/me',
    {
      config: { policy: 'public' },
      schema: { tags, summary: '当前用户、角色、单位与 CSRF 令牌', response: { 200: Me } },
    },
    async (req) => svc.me(deps, req.actor, req.actor?.csrfToken ?? req.cookies[CSRF] ?? ''),
  );

  r.post(
    '/auth/register',
    {
      config: { policy: 'public' },
      schema: { tags, summary: '个人注册', body: RegisterBody, response: { 201: z.object({ id: z.string() }) } },
    },
    async (req, reply) => reply.status(201).send({ id: await svc.register(deps, req, req.body) }),
  );

  r.get(
    '/auth/login-status',
    {
      config: { policy: 'public' },
      schema: {
        tags,
        summary: '是否需要验证码',
        querystring: LoginStatusQuery,
        response: { 200: z.object({ captchaRequired: z.boolean() }) },
      },
    },
    async (req) => svc.loginStatus(deps, req.query.identifier),
  );

  r.get(
    '/auth/captcha',
    {
      config: { policy: 'public' },
      schema: { tags, summary: '图形验证码（SVG）', response: { 200: z.object({ id: z.string(), svg: z.string() }) } },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return svc.newCaptcha(deps);
    },
  );

  r.post(
    '/auth/login',
    {
      config: { policy: 'public' },
      schema: { tags, summary: '个人登录 / 法人登录', body: LoginBody, response: { 200: Ok } },
    },
    async (req, reply) => {
      await svc.login(deps, req, reply, req.body);
      return { ok: true as const };
    },
  );

  r.post(
    '/auth/logout',
    { config: { policy: 'user', allowStaleOrg: true }, schema: { tags, summary: '退出', response: { 200: Ok } } },
    async (req, reply) => {
      await svc.logout(deps, req, reply);
      return { ok: true as const };
    },
  );

  r.post(
    '/auth/password',
    {
      config: { policy: 'user', allowStaleOrg: true },
      schema: { tags, summary: '修改密码', body: ChangePasswordBody, response: { 200: Ok } },
    },
    async (req) => {
      await svc.changePassword(deps, req, req.actor!, req.body.oldPassword, req.body.newPassword);
      return { ok: true as const };
    },
  );

  r.post(
    '/auth/password-reset',
    {
      config: { policy: 'public' },
      schema: { tags, summary: '忘记密码：发送重置链接', body: ResetRequestBody, response: { 202: Ok } },
    },
    async (req, reply) => {
      await svc.requestReset(deps, req, req.body.identifier);
      return reply.status(202).send({ ok: true as const });
    },
  );

  r.get(
    '/auth/password-reset/check',
    {
      config: { policy: 'public' },
      schema: {
        tags,
        summary: '重置链接是否仍可用（未使用且未过期），打开重置页时先问',
        querystring: ResetCheckQuery,
        response: { 200: ResetCheckReply },
      },
    },
    async (req) => ({ valid: await svc.resetTokenValid(deps, req.query.token) }),
  );

  r.post(
    '/auth/password-reset/confirm',
    {
      config: { policy: 'public' },
      schema: { tags, summary: '用重置链接设置新密码', body: ResetConfirmBody, response: { 200: Ok } },
    },
    async (req) => {
      await svc.confirmReset(deps, req, req.body.token, req.body.password);
      return { ok: true as const };
    },
  );
}
