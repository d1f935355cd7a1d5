import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { VERSION } from '../../version';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import { SiteInfo, siteInfo } from './site';
import * as catalogue from '../catalogue/service';
import { cacheStats, catalogueStatus, dropCaches } from '../catalogue/feed';
import { migrationsPending } from '../../db/migrate';

/**
 * The benchmark's baseline: a constant JSON body built once, shaped like a page of search results (items and
 * facet counts) and about as large as the average search reply that `npm run bench` measures at 100,000
 * instruments (≈ 17 KB: 16.6 KB measured, the bench prints both sizes), so that the ratio compares the search
 * with what the same server does for nothing but sending that many bytes.
 */
const BASELINE_ITEM = {
  name: '场发射扫描电子显微镜',
  nameEn: 'Field Emission Scanning Electron Microscope',
  model: 'SU8010',
  manufacturer: '日立高新技术公司',
  categoryCode: '010102',
  categoryName: '扫描电镜',
  orgId: '01a2271a-5d54-75b0-b872-b94f100dcf9b',
  orgName: '济南理工大学',
  cityCode: '370100',
  cityName: '济南',
  valueFen: 356_800_000,
  purchaseDate: '2019-06-18',
  serviceCount: 12,
  ratingAverage: null,
  ratingCount: 0,
  sharingMode: 'external',
  runStatus: '正常',
  isDisabled: false,
  isBookable: true,
  pictureUrl: null,
  snippet: '二次电子分辨率 1.0 nm（15 kV）；放大倍数 20～800,000×；配备牛津能谱仪；材料表面微观形貌观察',
};
const bucket = (value: string, label: string, count: number) => ({ value, label, count });
const BASELINE = Object.freeze({
  items: Array.from({ length: 16 }, (_, i) => ({
    id: `01a2271a-6fdb-7686-9cd7-baseline${String(i).padStart(4, '0')}`,
    ...BASELINE_ITEM,
  })),
  total: 10_000,
  totalCapped: true,
  page: 1,
  pageSize: 20,
  sort: 'relevance',
  dir: 'desc',
  nextCursor: 'eyJzIjoicmVsZXZhbmNlIiwiZCI6ImRlc2MiLCJrIjpbOCwzOTBdLCJpZCI6IjAxYTIyNzFhIn0',
  highlights: ['显微'],
  facets: {
    categories: Array.from({ length: 8 }, (_, i) => bucket(`0${i + 1}0000`, '分析仪器', 1000 + i)),
    subcategories: Array.from({ length: 13 }, (_, i) =>
      bucket(`01${String(i + 1).padStart(2, '0')}00`, '电子光学仪器', 500 + i),
    ),
    fields: Array.from({ length: 10 }, (_, i) => bucket(`F${String(i + 1).padStart(2, '0')}`, '新能源新材料', 900 + i)),
    cities: Array.from({ length: 16 }, (_, i) => bucket(`37${String(i + 1).padStart(2, '0')}00`, '济南', 300 + i)),
    orgs: Array.from({ length: 20 }, (_, i) =>
      bucket(`01a2271a-5d54-75b0-b872-b94f100d${String(i).padStart(4, '0')}`, '济南理工大学', 90 - i),
    ),
    sharing: [bucket('internal', '内部共享', 1500), bucket('external', '外部共享', 8500)],
    status: Array.from({ length: 6 }, (_, i) =>
      bucket(['正常', '待机', '偶有故障', '故障频繁', '待修', '待报废'][i], '正常', 100 * (6 - i)),
    ),
    value: Array.from({ length: 6 }, (_, i) => ({
      ...bucket(`r${i}`, '50–100万元', 700 + i),
      valueMin: i * 500_000,
      valueMax: (i + 1) * 500_000 - 1,
    })),
  },
});

const memoryMb = () => {
  const m = process.memoryUsage();
  const mb = (x: number) => Math.round(x / 1048576);
  return {
    rssMb: mb(m.rss),
    heapUsedMb: mb(m.heapUsed),
    heapTotalMb: mb(m.heapTotal),
    arrayBuffersMb: mb(m.arrayBuffers),
  };
};

