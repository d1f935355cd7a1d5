import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { VERSION } from '../../version';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import { SiteInfo, siteInfo } from './site';
import * as catalogue from '../catalogue/service';

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
  r.get('/openapi.json', { config: { policy: 'public' }, schema: { hide: true } }, async () => app.swagger());
}
