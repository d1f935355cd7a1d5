import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { IdParams } from '../../../contracts/common';
import {
  DashboardQuery,
  DashboardReply,
  ExportFormat,
  ExportQuery,
  GradeBody,
  NarrativeBody,
  NriiQuery,
  ReportView,
  RoundBody,
  YearQuery,
} from '../../../contracts/stats';
import { notFound, ruleBroken } from '../../../domain/errors';
import { shanghaiDate } from '../../../domain/instrument';
import { INDICATORS } from '../../../domain/sharing-indicators';
import type { Deps } from '../../deps';
import type { Actor } from '../../http/actor';
import { typed } from '../../http/route';
import { auditCtx } from '../../http/session';
import { attachment, XLSX_MIME } from '../../platform/excel';
import { record } from '../audit/service';
import { dashboardTables } from './dashboard-tables';
import { reportPdf, reportXlsx, tablesXlsx } from './exports';
import { nriiFeed } from './nrii';
import { nriiXlsx } from './nrii-xlsx';
import { dashboard, scopeOf, summary, type Filters } from './queries';
import { startStatsRefresh } from './refresher';
import { myReports, roundReports, rounds } from './report-lists';
import * as reports from './reports';
import { saveStatsSettings, StatsSettings, statsSettings } from './settings';
import { bumpStatsVersion } from './slices';

const anyObject = z.looseObject({});
const PageQuery = z.strictObject({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  size: z.coerce.number().int().min(1).max(200).default(50),
});

