import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { VERSION } from '../../version';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';

export async function systemRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  r.get('/health', {
    config: { policy: 'public' },
    schema: { tags: ['system'], summary: '健康检查', response: { 200: z.object({ status: z.literal('ok'), database: z.enum(['sqlite', 'postgres']), version: z.string() }) } },
  }, async () => {
    await sql`select 1`.execute(deps.database.db);
    return { status: 'ok' as const, database: deps.database.dialect, version: VERSION };
  });
  r.get('/openapi.json', { config: { policy: 'public' }, schema: { hide: true } }, async () => app.swagger());
}