const Readiness = z.object({
  status: z.enum(['ready', 'starting']),
  database: z.boolean(),
  migrations: z.boolean(),
  catalogue: z.object({ built: z.boolean(), instruments: z.number(), seq: z.number() }),
});

export async function systemRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  r.get(
    '/health',
    {
      config: { policy: 'public' },
      schema: {
        tags: ['system'],
        summary: '健康检查',
        response: {
          200: z.object({ status: z.literal('ok'), database: z.enum(['sqlite', 'postgres']), version: z.string() }),
        },
      },
    },
    async () => {
      await sql`select 1`.execute(deps.database.db);
      return { status: 'ok' as const, database: deps.database.dialect, version: VERSION };
    },
  );
  // readiness (issue 10): the database answers, every migration is applied, and the catalogue is built in memory;
  // a load balancer sends traffic only to a ready instance
  r.get(
    '/ready',
    {
      config: { policy: 'public' },
      schema: {
        tags: ['system'],
        summary: '就绪检查：数据库可用、迁移已完成、仪器目录已载入内存',
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_req, reply) => {
      let database = false,
        migrations = false;
      try {
        await sql`select 1`.execute(deps.database.db);
        database = true;
        migrations = (await migrationsPending(deps.database.db)) === 0;
      } catch {
        /* reported as not ready */
      }
      const c = catalogueStatus(deps.database.db);
      const ready = database && migrations && c.built;
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'starting', database, migrations, catalogue: c });
    },
  );
  if (deps.config.BENCH_ROUTES === 'true') {
    // the benchmark's view of the catalogue's caches (scripts/bench.ts); loopback only, and only when switched on
    r.get(
      '/bench/catalogue-stats',
      {
        config: { policy: 'public' },
        schema: { hide: true, querystring: z.object({ drop: z.enum(['1']).optional() }).strict() },
      },
      async (req, reply) => {
        if (!['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(req.socket.remoteAddress ?? ''))
          return reply.status(403).send({ error: { code: 'FORBIDDEN', message: '仅限本机' } });
        if (req.query.drop) dropCaches(deps.database.db);
        return { ...cacheStats(deps.database.db), ...catalogueStatus(deps.database.db), ...memoryMb() };
      },
    );
  }
  r.get(
    '/site',
    {
      config: { policy: 'public' },
      schema: { tags: ['system'], summary: '站点信息（页头页脚）', response: { 200: SiteInfo } },
    },
    async () => siteInfo(deps),
  );
  r.get(
    '/stats/public',
    {
      config: { policy: 'public' },
      schema: {
        tags: ['system'],
        summary: '平台公开统计',
        response: {
          200: z.object({
            organizations: z.number(),
            byType: z.record(z.string(), z.number()),
            cities: z.number(),
            /** listed instruments, their total original value in fen, their services, and their number per category class (010000 …) */
            instruments: z.number(),
            totalValueFen: z.number(),
            services: z.number(),
            byCategory: z.record(z.string(), z.number()),
          }),
        },
      },
    },
    async () => {
      const rows = await deps.database.db
        .selectFrom('organizations')
        .select(['type', (eb) => eb.fn.countAll<number>().as('n')])
        .where('state', '=', 'approved')
        .groupBy('type')
        .execute();
      const cities = await deps.database.db
        .selectFrom('organizations')
        .select((eb) => eb.fn.count<number>('cityCode').distinct().as('n'))
        .where('state', '=', 'approved')
        .executeTakeFirstOrThrow();
      const figures = await catalogue.publicFigures(deps.database);
      return {
        organizations: rows.reduce((a, r) => a + Number(r.n), 0),
        byType: Object.fromEntries(rows.map((r) => [r.type, Number(r.n)])),
        cities: Number(cities.n),
        ...figures,
      };
    },
  );
  r.get(
    '/bench/baseline',
    {
      config: { policy: 'public' },
      schema: { tags: ['system'], summary: '基准测试：固定的 JSON 应答（约 17 KB，与平均检索应答相当）' },
    },
    async () => BASELINE,
  );
  r.get('/openapi.json', { config: { policy: 'public' }, schema: { hide: true } }, async () => app.swagger());
}