export async function statsRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  const db = deps.database.db;
  const tags = ['sharing'];
  // the passes start once the server is ready: a pass over a large backlog must not hold up the plugins' start
  let stop = () => undefined as void;
  app.addHook('onReady', async () => {
    if (!deps.backgroundProcess) stop = startStatsRefresh(deps);
  });
  app.addHook('onClose', async () => stop());
  const today = () => shanghaiDate(deps.clock.now());

  r.get(
    '/sharing/definitions',
    {
      config: { policy: 'public' },
      schema: { tags, summary: '评价指标的定义', response: { 200: z.array(anyObject) } },
    },
    async () => INDICATORS,
  );
  r.get(
    '/sharing/public',
    {
      config: { policy: 'public' },
      schema: {
        tags,
        summary: '全省公开的共享指标（合计，不含各单位数据）',
        querystring: YearQuery,
        response: { 200: anyObject },
      },
    },
    async (req) => {
      const s = await summary(db, { kind: 'province' }, { year: req.query.year });
      return {
        year: req.query.year,
        instruments: s.instruments,
        avgEffectiveHours: s.avgEffectiveHours,
        avgExternalHours: s.avgExternalHours,
        shareRateBp: s.shareRateBp,
        openRateBp: s.openRateBp,
        services: s.services,
      };
    },
  );

  const board = (actor: Actor, q: Filters) =>
    dashboard(db, scopeOf(actor), q, today(), deps.config.STATS_CACHE === 'on');
  for (const [path, policy, who] of [
    ['/sharing/dashboard', 'reviewer', '主管部门（市：本市单位；省：全部）'],
    ['/sharing/org-dashboard', 'orgAdmin', '单位管理员（本单位）'],
  ] as const) {
    r.get(
      path,
      {
        config: { policy },
        schema: {
          tags,
          summary: `共享统计看板：${who}`,
          querystring: DashboardQuery,
          response: { 200: DashboardReply },
        },
      },
      async (req) => board(req.actor!, req.query),
    );
    r.get(
      `${path}/export`,
      {
        config: { policy },
        schema: { tags, summary: `看板图表的表格导出（.xlsx）：${who}`, querystring: ExportQuery },
      },
      async (req, reply) => {
        const { chart, ...f } = req.query;
        const tables = dashboardTables(await board(req.actor!, f));
        const data = await tablesXlsx(chart ? { [chart]: tables[chart] } : tables);
        return sendFile(
          reply,
          XLSX_MIME,
          `共享统计-${f.year}${chart ? `-${tables[chart].title}` : ''}.xlsx`,
          'stats.xlsx',
          data,
        );
      },
    );
  }

  r.get(
    '/sharing/settings',
    {
      config: { policy: 'province' },
      schema: { tags, summary: '评价设置：定额机时、专用仪器分类、闲置标准', response: { 200: StatsSettings } },
    },
    async () => statsSettings(db),
  );
  r.put(
    '/sharing/settings',
    {
      config: { policy: 'province' },
      schema: { tags, summary: '保存评价设置', body: StatsSettings, response: { 200: StatsSettings } },
    },
    async (req) => {
      const saved = await saveStatsSettings(db, req.body);
      await bumpStatsVersion(db, deps.clock.now());
      await record(db, auditCtx(deps, req), {
        action: 'sharing.settings',
        subjectKind: 'site_settings',
        subjectId: 'stats.settings',
        detail: req.body,
      });
      return saved;
    },
  );

  // rounds and reports
  r.post(
    '/sharing/rounds',
    {
      config: { policy: 'province' },
      schema: {
        tags,
        summary: '开启年度开放共享评价（生成各单位的评价报告）',
        body: RoundBody,
        response: { 201: anyObject },
      },
    },
    async (req, reply) => reply.status(201).send(await reports.openRound(deps, req, req.body)),
  );
  r.get(
    '/sharing/rounds',
    { config: { policy: 'reviewer' }, schema: { tags, summary: '评价轮次', response: { 200: z.array(anyObject) } } },
    async (req) => rounds(db, req.actor!),
  );
  r.get(
    '/sharing/rounds/:id/reports',
    {
      config: { policy: 'reviewer' },
      schema: {
        tags,
        summary: '一轮评价的单位报告（市：本市单位），分页',
        params: IdParams,
        querystring: PageQuery,
        response: { 200: anyObject },
      },
    },
    async (req) => roundReports(db, req.actor!, req.params.id, req.query.page, req.query.size),
  );
  r.get(
    '/sharing/reports/mine',
    {
      config: { policy: 'orgAdmin' },
      schema: { tags, summary: '本单位的评价报告', response: { 200: z.array(anyObject) } },
    },
    async (req) => myReports(db, req.actor!),
  );
  r.get(
    '/sharing/reports/:id',
    {
      config: { policy: 'user' },
      schema: {
        tags,
        summary: '评价报告（本单位管理员或所辖主管部门）',
        params: IdParams,
        response: { 200: ReportView },
      },
    },
    async (req) => reports.reportView(db, req.actor!, req.params.id),
  );
  r.put(
    '/sharing/reports/:id',
    {
      config: { policy: 'orgAdmin' },
      schema: {
        tags,
        summary: '填写评价报告的说明部分',
        params: IdParams,
        body: NarrativeBody,
        response: { 200: ReportView },
      },
    },
    async (req) => reports.saveNarrative(deps, req, req.params.id, req.body),
  );
  r.post(
    '/sharing/reports/:id/submit',
    {
      config: { policy: 'orgAdmin' },
      schema: { tags, summary: '提交评价报告（重新计算指标）', params: IdParams, response: { 200: ReportView } },
    },
    async (req) => reports.submitReport(deps, req, req.params.id),
  );
  r.post(
    '/sharing/reports/:id/grade',
    {
      config: { policy: 'reviewer' },
      schema: {
        tags,
        summary: '评级并审核通过（优秀 / 良好 / 合格 / 较差）',
        params: IdParams,
        body: GradeBody,
        response: { 200: ReportView },
      },
    },
    async (req) => reports.gradeReport(deps, req, req.params.id, req.body.grade, req.body.comment ?? null),
  );
  r.get(
    '/sharing/reports/:id/export',
    {
      config: { policy: 'user' },
      schema: { tags, summary: '导出评价报告（xlsx 或可打印的 pdf）', params: IdParams, querystring: ExportFormat },
    },
    async (req, reply) => {
      const v = await reports.reportView(db, req.actor!, req.params.id);
      if (req.query.format === 'pdf') {
        const pdf = await reportPdf(deps, v);
        return sendFile(reply, 'application/pdf', pdf.name, 'report.pdf', pdf.data);
      }
      const x = await reportXlsx(v);
      return sendFile(reply, XLSX_MIME, x.name, 'report.xlsx', x.data);
    },
  );

  // NRII
  const nrii = async (reply: FastifyReply, orgId: string, q: { year: number; format: 'json' | 'xlsx' }) => {
    const feed = await nriiFeed(db, orgId, q.year);
    if (!feed.valid)
      throw ruleBroken('NRII_INVALID', `有 ${feed.problems.length} 处必填项缺失或格式不符，请先按校验报告补正`);
    if (q.format === 'json') return reply.send(feed);
    return sendFile(reply, XLSX_MIME, `NRII-${feed.orgName}-${q.year}.xlsx`, 'nrii.xlsx', await nriiXlsx(feed));
  };
  const orgInScope = async (actor: Actor, id: string) => {
    const org = await db.selectFrom('organizations').select(['id', 'cityCode']).where('id', '=', id).executeTakeFirst();
    const scope = scopeOf(actor);
    if (!org || (scope.kind === 'city' && scope.cityCode !== org.cityCode)) throw notFound('单位');
    return org.id;
  };
  r.get(
    '/sharing/nrii/mine/validation',
    {
      config: { policy: 'orgAdmin' },
      schema: { tags, summary: 'NRII 汇交校验报告（本单位）', querystring: YearQuery, response: { 200: anyObject } },
    },
    async (req) => validation(await nriiFeed(db, req.actor!.org!.id, req.query.year)),
  );
  r.get(
    '/sharing/nrii/mine/export',
    {
      config: { policy: 'orgAdmin' },
      schema: { tags, summary: 'NRII 汇交数据导出（本单位；JSON 或 xlsx）', querystring: NriiQuery },
    },
    async (req, reply) => nrii(reply, req.actor!.org!.id, req.query),
  );
  r.get(
    '/sharing/nrii/orgs/:id/validation',
    {
      config: { policy: 'reviewer' },
      schema: {
        tags,
        summary: 'NRII 汇交校验报告（所辖单位）',
        params: IdParams,
        querystring: YearQuery,
        response: { 200: anyObject },
      },
    },
    async (req) => validation(await nriiFeed(db, await orgInScope(req.actor!, req.params.id), req.query.year)),
  );
  r.get(
    '/sharing/nrii/orgs/:id/export',
    {
      config: { policy: 'reviewer' },
      schema: {
        tags,
        summary: 'NRII 汇交数据导出（所辖单位；JSON 或 xlsx）',
        params: IdParams,
        querystring: NriiQuery,
      },
    },
    async (req, reply) => nrii(reply, await orgInScope(req.actor!, req.params.id), req.query),
  );
}

const validation = (f: Awaited<ReturnType<typeof nriiFeed>>) => ({
  orgId: f.orgId,
  orgName: f.orgName,
  year: f.year,
  valid: f.valid,
  counts: { instruments: f.instruments.length, services: f.services.length },
  problems: f.problems,
});

function sendFile(reply: FastifyReply, type: string, name: string, ascii: string, data: Buffer) {
  return reply.header('content-type', type).header('content-disposition', attachment(name, ascii)).send(data);
}
