import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { VERSION } from '../../version';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import { SiteInfo, siteInfo } from './site';
import * as catalogue from '../catalogue/service';

/**
 * The benchmark's baseline: a constant JSON body (about 6 KB, built once) shaped like a page of search results,
 * so that `npm run bench` can compare the search with what the same server does for nothing.
 */
const BASELINE = Object.freeze({
  items: Array.from({ length: 13 }, (_, i) => ({
    id: `baseline-${String(i).padStart(2, '0')}`, name: '场发射扫描电子显微镜', nameEn: 'Scanning Electron Microscope', model: 'SU8010', manufacturer: '日立高新技术公司',
    categoryCode: '010102', categoryName: '扫描电镜', orgName: '济南理工大学', cityCode: '370100', cityName: '济南', valueFen: 356_800_000, purchaseDate: '2019-06-18',
    serviceCount: 12, snippet: '二次电子分辨率 1.0 nm（15 kV）；放大倍数 20～800,000×；配备牛津能谱仪',
  })),
  total: 10_000, page: 1, pageSize: 20,
});

export async function systemRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  r.get('/health', {
    config: { policy: 'public' },
    schema: { tags: ['system'], summary: '健康检查', response: { 200: z.object({ status: z.literal('ok'), database: z.enum(['sqlite', 'postgres']), version: z.string() }) } },
  }, async () => {
    await sql`select 1`.execute(deps.database.db);
    return { status: 'ok' as const, database: deps.database.dialect, version: VERSION };
  });
  r.get('/site', {
    config: { policy: 'public' },
    schema: { tags: ['system'], summary: '站点信息（页头页脚）', response: { 200: SiteInfo } },
  }, async () => siteInfo(deps));
  r.get('/stats/public', {
    config: { policy: 'public' },
    schema: { tags: ['system'], summary: '平台公开统计', response: { 200: z.object({
      organizations: z.number(), byType: z.record(z.string(), z.number()), cities: z.number(),
      /** listed instruments, their total original value in fen, their services, and their number per category class (010000 …) */
      instruments: z.number(), totalValueFen: z.number(), services: z.number(), byCategory: z.record(z.string(), z.number()),
    }) } },
  }, async () => {
    const rows = await deps.database.db.selectFrom('organizations').select(['type', (eb) => eb.fn.countAll<number>().as('n')]).where('state', '=', 'approved').groupBy('type').execute();
    const cities = await deps.database.db.selectFrom('organizations').select((eb) => eb.fn.count<number>('cityCode').distinct().as('n')).where('state', '=', 'approved').executeTakeFirstOrThrow();
    const figures = await catalogue.publicFigures(deps.database);
    return { organizations: rows.reduce((a, r) => a + Number(r.n), 0), byType: Object.fromEntries(rows.map((r) => [r.type, Number(r.n)])), cities: Number(cities.n), ...figures };
  });
  r.get('/bench/baseline', {
    config: { policy: 'public' },
    schema: { tags: ['system'], summary: '基准测试：固定的 JSON 应答（约 6 KB）' },
  }, async () => BASELINE);
  r.get('/openapi.json', { config: { policy: 'public' }, schema: { hide: true } }, async () => app.swagger());
}
