import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { AuditPage, AuditQuery } from '../../../contracts/admin';
import { badInput } from '../../../domain/errors';
import type { Db } from '../../db/connect';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import { contains } from '../../db/like';

type Filter = z.infer<typeof AuditQuery>;

const DAY_MS = 86_400_000;
/** Start of a calendar day in Asia/Shanghai (UTC+8, no daylight saving), as a UTC ISO string. */
const shanghaiDayStart = (day: string) => new Date(`${day}T00:00:00+08:00`).toISOString();
/** `like` with the user's text taken literally (no wildcards of its own), the same on SQLite and PostgreSQL. */

// The query lives here because it is the module's only read; move it to audit/service.ts when a second one appears.
async function browse(db: Db, f: Filter) {
  if (f.from && f.to && f.from > f.to)
    throw badInput('BAD_DATE_RANGE', '开始日期不能晚于结束日期', { from: '开始日期不能晚于结束日期' });
  let q = db
    .selectFrom('auditLog')
    .leftJoin('organizations', 'organizations.id', 'auditLog.orgId')
    .leftJoin('departments', 'departments.id', 'auditLog.orgId');
  if (f.actor) q = q.where(contains(sql`lower(${sql.ref('auditLog.actorName')})`, f.actor.toLowerCase()));
  if (f.action) q = q.where(sql<boolean>`substr(${sql.ref('auditLog.action')}, 1, ${f.action.length}) = ${f.action}`);
  if (f.subjectKind) q = q.where('auditLog.subjectKind', '=', f.subjectKind);
  if (f.subjectId) q = q.where('auditLog.subjectId', '=', f.subjectId);
  if (f.from) q = q.where('auditLog.at', '>=', shanghaiDayStart(f.from));
  if (f.to)
    q = q.where('auditLog.at', '<', new Date(new Date(shanghaiDayStart(f.to)).getTime() + DAY_MS).toISOString());
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await q
    .select([
      'auditLog.id',
      'auditLog.at',
      'auditLog.actorId',
      'auditLog.actorName',
      'auditLog.orgId',
      'organizations.name as orgName',
      'departments.name as departmentName',
      'auditLog.ip',
      'auditLog.action',
      'auditLog.subjectKind',
      'auditLog.subjectId',
      'auditLog.fromState',
      'auditLog.toState',
      'auditLog.detailJson',
    ])
    .orderBy('auditLog.at', 'desc')
    .orderBy('auditLog.id', 'desc')
    .limit(f.pageSize)
    .offset((f.page - 1) * f.pageSize)
    .execute();
  return {
    items: rows.map(({ orgName, departmentName, detailJson, ...r }) => ({
      ...r,
      orgName: orgName ?? departmentName ?? null,
      detail: detailOf(detailJson),
    })),
    total: Number(total.n),
    page: f.page,
    pageSize: f.pageSize,
  };
}

function detailOf(v: unknown): Record<string, unknown> | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return { text: v };
    }
  }
  return typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
}

export async function auditRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  r.get(
    '/audit',
    {
      config: { policy: 'auditor' },
      schema: {
        tags: ['audit'],
        summary: '操作日志（最新在前）',
        querystring: AuditQuery,
        response: { 200: AuditPage },
      },
    },
    async (req) => browse(deps.database.db, req.query),
  );
}
