import type { FastifyInstance } from 'fastify';
import { IdParams } from '../../../contracts/common';
import {
  AnnotationBody,
  Annotation,
  BookingUsage,
  Coverage,
  DifferencesQuery,
  DifferencesReply,
  IngestBody,
  IngestReply,
  InstrumentUsage,
  LiveList,
  LiveQuery,
  MyTerminals,
  RegisterTerminalBody,
  StreamQuery,
  TerminalView,
  TerminalWithKey,
  TotalsQuery,
  TotalsReply,
  UsageQuery,
} from '../../../contracts/terminals';
import { DomainError } from '../../../domain/errors';
import type { Deps } from '../../deps';
import { auditCtx } from '../../http/session';
import { typed } from '../../http/route';
import { record } from '../audit/service';
import { differences } from './differences';
import { ingestBatch } from './ingest';
import { liveHub, rememberDeps, stopLiveHub } from './live';
import { REFUSED } from './outcomes';
import { coverage, totals } from './reports';
import * as svc from './service';
import { saveTerminalSettings, TerminalSettings, terminalSettings } from './settings';

const KEEP_ALIVE_MS = 5000;

export async function terminalRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  const tags = ['terminals'];
  const admin = { policy: 'orgAdmin' as const };
  const streams = new Set<() => void>();
  rememberDeps(deps);
  app.addHook('preClose', async () => {
    for (const end of streams) end();
  });
  app.addHook('onClose', async () => stopLiveHub(deps));

  r.post(
    '/terminals',
    {
      config: admin,
      schema: {
        tags,
        summary: '登记监测终端（密钥仅此一次显示）',
        body: RegisterTerminalBody,
        response: { 201: TerminalWithKey },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.register(deps, req, req.body)),
  );
  r.post(
    '/terminals/:id/rotate',
    {
      config: admin,
      schema: { tags, summary: '更换终端密钥（旧密钥立即失效）', params: IdParams, response: { 200: TerminalWithKey } },
    },
    async (req) => svc.rotate(deps, req, req.params.id),
  );
  for (const action of ['disable', 'enable'] as const)
    r.post(
      `/terminals/:id/${action}`,
      {
        config: admin,
        schema: {
          tags,
          summary: action === 'disable' ? '停用终端（其消息不再采用）' : '启用终端',
          params: IdParams,
          response: { 200: TerminalView },
        },
      },
      async (req) => svc.setDisabled(deps, req, req.params.id, action === 'disable'),
    );
  r.get(
    '/terminals/mine',
    {
      config: { policy: 'member' },
      schema: { tags, summary: '本单位仪器的终端、是否需要终端与今日机时', response: { 200: MyTerminals } },
    },
    async (req) => svc.mine(deps, req.actor!),
  );
  r.get(
    '/terminals/coverage',
    {
      config: { policy: 'user' },
      schema: { tags, summary: '终端覆盖：需配终端的仪器与已配终端数（按单位）', response: { 200: Coverage } },
    },
    async (req) => coverage(deps, req.actor!),
  );
  r.get(
    '/terminals/totals',
    {
      config: { policy: 'user' },
      schema: {
        tags,
        summary: '运行机时汇总（按仪器、单位或城市）',
        querystring: TotalsQuery,
        response: { 200: TotalsReply },
      },
    },
    async (req) => totals(deps, req.actor!, req.query.by, req.query.from, req.query.to),
  );
  r.get(
    '/terminals/differences',
    {
      config: { policy: 'reviewer' },
      schema: {
        tags,
        summary: '机时差异：所辖单位预约单的登记机时与实测机时（默认只列超出阈值的）',
        querystring: DifferencesQuery,
        response: { 200: DifferencesReply },
      },
    },
    async (req) => differences(deps, req.actor!, req.query),
  );
  r.get(
    '/terminals/live',
    {
      config: { policy: 'public' },
      schema: {
        tags,
        summary: '仪器实时状态（使用中/空闲/关机/离线）',
        querystring: LiveQuery,
        response: { 200: LiveList },
      },
    },
    async (req) => svc.live(deps, req.actor, req.query.ids),
  );
  r.get(
    '/terminals/live/stream',
    {
      config: { policy: 'public' },
      schema: { tags, summary: '仪器实时状态推送（text/event-stream）', querystring: StreamQuery },
    },
    async (req, reply) => {
      const id = req.query.instrumentId;
      await svc.mayFollow(deps, req.actor, id);
      const hub = await liveHub(deps);
      // a client that does not ask for a stream (no EventSource) gets the status once
      if (!String(req.headers.accept ?? '').includes('text/event-stream')) return reply.send(hub.view(id));
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      });
      let last = '';
      const send = () => {
        const v = JSON.stringify(hub.view(id));
        if (v === last) return false;
        last = v;
        res.write(`event: status\ndata: ${v}\n\n`);
        return true;
      };
      send();
      const off = hub.subscribe(id, () => send());
      // offline comes with time, not with a message: look again now and then (and keep proxies from closing)
      const tick = setInterval(() => send() || res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
      const end = () => {
        off();
        clearInterval(tick);
        streams.delete(end);
        res.end();
      };
      streams.add(end);
      req.raw.on('close', end);
    },
  );
  r.get(
    '/terminals/instruments/:id/usage',
    {
      config: { policy: 'user' },
      schema: {
        tags,
        summary: '仪器的开机/使用区间、每日机时与标注',
        params: IdParams,
        querystring: UsageQuery,
        response: { 200: InstrumentUsage },
      },
    },
    async (req) => svc.usage(deps, req.actor, req.params.id, req.query.from, req.query.to),
  );
  r.post(
    '/terminals/instruments/:id/annotations',
    {
      config: admin,
      schema: {
        tags,
        summary: '标注时段（如维护、校准；测量数据不变）',
        params: IdParams,
        body: AnnotationBody,
        response: { 201: Annotation },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.annotate(deps, req, req.params.id, req.body)),
  );
  r.get(
    '/terminals/bookings/:id/usage',
    {
      config: { policy: 'user' },
      schema: { tags, summary: '预约单：登记机时与实测机时的差异', params: IdParams, response: { 200: BookingUsage } },
    },
    async (req) => svc.forBooking(deps, req.actor, req.params.id),
  );
  r.get(
    '/terminals/settings',
    {
      config: { policy: 'public' },
      schema: { tags, summary: '物联网监测设置（需配终端的金额、机时差异阈值）', response: { 200: TerminalSettings } },
    },
    async () => terminalSettings(deps.database.db),
  );
  r.put(
    '/terminals/settings',
    {
      config: { policy: 'auditor' },
      schema: { tags, summary: '保存物联网监测设置', body: TerminalSettings, response: { 200: TerminalSettings } },
    },
    async (req) => {
      const saved = await saveTerminalSettings(deps.database.db, req.body);
      await record(deps.database.db, auditCtx(deps, req), {
        action: 'site.terminals',
        subjectKind: 'site',
        subjectId: 'terminals',
        detail: req.body,
      });
      return saved;
    },
  );
}

/**
 * POST /ingest/readings: the HTTP ingest for terminals without MQTT. Outside /api: a terminal has no session and no
 * CSRF cookie; each reading carries its HMAC, checked exactly as over MQTT (ingest.ts).
 */
export async function terminalIngestRoutes(app: FastifyInstance, deps: Deps) {
  typed(app).post(
    '/ingest/readings',
    {
      schema: {
        tags: ['terminals'],
        summary: '终端上报（HTTPS；{ readings: [...] }，至多 500 条读数，每条带 HMAC）',
        body: IngestBody,
        response: { 200: IngestReply },
      },
    },
    async (req) => {
      const list = req.body.readings;
      const outcomes = await ingestBatch(
        deps,
        list.map((body) => ({ body, via: 'http' as const })),
      );
      const refused = outcomes.filter((o) => REFUSED.includes(o)).length;
      if (refused === outcomes.length)
        throw new DomainError(403, 'TERMINAL_REFUSED', '终端未登记、已停用或签名不正确，读数未采用', undefined, {
          outcomes,
        });
      return {
        applied: outcomes.filter((o) => o === 'applied').length,
        duplicates: outcomes.filter((o) => o === 'duplicate').length,
        refused,
        outcomes,
      };
    },
  );
}
