import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import fstatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Deps } from './deps';
import { registerErrorHandler } from './http/errors';
import { registerSession } from './http/session';
import { systemRoutes } from './modules/system/routes';
import { accountRoutes } from './modules/accounts/routes';
import { organizationRoutes } from './modules/organizations/routes';
import { bindingRoutes } from './modules/binding/routes';
import { reviewRoutes } from './modules/reviews/routes';
import { auditRoutes } from './modules/audit/routes';
import { adminRoutes } from './modules/admin/routes';
import { fileRoutes } from './modules/files/routes';
import { instrumentRoutes } from './modules/instruments/routes';
import { importRoutes } from './modules/imports/routes';
import { catalogueRoutes } from './modules/catalogue/routes';
import { cartRoutes } from './modules/cart/routes';
import { bookingRoutes } from './modules/bookings/routes';
import { messageRoutes } from './modules/messages/routes';
import { voucherRoutes } from './modules/vouchers/routes';
import { postRoutes } from './modules/posts/routes';
import { noticeRoutes } from './modules/notices/routes';
import { registerReviewSubjects } from './modules/subjects';
import { VERSION } from './version';

z.config(z.locales.zhCN());

const WEB_DIST = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../dist/web');

export type App = FastifyInstance;

export async function buildApp(deps: Deps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.config.LOG_LEVEL === 'silent' ? false : { level: deps.config.LOG_LEVEL },
    bodyLimit: 1_048_576,
    trustProxy: true,
    ajv: undefined,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  // uploads: one file per request, 20 MB at most; each route checks the content and its own limit
  await app.register(multipart, { limits: { fileSize: 20 * 1024 * 1024, files: 1, fields: 10, fieldSize: 10_000, parts: 12 } });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: '大型科学仪器设备协作共用网 API', version: VERSION, description: 'Instrument sharing platform. State-changing requests need the `x-csrf-token` header equal to the `csrf` cookie.' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'sid' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list' } });

  registerErrorHandler(app);
  registerSession(app, deps);
  registerReviewSubjects(deps);

  await app.register(async (api) => {
    await systemRoutes(api, deps);
    await accountRoutes(api, deps);
    await organizationRoutes(api, deps);
    await bindingRoutes(api, deps);
    await reviewRoutes(api, deps);
    await auditRoutes(api, deps);
    await adminRoutes(api, deps);
    await fileRoutes(api, deps);
    await instrumentRoutes(api, deps);
    await importRoutes(api, deps);
    await catalogueRoutes(api, deps);
    await cartRoutes(api, deps);
    await bookingRoutes(api, deps);
    await messageRoutes(api, deps);
    await voucherRoutes(api, deps);
    await postRoutes(api, deps);
    await noticeRoutes(api, deps);
  }, { prefix: '/api' });

  const hasWeb = fs.existsSync(path.join(WEB_DIST, 'index.html'));
  if (hasWeb) await app.register(fstatic, { root: WEB_DIST, prefix: '/', wildcard: true, maxAge: '1h' });
  // one not-found handler: JSON for the API, the web app's index for its client-side routes
  app.setNotFoundHandler((req, reply) => {
    if (!hasWeb || req.url.startsWith('/api/') || req.method !== 'GET') {
      return reply.status(404).send({ error: { code: 'NOT_FOUND', message: '接口不存在' } });
    }
    return reply.type('text/html').header('cache-control', 'no-cache').sendFile('index.html');
  });
  return app;
}
