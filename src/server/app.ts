import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import compress from '@fastify/compress';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { constants as zlibConstants } from 'node:zlib';
import { z } from 'zod';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Deps } from './deps';
import { frameworkErrors, registerErrorHandler } from './http/errors';
import { registerHostileTextRule } from './http/hostile-text';
import { registerSession } from './http/session';
import { registerWeb, webRoot } from './http/web';
import { apiReplyHeaders } from './http/headers';
import { systemRoutes } from './modules/system/routes';
import { registerMetrics } from './modules/system/metrics';
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
import { statsRoutes } from './modules/stats/routes';
import { terminalIngestRoutes, terminalRoutes } from './modules/terminals/routes';
import { identityRoutes } from './modules/identity/routes';
import { registerReviewSubjects } from './modules/subjects';
import { VERSION } from './version';

z.config(z.locales.zhCN());

/** Served over HTTPS (behind a proxy that ends TLS, or directly): only then may the browser be told to upgrade. */
const servedOverHttps = (c: Deps['config']) => c.COOKIE_SECURE === 'true' || c.PUBLIC_URL.startsWith('https:');

export type App = FastifyInstance;

/** `web`: the folder of the built web app to serve (tests); by default the build dist/web points at, if any. */
export async function buildApp(deps: Deps, opts: { web?: string | null } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.config.LOG_LEVEL === 'silent' ? false : { level: deps.config.LOG_LEVEL },
    bodyLimit: 1_048_576,
    // a plugin's start may wait on the event loop (the web build's file list, a busy machine): 10 s was too short
    pluginTimeout: 60_000,
    // X-Forwarded-For is believed only from the listed proxies (TRUST_PROXY); unset, req.ip is the socket's address
    trustProxy: deps.config.TRUST_PROXY?.split(',').map((a) => a.trim()) ?? false,
    frameworkErrors,
    ajv: undefined,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(cookie);
  // replies of 1 KB and more are compressed (brotli or gzip, as the browser accepts); the web app's files come
  // compressed from the build and are sent as they are
  await app.register(compress, {
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 } },
  });
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        // on plain HTTP (an office network's http://server:3000) an upgrade would send every script to an https
        // port nobody serves, and the page stays blank
        upgradeInsecureRequests: servedOverHttps(deps.config) ? [] : null,
      },
    },
    // HSTS on plain HTTP would lock a host name to https for a year
    hsts: servedOverHttps(deps.config),
    crossOriginEmbedderPolicy: false,
  });
  // uploads: one file per request, 20 MB at most; each route checks the content and its own limit
  await app.register(multipart, {
    limits: { fileSize: 20 * 1024 * 1024, files: 1, fields: 10, fieldSize: 10_000, parts: 12 },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: '大型科学仪器设备协作共用网 API',
        version: VERSION,
        description:
          'Instrument sharing platform. State-changing requests need the `x-csrf-token` header equal to the `csrf` cookie.',
      },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'sid' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list' } });

  registerErrorHandler(app);
  registerHostileTextRule(app);
  registerSession(app, deps);
  registerReviewSubjects(deps);
  registerMetrics(app, deps); // GET /metrics, and the request hook: before the routes, so that it times them all

  await app.register(
    async (api) => {
      apiReplyHeaders(api);
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
      await statsRoutes(api, deps);
      await terminalRoutes(api, deps);
      await identityRoutes(api, deps);
    },
    { prefix: '/api' },
  );

  await terminalIngestRoutes(app, deps); // outside /api: terminals sign each reading and have no session
  await registerWeb(app, opts.web === undefined ? webRoot() : opts.web);
  return app;
}
