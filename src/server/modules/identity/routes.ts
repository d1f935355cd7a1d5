import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../../domain/errors';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import * as svc from './service';

const Mode = z.enum(['person', 'legal']);
/** a path of this site only: no scheme, no host, no `//` (an open redirect) */
const LocalPath = z
  .string()
  .max(300)
  .regex(/^\/(?![/\\])[^\s]*$/, '须为本站路径');

/** The authorization response (RFC 6749 §4.1.2, RFC 9207): printable ASCII only; other parameters are ignored. */
const ascii = z
  .string()
  .max(4096)
  .regex(/^[\x20-\x7e]*$/, '须为可见 ASCII 字符')
  .optional();
const CallbackQuery = z.object({
  code: ascii,
  state: ascii,
  iss: ascii,
  error: ascii,
  error_description: ascii,
  error_uri: ascii,
  session_state: ascii,
});

const Providers = z.object({
  localLogin: z.boolean(),
  providers: z.array(
    z.object({ id: z.string(), name: z.string(), nameEn: z.string().nullable(), modes: z.array(Mode) }),
  ),
});
const Mine = z.object({
  identities: z.array(
    z.object({
      provider: z.string(),
      providerName: z.string(),
      kind: Mode,
      createdAt: z.string(),
      lastLoginAt: z.string().nullable(),
    }),
  ),
  legalOrg: z.object({ name: z.string(), uscc: z.string() }).nullable(),
});

export async function identityRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  const tags = ['identity'];

  r.get(
    '/identity/providers',
    {
      config: { policy: 'public' },
      schema: { tags, summary: '统一身份认证提供方与本地登录是否开放', response: { 200: Providers } },
    },
    async () => ({
      localLogin: deps.config.AUTH_LOCAL === 'true',
      providers: deps.config.identityProviders.map((p) => ({
        id: p.id,
        name: p.name,
        nameEn: p.nameEn ?? null,
        modes: p.modes,
      })),
    }),
  );

  r.get(
    '/identity/login',
    {
      config: { policy: 'public' },
      schema: {
        tags,
        summary: '个人登录 / 法人登录：跳转到统一身份认证（浏览器导航）',
        querystring: z.object({ provider: z.string().max(40), mode: Mode, next: LocalPath.optional() }).strict(),
      },
    },
    async (req, reply) => reply.redirect(await svc.startLogin(deps, req, reply, req.query)),
  );

  r.get(
    '/identity/callback',
    {
      config: { policy: 'public' },
      schema: { tags, summary: '统一身份认证回调（浏览器导航）', querystring: CallbackQuery },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return reply.redirect(await svc.finishLogin(deps, req, reply));
    },
  );

  r.get(
    '/identity/mine',
    {
      config: { policy: 'user', allowStaleOrg: true },
      schema: { tags, summary: '本账号关联的统一身份认证', response: { 200: Mine } },
    },
    async (req) => svc.mine(deps, req.actor!.userId),
  );

  r.post(
    '/identity/link',
    {
      config: { policy: 'person', allowStaleOrg: true },
      schema: {
        tags,
        summary: '已登录的本地账号确认关联统一身份认证账号（返回跳转地址）',
        body: z.object({ provider: z.string().min(1).max(40), confirm: z.literal(true) }).strict(),
        response: { 200: z.object({ url: z.string() }) },
      },
    },
    async (req, reply) => {
      if (!deps.config.identityProviders.some((p) => p.id === req.body.provider))
        throw new DomainError(400, 'UNKNOWN_PROVIDER', '未配置该统一身份认证', { provider: '未配置该统一身份认证' });
      const url = await svc.startLogin(deps, req, reply, {
        provider: req.body.provider,
        mode: 'person',
        linkUserId: req.actor!.userId,
      });
      return { url };
    },
  );

  r.post(
    '/identity/logout',
    {
      config: { policy: 'user', allowStaleOrg: true },
      schema: {
        tags,
        summary: '退出（来自统一身份认证的会话同时返回其退出地址）',
        response: { 200: z.object({ redirect: z.string().nullable() }) },
      },
    },
    async (req, reply) => svc.logout(deps, req, reply),
  );
}
