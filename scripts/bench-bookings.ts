/**
 * Booking benchmark (issue 4, "Performance"): a database that already holds 100,000 bookings, concurrent clients
 * that drive complete life cycles over HTTP, and the two lists 我的预约 / 我的被预约 at that size.
 *
 * Used by scripts/bench.ts (prepareBookings after the catalogue is loaded, runBookingBench once the server listens),
 * and runnable on its own for development:
 *
 *   npx tsx scripts/bench-bookings.ts [--smoke] [--database sqlite|postgres] [--bookings N] [--orgs N]
 *        [--instruments N] [--seconds S] [--concurrency C] [--list-concurrency L]
 *
 * On its own it builds a fresh database (a temporary SQLite file, or a fresh schema of DATABASE_URL dropped at the
 * end), seeds the reference data, 2,000 organisations with 4,000 generated instruments (--smoke: 40 and 200),
 * the bookings (100,000; --smoke 2,000), starts the real server in this process on a random port, runs the scenario
 * and prints a summary and, as the last line, one JSON object. BENCH_KEEP=1 keeps the SQLite file (or the PostgreSQL schema: drop it yourself).
 *
 * The fixture (prepareBookings) is written with multi-row INSERTs in chunks, straight into the tables:
 * - providers are the organisations with bookable instruments, ranked by how many they have; half the bookings go
 *   to providers uniformly, half by Zipf over that rank (the largest provider gets thousands, most a few dozen);
 *   consumers likewise over a shuffled order of all organisations (never the provider itself);
 * - creation times spread over the last two years, oldest first, so that the YY numbers are sequences of their
 *   day; the counter series booking:<day> ends at the last number of each day (today included), so new numbers continue after them;
 * - states by age (recent bookings are in progress, older ones mostly completed, some rejected or withdrawn, a few
 *   stale drafts), with their timestamps, items (1–3 instruments of the provider; results and fees in fen once
 *   registered), the history (booking_events, one per transition) and ratings for most completed bookings;
 * - one member (the applicant) and one admin per organisation, with a real argon2 password hash, so that clients
 *   log in through POST /api/auth/login.
 * It does not touch instruments (service counts and rating sums stay as generated): the catalogue's index is
 * someone else's, and these counts feed it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import pg from 'pg';
import {
  bookingDay,
  BOOKING_STATES,
  DEFAULT_LIABILITY_TEXT,
  formatBookingNo,
  lineFen,
  type BookingState,
  type Party,
} from '../src/domain/booking';
import { usccCheckChar } from '../src/domain/uscc';
import { tinyPdf } from '../src/server/platform/tiny-pdf';
import { SHANDONG_CITIES } from '../src/domain/reference';
import { connect, type Database, type Db } from '../src/server/db/connect';
import { newId } from '../src/server/db/ids';
import { hashPassword } from '../src/server/platform/passwords';
import { buildApp } from '../src/server/app';
import { loadConfig } from '../src/server/config';
import { migrateToLatest } from '../src/server/db/migrate';
import { seedReference } from '../src/server/db/seed-reference';
import { systemClock } from '../src/server/platform/clock';
import { createMailer } from '../src/server/platform/mail';
import { logSmsSender } from '../src/server/platform/sms';
import { localStorage } from '../src/server/platform/storage';
import { generateInstrument, prng, reseed } from './generate';

type Log = (...a: unknown[]) => void;

// ------------------------------------------------------------------ the fixture

export interface BenchUser {
  username: string;
  userId: string;
  realName: string;
  orgId: string;
  orgName: string;
  role: 'member' | 'admin';
}
/** A consumer member and a provider admin that drive life cycles of the provider's instruments. */
export interface LifecyclePair {
  consumer: BenchUser;
  provider: BenchUser;
  instrumentIds: string[];
}
/** An organisation whose list is read: its bookings by state tab, and search terms that occur in them. */
export interface ListTarget {
  label: string;
  side: Party;
  user: BenchUser;
  counts: Record<string, number>;
  terms: string[];
}

export interface BookingFixture {
  bookings: number;
  items: number;
  events: number;
  ratings: number;
  users: number;
  organisations: number;
  providers: number;
  byState: Record<string, number>;
  heaviestProvider: number;
  medianProvider: number;
  heaviestConsumer: number;
  medianConsumer: number;
  password: string;
  pairs: LifecyclePair[];
  lists: ListTarget[];
  buildS: number;
}

export interface PrepareOptions {
  bookings: number;
  /** organisations that take part; default: every approved organisation */
  orgs?: { id: string; name: string }[];
  /** bookable instruments (listed, enabled); default: read from the database */
  instruments?: { id: string; orgId: string; name: string }[];
  /** how many consumer/provider pairs to prepare for the life-cycle clients (default 16) */
  pairs?: number;
  seed?: number;
  log?: Log;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const SPAN_DAYS = 730;
const CHUNK = 500;
export const BENCH_PASSWORD = 'Bench@2026x';
/** The counter series of booking numbers, as src/server/modules/bookings/commands.ts names it (`booking:<day>`). */
const SERIES = 'booking:';

const PURPOSES = [
  '新型铝合金热处理工艺研发',
  '锂电池正极材料表征',
  '高分子材料老化性能评价',
  '中药有效成分含量测定',
  '食品中农药残留筛查',
  '土壤重金属污染调查',
  '海洋沉积物微塑料分析',
  '半导体薄膜缺陷分析',
  '医用植入材料生物相容性研究',
  '催化剂比表面积与孔径测试',
  '环境水样有机物检测',
  '焊接接头失效分析',
];
const PROJECTS: [string, string][] = [
  ['高强铝合金关键技术研究', '山东省重点研发计划'],
  ['固态电池界面机理研究', '国家自然科学基金'],
  ['智能制造装备可靠性提升', '企业自筹'],
  ['海洋牧场生态监测', '山东省自然科学基金'],
  ['道地药材质量标准研究', '泰山产业领军人才工程'],
  ['新型显示材料产业化', '山东省技术创新引导计划'],
  ['农产品质量安全追溯', '市级科技计划'],
  ['绿色化工工艺开发', '企业自筹'],
  ['高端医疗器械国产化', '山东省重点研发计划'],
  ['工业废水深度处理', '黄河流域生态保护专项'],
];
const SAMPLES: [string, string, string][] = [
  ['铝合金试样', '块', '固体'],
  ['正极材料粉末', 'g', '粉末'],
  ['水样', 'mL', '液体'],
  ['土壤样品', '袋', '固体'],
  ['高分子薄膜', '片', '固体'],
  ['药材提取物', '瓶', '液体'],
  ['催化剂颗粒', 'g', '颗粒'],
  ['焊接接头', '件', '固体'],
];
const TEST_ITEMS = [
  '表面形貌观察与能谱分析',
  '物相分析',
  '元素含量测定',
  '热重分析',
  '粒度分布',
  '红外光谱定性',
  '分子量测定',
  '拉伸性能',
];
const COMMENTS = [
  '服务专业，出具报告及时',
  '数据可靠，沟通顺畅',
  '检测周期略长',
  '非常满意，下次还会合作',
  '',
  '老师很耐心，解答详细',
  '整体满意',
];
const FEES: [string, string, number][] = [
  ['机时费', '小时', 30_000],
  ['制样费', '个', 5_050],
  ['测试费', '样', 20_000],
  ['分析费', '项', 50_000],
  ['耗材费', '批', 8_000],
];

/** The states a booking of this age (in days) is in, with their weights. */
function stateFor(age: number, r: number): BookingState {
  const table: [BookingState, number][] =
    age < 30
      ? [
          ['draft', 0.1],
          ['submitted', 0.15],
          ['accepted', 0.2],
          ['awaiting_settlement', 0.15],
          ['completed', 0.3],
          ['rejected', 0.05],
          ['withdrawn', 0.05],
        ]
      : [
          ['draft', 0.02],
          ['submitted', 0.01],
          ['accepted', 0.01],
          ['awaiting_settlement', 0.02],
          ['completed', 0.82],
          ['rejected', 0.07],
          ['withdrawn', 0.05],
        ];
  for (const [s, w] of table) {
    r -= w;
    if (r < 0) return s;
  }
  return 'completed';
}

/** The transitions that lead to a state (after 'create'). */
function pathTo(s: BookingState): string[] {
  switch (s) {
    case 'draft':
      return [];
    case 'submitted':
      return ['submit'];
    case 'withdrawn':
      return ['submit', 'withdraw'];
    case 'rejected':
      return ['submit', 'decline'];
    case 'accepted':
      return ['submit', 'accept'];
    case 'awaiting_settlement':
      return ['submit', 'accept', 'submit_results'];
    case 'completed':
      return ['submit', 'accept', 'submit_results', 'settle'];
  }
}
const TO: Record<string, BookingState> = {
  submit: 'submitted',
  withdraw: 'withdrawn',
  decline: 'rejected',
  accept: 'accepted',
  submit_results: 'awaiting_settlement',
  settle: 'completed',
  rate: 'completed',
};
const PROVIDER_ACTIONS = new Set(['accept', 'decline', 'submit_results']);

/** A sampler over ranks 0..n-1: a share `uniform` spread evenly, the rest by Zipf (1/(rank+1)). */
function skewed(n: number, uniform: number, rnd: () => number) {
  const cdf = new Float64Array(n);
  let h = 0;
  for (let k = 0; k < n; k++) h += 1 / (k + 1);
  let sum = 0;
  for (let k = 0; k < n; k++) {
    sum += uniform / n + (1 - uniform) / (k + 1) / h;
    cdf[k] = sum;
  }
  return () => {
    const r = rnd() * sum;
    let lo = 0,
      hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** Multi-row INSERTs, as many rows per statement as keep the parameters under both databases' limits. */
async function insertRows(db: Db, table: string, rows: Record<string, unknown>[]) {
  if (!rows.length) return;
  const per = Math.max(1, Math.floor(20_000 / Object.keys(rows[0]).length));
  for (let k = 0; k < rows.length; k += per)
    await db
      .insertInto(table as any)
      .values(rows.slice(k, k + per) as any)
      .execute();
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : 0;
};

/**
 * Writes `opts.bookings` existing bookings (with items, history, ratings, counters) and the users that drive the
 * API, into a migrated database that holds organisations and listed instruments. Deterministic for a seed, apart
 * from ids and the current time.
 */
export async function prepareBookings(database: Database, opts: PrepareOptions): Promise<BookingFixture> {
  const t0 = Date.now();
  const { db } = database;
  const log = opts.log ?? (() => undefined);
  const rnd = prng(opts.seed ?? 4_040_404);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));

  const orgs =
    opts.orgs ??
    (await db
      .selectFrom('organizations')
      .select(['id', 'name'])
      .where('state', '=', 'approved')
      .orderBy('id')
      .execute());
  const instruments =
    opts.instruments ??
    (await db
      .selectFrom('instruments')
      .select(['id', 'orgId', 'name'])
      .where('state', '=', 'listed')
      .where('isDisabled', '=', false)
      .orderBy('id')
      .execute());
  const orgName = new Map(orgs.map((o) => [o.id, o.name]));
  const byOrg = new Map<string, { id: string; name: string }[]>();
  for (const i of instruments)
    if (orgName.has(i.orgId))
      (byOrg.get(i.orgId) ?? byOrg.set(i.orgId, []).get(i.orgId)!).push({ id: i.id, name: i.name });
  // providers ranked by how many bookable instruments they have: the big universities are the busy ones
  const providers = [...byOrg.keys()].sort((a, b) => byOrg.get(b)!.length - byOrg.get(a)!.length || (a < b ? -1 : 1));
  if (providers.length < 2 || orgs.length < 3)
    throw new Error(
      `prepareBookings: ${orgs.length} organisations, ${providers.length} with bookable instruments — too few`,
    );
  const consumersOrder = orgs.map((o) => o.id);
  for (let k = consumersOrder.length - 1; k > 0; k--) {
    const j = Math.floor(rnd() * (k + 1));
    [consumersOrder[k], consumersOrder[j]] = [consumersOrder[j], consumersOrder[k]];
  }
  const providerRank = skewed(providers.length, 0.5, rnd);
  const consumerRank = skewed(consumersOrder.length, 0.5, rnd);

  // ---- people: one member (the applicant) and one admin per organisation, one real password hash
  const tag = crypto.randomBytes(3).toString('hex');
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const nowIso = new Date().toISOString();
  const member = new Map<string, BenchUser>();
  const admin = new Map<string, BenchUser>();
  const users: Record<string, unknown>[] = [];
  const memberships: Record<string, unknown>[] = [];
  orgs.forEach((o, k) => {
    for (const role of ['member', 'admin'] as const) {
      const u: BenchUser = {
        username: `bk${tag}_${role[0]}${k}`,
        userId: newId(),
        realName: `${role === 'member' ? '预约人' : '管理员'}${k}`,
        orgId: o.id,
        orgName: o.name,
        role,
      };
      (role === 'member' ? member : admin).set(o.id, u);
      users.push({
        id: u.userId,
        username: u.username,
        mobile: null,
        email: null,
        realName: u.realName,
        passwordHash,
        kind: 'person',
        departmentId: null,
        isDisabled: false,
        mustChangePassword: false,
        lockedUntil: null,
        createdAt: nowIso,
        updatedAt: nowIso,
      });
      memberships.push({ id: newId(), userId: u.userId, orgId: o.id, role, createdAt: nowIso });
    }
  });
  await db.transaction().execute(async (trx) => {
    await insertRows(trx, 'users', users);
    await insertRows(trx, 'memberships', memberships);
  });

  // ---- bookings, oldest first
  const now = Date.now();
  const start = now - SPAN_DAYS * DAY_MS;
  const span = SPAN_DAYS * DAY_MS - 10 * 60_000; // the newest a few minutes ago
  const N = opts.bookings;
  const existing = new Map(
    (await db.selectFrom('counters').select(['key', 'last']).where('key', 'like', `${SERIES}%`).execute()).map((c) => [
      c.key.slice(SERIES.length),
      Number(c.last),
    ]),
  );
  const counters = new Map<string, number>();
  const byState: Record<string, number> = Object.fromEntries(BOOKING_STATES.map((s) => [s, 0]));
  const providerCount = new Map<string, Record<string, number>>();
  const consumerCount = new Map<string, Record<string, number>>();
  const samples = new Map<
    string,
    { nos: string[]; names: Set<string>; counterparts: Set<string>; projects: Set<string> }
  >();
  const remember = (orgId: string, no: string, names: string[], counterpart: string, project: string) => {
    const s =
      samples.get(orgId) ??
      samples.set(orgId, { nos: [], names: new Set(), counterparts: new Set(), projects: new Set() }).get(orgId)!;
    if (s.nos.length < 5) s.nos.push(no);
    if (s.names.size < 5) names.forEach((n) => s.names.add(n));
    if (s.counterparts.size < 5) s.counterparts.add(counterpart);
    if (s.projects.size < 5) s.projects.add(project);
  };
  let nItems = 0,
    nEvents = 0,
    nRatings = 0;
  const iso = (t: number) => new Date(t).toISOString();
  const ymd = (t: number) => new Date(t + 8 * HOUR_MS).toISOString().slice(0, 10);

  for (let k0 = 0; k0 < N; k0 += CHUNK) {
    const bookings: Record<string, unknown>[] = [],
      items: Record<string, unknown>[] = [],
      events: Record<string, unknown>[] = [],
      ratings: Record<string, unknown>[] = [];
    for (let k = k0; k < Math.min(N, k0 + CHUNK); k++) {
      const created = start + Math.floor((k + rnd()) * (span / N));
      const day = bookingDay(new Date(created));
      const seq = (counters.get(day) ?? existing.get(day) ?? 0) + 1;
      counters.set(day, seq);
      const no = formatBookingNo(day, seq);
      const providerId = providers[providerRank()];
      let consumerId = consumersOrder[consumerRank()];
      while (consumerId === providerId) consumerId = consumersOrder[Math.floor(rnd() * consumersOrder.length)];
      const applicant = member.get(consumerId)!,
        provAdmin = admin.get(providerId)!;
      const own = byOrg.get(providerId)!;
      const want = Math.min(own.length, rnd() < 0.7 ? 1 : rnd() < 0.73 ? 2 : 3);
      const chosen: { id: string; name: string }[] = [];
      while (chosen.length < want) {
        const i = pick(own);
        if (!chosen.includes(i)) chosen.push(i);
      }
      const state = stateFor((now - created) / DAY_MS, rnd());
      byState[state]++;
      const steps = pathTo(state);
      // the times of the transitions: hours to submit, days to accept, test and settle; squeezed to fit before now
      const gaps = [
        (int(1, 24) * HOUR_MS) / 4,
        int(2, 72) * HOUR_MS,
        int(1, 10) * DAY_MS,
        int(1, 14) * DAY_MS,
        int(0, 72) * HOUR_MS,
      ];
      const rated = state === 'completed' && rnd() < 0.75;
      const all = rated ? [...steps, 'rate'] : steps;
      const need = all.reduce((s, _a, i) => s + gaps[i], 0);
      const room = now - 60_000 - created;
      const scale = need > room ? room / need : 1;
      let at = created;
      const when: Record<string, number> = {};
      all.forEach((a, i) => {
        at += Math.max(1000, Math.floor(gaps[i] * scale));
        when[a] = at;
      });
      const [project, source] = pick(PROJECTS);
      const [sample, unit, form] = pick(SAMPLES);
      const id = newId();
      const registered = state === 'awaiting_settlement' || state === 'completed';
      let total = 0;
      chosen.forEach((inst, sort) => {
        let fees: unknown[] = [],
          subtotal = 0;
        if (registered) {
          fees = Array.from({ length: int(1, 3) }, (_x, j) => {
            const [name, u, price] = FEES[(j + sort) % FEES.length];
            const f = { name, quantity: pick([0.5, 1, 2, 2.5, 3, 4]), unit: u, unitPriceFen: price };
            return { ...f, amountFen: lineFen(f) };
          });
          subtotal = (fees as { amountFen: number }[]).reduce((s, f) => s + f.amountFen, 0);
        }
        total += subtotal;
        items.push({
          bookingId: id,
          instrumentId: inst.id,
          sort,
          testItems: pick(TEST_ITEMS),
          resultText: registered ? `第 ${sort + 1} 台仪器检测完成，数据见报告` : null,
          machineHours: registered ? pick([1, 1.5, 2, 2.5, 4]) : null,
          feesJson: JSON.stringify(fees),
          subtotalFen: subtotal,
        });
      });
      const otherFee = registered && rnd() < 0.3 ? 10_000 : 0;
      total += otherFee;
      const consumerName = orgName.get(consumerId)!,
        providerName = orgName.get(providerId)!;
      const projectNo = `${new Date(created).getUTCFullYear()}${pick(['GXRC', 'ZR', 'JS', 'QY'])}${String(int(1, 999)).padStart(3, '0')}`;
      const last = all.length ? when[all[all.length - 1]] : created;
      bookings.push({
        id,
        no,
        consumerOrgId: consumerId,
        providerOrgId: providerId,
        applicantId: applicant.userId,
        state,
        version: 1 + all.length,
        samplesJson: JSON.stringify([
          {
            name: sample,
            quantity: int(1, 10),
            unit,
            form,
            hazards: '无',
            disposal: rnd() < 0.6 ? 'return' : 'dispose',
          },
        ]),
        purpose: pick(PURPOSES),
        expectedFrom: ymd(created + DAY_MS),
        expectedTo: ymd(created + int(5, 30) * DAY_MS),
        projectName: project,
        projectNo,
        projectSource: source,
        projectFundingFen: int(1, 500) * 100_000,
        contactName: applicant.realName,
        contactPhone: `139${String(int(0, 99_999_999)).padStart(8, '0')}`,
        contactEmail: null,
        remark: null,
        liabilityText: when.submit ? DEFAULT_LIABILITY_TEXT : null,
        liabilityAcceptedAt: when.submit ? iso(when.submit) : null,
        plannedTestDate: when.accept && rnd() < 0.5 ? ymd(when.accept + 2 * DAY_MS) : null,
        declineReason: state === 'rejected' ? '该仪器近期检修，暂不能安排检测' : null,
        otherFeeFen: otherFee,
        otherFeeNote: otherFee ? '加急费' : null,
        totalFeeFen: total,
        resultNote: null,
        searchText: [no, consumerName, providerName, ...chosen.map((c) => c.name), project, projectNo]
          .join(' ')
          .toLowerCase(),
        createdAt: iso(created),
        updatedAt: iso(last),
        submittedAt: when.submit ? iso(when.submit) : null,
        acceptedAt: when.accept ? iso(when.accept) : null,
        resultsAt: when.submit_results ? iso(when.submit_results) : null,
        completedAt: when.settle ? iso(when.settle) : null,
      });
      const stars = rated ? pick([5, 5, 5, 5, 5, 5, 4, 4, 4, 3, 2, 1]) : 0;
      const comment = rated ? pick(COMMENTS) : '';
      events.push({
        id: newId(),
        bookingId: id,
        actorId: applicant.userId,
        actorName: applicant.realName,
        orgId: consumerId,
        orgName: consumerName,
        action: 'create',
        fromState: null,
        toState: 'draft',
        comment: null,
        at: iso(created),
      });
      let from: BookingState = 'draft';
      for (const a of all) {
        const prov = PROVIDER_ACTIONS.has(a);
        const c =
          a === 'decline'
            ? '该仪器近期检修，暂不能安排检测'
            : a === 'rate'
              ? `${stars} 星${comment ? `：${comment}` : ''}`
              : null;
        events.push({
          id: newId(),
          bookingId: id,
          actorId: prov ? provAdmin.userId : applicant.userId,
          actorName: prov ? provAdmin.realName : applicant.realName,
          orgId: prov ? providerId : consumerId,
          orgName: prov ? providerName : consumerName,
          action: a,
          fromState: from,
          toState: TO[a],
          comment: c,
          at: iso(when[a]),
        });
        from = TO[a];
      }
      if (rated)
        ratings.push({
          bookingId: id,
          stars,
          comment: comment || null,
          raterId: applicant.userId,
          createdAt: iso(when.rate),
        });
      nItems += chosen.length;
      nEvents += 1 + all.length;
      nRatings += rated ? 1 : 0;
      const pc = providerCount.get(providerId) ?? providerCount.set(providerId, {}).get(providerId)!;
      const cc = consumerCount.get(consumerId) ?? consumerCount.set(consumerId, {}).get(consumerId)!;
      pc[state] = (pc[state] ?? 0) + 1;
      cc[state] = (cc[state] ?? 0) + 1;
      remember(
        providerId,
        no,
        chosen.map((c) => c.name),
        consumerName,
        project,
      );
      remember(
        consumerId,
        no,
        chosen.map((c) => c.name),
        providerName,
        project,
      );
    }
    await db.transaction().execute(async (trx) => {
      await insertRows(trx, 'bookings', bookings);
      await insertRows(trx, 'bookingItems', items);
      await insertRows(trx, 'bookingEvents', events);
      await insertRows(trx, 'bookingRatings', ratings);
    });
    if ((k0 / CHUNK) % 40 === 39)
      log(
        `bookings: ${(k0 + CHUNK).toLocaleString('en')} of ${N.toLocaleString('en')} written (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
      );
  }
  // the counters: the last number handed out on each day, so that new bookings continue after the fixture's
  const rows = [...counters].map(([day, last]) => ({ key: `${SERIES}${day}`, last }));
  for (let k = 0; k < rows.length; k += 500) {
    await db
      .insertInto('counters')
      .values(rows.slice(k, k + 500))
      .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ last: eb.ref('excluded.last') })))
      .execute();
  }
  const writeS = (Date.now() - t0) / 1000;
  if (database.dialect === 'postgres') {
    for (const t of [
      'bookings',
      'booking_items',
      'booking_events',
      'booking_ratings',
      'counters',
      'users',
      'memberships',
    ])
      await sql`vacuum analyze ${sql.table(t)}`.execute(db);
  } else {
    await sql`analyze`.execute(db);
  }
  const buildS = (Date.now() - t0) / 1000;
  log(
    `bookings: ${N.toLocaleString('en')} bookings, ${nItems.toLocaleString('en')} items, ${nEvents.toLocaleString('en')} events, ${nRatings.toLocaleString('en')} ratings written in ${writeS.toFixed(1)} s, analysed in ${(buildS - writeS).toFixed(1)} s`,
  );

  // ---- who drives the life cycles, and whose lists are read
  const sumOf = (c: Record<string, number> | undefined, side: Party) =>
    Object.entries(c ?? {}).reduce((s, [st, n]) => s + (side === 'provider' && st === 'draft' ? 0 : n), 0);
  const sortedBy = (m: Map<string, Record<string, number>>, side: Party) =>
    [...m.keys()].sort((a, b) => sumOf(m.get(b), side) - sumOf(m.get(a), side) || (a < b ? -1 : 1));
  const provOrder = sortedBy(providerCount, 'provider');
  const consOrder = sortedBy(consumerCount, 'consumer');
  const target = (label: string, side: Party, orgId: string): ListTarget => {
    const c = (side === 'provider' ? providerCount : consumerCount).get(orgId) ?? {};
    const counts: Record<string, number> = { all: sumOf(c, side) };
    for (const s of BOOKING_STATES) if (side === 'consumer' || s !== 'draft') counts[s] = c[s] ?? 0;
    const s = samples.get(orgId);
    // what people type: a number, an instrument's name, the start of the other party's name, a project, and a two-character word
    const names = s ? [...s.names] : [];
    const terms = s
      ? [
          ...s.nos.slice(0, 2),
          ...names.slice(0, 2),
          ...[...s.counterparts].slice(0, 2).map((n) => n.slice(0, 4)),
          ...[...s.projects].slice(0, 1),
          ...names.slice(0, 1).map((n) => n.slice(Math.max(0, (n.length >> 1) - 1), (n.length >> 1) + 1)),
        ]
      : [];
    return { label, side, user: side === 'provider' ? admin.get(orgId)! : member.get(orgId)!, counts, terms };
  };
  const lists = [
    target('heaviest provider', 'provider', provOrder[0]),
    target('typical provider', 'provider', provOrder[Math.floor(provOrder.length / 2)]),
    target('heaviest consumer', 'consumer', consOrder[0]),
    target('typical consumer', 'consumer', consOrder[Math.floor(consOrder.length / 2)]),
  ];
  // life-cycle pairs: the busiest provider first, then providers spread over the rank; consumers likewise
  const pairs: LifecyclePair[] = [];
  const nPairs = opts.pairs ?? 16;
  for (let k = 0; k < nPairs; k++) {
    const p = providers[Math.floor((k / nPairs) ** 2 * providers.length)];
    let c = consumersOrder[Math.floor((k / nPairs) * consumersOrder.length)];
    if (c === p) c = consumersOrder.find((x) => x !== p)!;
    pairs.push({
      consumer: member.get(c)!,
      provider: admin.get(p)!,
      instrumentIds: byOrg
        .get(p)!
        .slice(0, k % 3 === 2 ? 2 : 1)
        .map((i) => i.id),
    });
  }
  const provTotals = provOrder.map((o) => sumOf(providerCount.get(o), 'provider'));
  const consTotals = consOrder.map((o) => sumOf(consumerCount.get(o), 'consumer'));
  return {
    bookings: N,
    items: nItems,
    events: nEvents,
    ratings: nRatings,
    users: users.length,
    organisations: orgs.length,
    providers: providers.length,
    byState,
    heaviestProvider: provTotals[0] ?? 0,
    medianProvider: median(provTotals),
    heaviestConsumer: consTotals[0] ?? 0,
    medianConsumer: median(consTotals),
    password: BENCH_PASSWORD,
    pairs,
    lists,
    buildS,
  };
}

// ------------------------------------------------------------------ targets of the catalogue's write mix

/** A booking or instrument the write mix (scripts/bench-writes.ts) may act on once, and the admin who acts. */
export interface WriteTarget {
  id: string;
  orgId: string;
  admin: string;
}
export interface WriteTargets {
  settle: WriteTarget[];
  rate: WriteTarget[];
  instruments: (WriteTarget & { isDisabled: boolean })[];
  password: string;
}

/**
 * Lists, from a database that holds the fixture of prepareBookings, what the write mix needs: bookings awaiting
 * settlement (结算) and completed bookings without a rating (评价), each with an admin of its consumer
 * organisation, and listed instruments (停用/启用, edits) with an admin of their organisation (the fixture's
 * admins, password BENCH_PASSWORD), apart from the instruments in `exclude`. At least `want[kind]` of each where the database has them, taken from as few
 * organisations as will do (fewer logins), in a fixed order.
 */
export async function listWriteTargets(
  db: Db,
  want: { settle: number; rate: number; instruments: number },
  exclude: Set<string> = new Set(),
): Promise<WriteTargets> {
  const admins = new Map(
    (
      await db
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.userId')
        .select(['memberships.orgId', 'users.username'])
        .where('memberships.role', '=', 'admin')
        .where('users.username', 'like', 'bk%')
        .orderBy('users.username')
        .execute()
    ).map((r) => [r.orgId, r.username]),
  );
  const fewestOrgs = <T extends { orgId: string }>(rows: T[], n: number): (T & { admin: string })[] => {
    const by = new Map<string, T[]>();
    for (const r of rows) if (admins.has(r.orgId)) (by.get(r.orgId) ?? by.set(r.orgId, []).get(r.orgId)!).push(r);
    const out: (T & { admin: string })[] = [];
    for (const [orgId, xs] of [...by].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))) {
      if (out.length >= n) break;
      for (const x of xs) out.push({ ...x, admin: admins.get(orgId)! });
    }
    return out;
  };
  const settle = await db
    .selectFrom('bookings')
    .select(['id', 'consumerOrgId as orgId'])
    .where('state', '=', 'awaiting_settlement')
    .orderBy('id')
    .execute();
  const rate = await db
    .selectFrom('bookings')
    .leftJoin('bookingRatings', 'bookingRatings.bookingId', 'bookings.id')
    .select(['bookings.id', 'bookings.consumerOrgId as orgId'])
    .where('bookings.state', '=', 'completed')
    .where('bookingRatings.bookingId', 'is', null)
    .orderBy('bookings.id')
    .execute();
  // not the instruments that the life cycles book (exclude: the fixture's pairs), which must stay bookable
  const instruments = (
    await db
      .selectFrom('instruments')
      .select(['id', 'orgId', 'isDisabled'])
      .where('state', '=', 'listed')
      .orderBy('id')
      .execute()
  ).filter((i) => !exclude.has(i.id));
  return {
    settle: fewestOrgs(settle, want.settle),
    rate: fewestOrgs(rate, want.rate),
    instruments: fewestOrgs(
      instruments.map((i) => ({ ...i, isDisabled: !!i.isDisabled })),
      want.instruments,
    ),
    password: BENCH_PASSWORD,
  };
}

// ------------------------------------------------------------------ HTTP

export interface Reply {
  status: number;
  text: string;
  data: any;
}

/** One browser: a cookie jar over keep-alive connections, with the CSRF header on writes. */
export class Browser {
  private cookies = new Map<string, string>();
  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly agent: http.Agent,
  ) {}

  request(method: string, url: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Reply> {
    const h: http.OutgoingHttpHeaders = { ...headers };
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (method !== 'GET' && this.cookies.has('csrf')) h['x-csrf-token'] = this.cookies.get('csrf');
    if (body) h['content-length'] = body.length;
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: this.host, port: this.port, path: url, method, agent: this.agent, headers: h },
        (res) => {
          for (const c of res.headers['set-cookie'] ?? []) {
            const [kv] = c.split(';');
            const eq = kv.indexOf('=');
            this.cookies.set(kv.slice(0, eq).trim(), kv.slice(eq + 1).trim());
          }
          const chunks: Buffer[] = [];
          res.on('data', (x: Buffer) => chunks.push(x));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let data: any = null;
            if ((res.headers['content-type'] ?? '').includes('json')) {
              try {
                data = JSON.parse(text);
              } catch {
                /* keep text */
              }
            }
            resolve({ status: res.statusCode ?? 0, text, data });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  json(method: string, url: string, payload?: unknown) {
    return payload === undefined
      ? this.request(method, url)
      : this.request(method, url, Buffer.from(JSON.stringify(payload)), { 'content-type': 'application/json' });
  }

  upload(url: string, data: Buffer, filename: string, mime: string) {
    const boundary = `----bench${crypto.randomBytes(8).toString('hex')}`;
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${encodeURIComponent(filename)}"\r\nContent-Type: ${mime}\r\n\r\n`,
      ),
      data,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return this.request('POST', url, body, { 'content-type': `multipart/form-data; boundary=${boundary}` });
  }

  async login(username: string, password: string) {
    await this.request('GET', '/api/auth/me');
    const r = await this.json('POST', '/api/auth/login', { identifier: username, password, mode: 'person' });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text.slice(0, 300)}`);
    return this;
  }
}

/** A small valid PDF (what a scanned report or invoice is, minus the size). */
const pdf = (text: string) => tinyPdf(text);

const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] : NaN;
};
const round = (x: number) => (Number.isFinite(x) ? +x.toFixed(2) : null);

// ------------------------------------------------------------------ the scenario

export const TRANSITIONS = [
  'create',
  'submit',
  'accept',
  'results_submit',
  'upload_report',
  'upload_invoice',
  'settle',
  'rate',
] as const;

export interface BookingBenchOptions {
  /** seconds of life cycles (the issue: at least 10) */
  seconds: number;
  /** concurrent life-cycle clients */
  concurrency: number;
  /** seconds of list reads on their own afterwards (default: `seconds`) */
  listSeconds?: number;
  /** concurrent list readers afterwards (default 4) */
  listConcurrency?: number;
  /** life cycles begun per second in the paced phase (default PACED_RATE) */
  pacedRate?: number;
  log?: Log;
}
/**
 * Life cycles begun per second in the paced phase: 90 requests/s of transitions (about a quarter of what one
 * server thread completes here flat out), far above a province's day (the busiest platform records a few thousand
 * bookings a year), so that a transition's p99 is its own cost and that of what runs beside it, not a queue.
 */
export const PACED_RATE = 10;

export interface BookingBenchResult {
  lifecycles: number;
  lifecycles_per_s: number;
  /** the paced phase: life cycles begun at `transition_paced_rate` per second, list reads at the same rate */
  transition_paced_rate: number;
  transition_p50_ms: number | null;
  transition_p99_ms: number | null;
  transition_p99_by_name: Record<string, number | null>;
  /** the closed loop: `concurrency` clients each beginning the next request when the last one answered */
  transition_p50_saturated_ms: number | null;
  transition_p99_saturated_ms: number | null;
  transition_p99_saturated_by_name: Record<string, number | null>;
  booking_list_p50_ms: number | null;
  booking_list_p99_ms: number | null;
  booking_list_p99_by_target: Record<string, number | null>;
  booking_list_p99_by_kind: Record<string, number | null>;
  booking_list_requests: number;
  booking_list_p99_under_load_ms: number | null;
  booking_errors: number;
  first_error?: string;
}

interface Sink {
  all: number[];
  by: Record<string, number[]>;
  kinds: Record<string, number[]>;
}
const sink = (): Sink => ({ all: [], by: {}, kinds: {} });

/** What a list reader asks: a target's list with a state tab (or all), page 1 or a deeper page, sometimes a search. */
function listMaker(targets: ListTarget[], rnd: () => number) {
  return () => {
    const t = targets[Math.floor(rnd() * targets.length)];
    const p = new URLSearchParams({ side: t.side });
    const tabs = Object.keys(t.counts).filter((s) => s !== 'all' && t.counts[s] > 0);
    let n = t.counts.all;
    if (rnd() < 0.6 && tabs.length) {
      const s = tabs[Math.floor(rnd() * tabs.length)];
      p.set('state', s);
      n = t.counts[s];
    }
    let kind = 'page 1';
    if (rnd() < 0.2 && t.terms.length) {
      p.set('q', t.terms[Math.floor(rnd() * t.terms.length)]);
      n = 20;
      kind = 'search';
    }
    const pages = Math.max(1, Math.ceil(n / 20));
    const r = rnd();
    if (pages > 1 && r < 0.25) {
      p.set('page', String(2 + Math.floor(rnd() * Math.min(pages - 1, 9))));
      kind = 'pages 2-10';
    } else if (pages > 10 && r < 0.35) {
      p.set('page', String(10 + Math.floor(rnd() * Math.min(pages - 10, 90))));
      kind = 'pages 10-100';
    }
    p.set('pageSize', '20');
    return { target: t.label, kind, url: `/api/bookings?${p}` };
  };
}

/**
 * Drives the booking scenario against a listening server: `concurrency` clients each run complete life cycles
 * (create → submit → accept → view → results/submit → upload report and invoice → settle → rate) for `seconds`,
 * while one more client reads lists; then list readers alone for `listSeconds`. Every non-2xx reply is an error.
 */
export async function runBookingBench(
  baseUrl: string,
  fixture: BookingFixture,
  opts: BookingBenchOptions,
): Promise<BookingBenchResult> {
  const log = opts.log ?? (() => undefined);
  const u = new URL(baseUrl);
  const host = u.hostname,
    port = Number(u.port);
  const agents: http.Agent[] = [];
  const browser = () => {
    const a = new http.Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(a);
    return new Browser(host, port, a);
  };
  const timesBySteps = (): Record<string, number[]> => Object.fromEntries([...TRANSITIONS, 'view'].map((n) => [n, []]));
  const times = timesBySteps();
  const paced = timesBySteps();
  let errors = 0,
    firstError: string | undefined;
  const fail = (what: string, r: Reply | Error) => {
    errors++;
    firstError ??= r instanceof Error ? `${what}: ${r.message}` : `${what}: ${r.status} ${r.text.slice(0, 300)}`;
  };
  const rnd = prng(77_001);
  const report = pdf('Test report'),
    invoice = pdf('Invoice');

  try {
    // ---- sessions (each client its own, through the real login)
    const workers = await Promise.all(
      Array.from({ length: opts.concurrency }, async (_x, k) => {
        const pair = fixture.pairs[k % fixture.pairs.length];
        return {
          pair,
          consumer: await browser().login(pair.consumer.username, fixture.password),
          provider: await browser().login(pair.provider.username, fixture.password),
        };
      }),
    );
    const listClients = new Map<string, Browser>();
    for (const t of fixture.lists) listClients.set(t.label, await browser().login(t.user.username, fixture.password));

    const shanghaiDay = (plusDays: number) =>
      new Date(Date.now() + 8 * HOUR_MS + plusDays * DAY_MS).toISOString().slice(0, 10);
    /** One life cycle; false when a step failed (counted), and the booking is left where it stopped. */
    const lifecycle = async (
      w: (typeof workers)[number],
      n: number,
      record: Record<string, number[]> | null,
    ): Promise<boolean> => {
      const step = async (name: string, call: () => Promise<Reply>, ok = 200): Promise<Reply | null> => {
        const s = process.hrtime.bigint();
        let r: Reply;
        try {
          r = await call();
        } catch (e) {
          fail(name, e as Error);
          return null;
        }
        if (record) record[name].push(Number(process.hrtime.bigint() - s) / 1e6);
        if (r.status !== ok) {
          fail(name, r);
          return null;
        }
        return r;
      };
      const ids = w.pair.instrumentIds;
      const created = await step(
        'create',
        () =>
          w.consumer.json('POST', '/api/bookings', {
            instruments: ids.map((instrumentId, k) => ({
              instrumentId,
              testItems: k ? '物相分析' : '表面形貌观察与能谱分析',
            })),
            samples: [{ name: '铝合金试样', quantity: 3, unit: '块', form: '固体', hazards: '无', disposal: 'return' }],
            purpose: '新型铝合金热处理工艺研发',
            expectedFrom: shanghaiDay(1),
            expectedTo: shanghaiDay(10),
            projectName: '高强铝合金关键技术研究',
            projectNo: `2026BENCH${n}`,
            projectSource: '山东省重点研发计划',
            projectFundingFen: 50_000_000,
            contactName: '王工',
            contactPhone: '13912340000',
            contactEmail: 'wang@example.com',
          }),
        201,
      );
      if (!created) return false;
      const id = created.data.id as string;
      if (
        !(await step('submit', () =>
          w.consumer.json('POST', `/api/bookings/${id}/submit`, { liabilityAccepted: true }),
        ))
      )
        return false;
      if (
        !(await step('accept', () =>
          w.provider.json('POST', `/api/bookings/${id}/accept`, { plannedTestDate: shanghaiDay(2) }),
        ))
      )
        return false;
      const viewed = await step('view', () => w.provider.request('GET', `/api/bookings/${id}`));
      if (!viewed) return false;
      if (
        !(await step('results_submit', () =>
          w.provider.json('POST', `/api/bookings/${id}/results/submit`, {
            items: ids.map((instrumentId, k) => ({
              instrumentId,
              resultText: `第 ${k + 1} 台仪器检测完成，数据见报告`,
              machineHours: 2.5,
              fees: [
                { name: '机时费', quantity: 2.5, unit: '小时', unitPriceFen: 30_000 },
                { name: '制样费', quantity: 3, unit: '个', unitPriceFen: 5_050 },
              ],
            })),
            otherFeeFen: 10_000,
            otherFeeNote: '加急费',
            resultNote: null,
            version: viewed.data.version,
          }),
        ))
      )
        return false;
      if (
        !(await step(
          'upload_report',
          () => w.consumer.upload(`/api/bookings/${id}/files?slot=report`, report, '检测报告.pdf', 'application/pdf'),
          201,
        ))
      )
        return false;
      if (
        !(await step(
          'upload_invoice',
          () => w.consumer.upload(`/api/bookings/${id}/files?slot=invoice`, invoice, '发票.pdf', 'application/pdf'),
          201,
        ))
      )
        return false;
      if (!(await step('settle', () => w.consumer.json('POST', `/api/bookings/${id}/settle`, {})))) return false;
      return !!(await step('rate', () =>
        w.consumer.json('POST', `/api/bookings/${id}/rating`, { stars: 5, comment: '服务专业，出具报告及时' }),
      ));
    };

    const nextList = listMaker(fixture.lists, rnd);
    const readList = async (sink: Sink) => {
      const { target, kind, url } = nextList();
      const s = process.hrtime.bigint();
      try {
        const r = await listClients.get(target)!.request('GET', url);
        const ms = Number(process.hrtime.bigint() - s) / 1e6;
        if (r.status !== 200) fail(`GET ${url}`, r);
        sink.all.push(ms);
        (sink.by[target] ??= []).push(ms);
        (sink.kinds[kind] ??= []).push(ms);
      } catch (e) {
        fail(`GET ${url}`, e as Error);
      }
    };

    // ---- warm-up (not measured): one life cycle per client, a pass over the lists
    await Promise.all(workers.map((w, k) => lifecycle(w, -1 - k, null)));
    const warm = sink();
    for (let k = 0; k < 40; k++) await readList(warm);
    if (errors) throw new Error(`booking warm-up failed (${errors} errors); first: ${firstError}`);

    // ---- life cycles, with one list reader alongside
    let lifecycles = 0;
    let seq = 0;
    const underLoad = sink();
    const t0 = process.hrtime.bigint();
    const until = Date.now() + opts.seconds * 1000;
    let running = true;
    const reader = (async () => {
      while (running) await readList(underLoad);
    })();
    await Promise.all(
      workers.map(async (w) => {
        while (Date.now() < until) if (await lifecycle(w, seq++, times)) lifecycles++;
      }),
    );
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    running = false;
    await reader;
    const transitions = TRANSITIONS.flatMap((n) => times[n]);
    log(
      `bookings: ${lifecycles.toLocaleString('en')} life cycles in ${elapsed.toFixed(1)} s (${(lifecycles / elapsed).toFixed(1)}/s), ${transitions.length.toLocaleString('en')} transitions, p99 ${quantile(transitions, 0.99).toFixed(1)} ms; ${underLoad.all.length} list reads alongside, p99 ${quantile(underLoad.all, 0.99).toFixed(1)} ms`,
    );

    // ---- paced: life cycles begun at a fixed rate (each client in turn), list reads at the same rate
    const rate = opts.pacedRate ?? PACED_RATE;
    const pacedUntil = Date.now() + opts.seconds * 1000;
    const pacedLists = sink();
    let pacedLifecycles = 0;
    const every = (workers.length / rate) * 1000;
    const paceFrom = Date.now();
    await Promise.all([
      ...workers.map(async (w, k) => {
        for (let next = paceFrom + (k * every) / workers.length; next < pacedUntil; next += every) {
          await sleep(next - Date.now());
          if (await lifecycle(w, seq++, paced)) pacedLifecycles++;
        }
      }),
      (async () => {
        for (let next = paceFrom; next < pacedUntil; next += 1000 / rate) {
          await sleep(next - Date.now());
          await readList(pacedLists);
        }
      })(),
    ]);
    const pacedAll = TRANSITIONS.flatMap((n) => paced[n]);
    log(
      `bookings: paced at ${rate} life cycles/s: ${pacedLifecycles} life cycles, ` +
        `${pacedAll.length.toLocaleString('en')} transitions, p50 ${quantile(pacedAll, 0.5).toFixed(1)} ms, ` +
        `p99 ${quantile(pacedAll, 0.99).toFixed(1)} ms; ${pacedLists.all.length} list reads alongside, ` +
        `p99 ${quantile(pacedLists.all, 0.99).toFixed(1)} ms`,
    );

    // ---- lists on their own
    const lists = sink();
    const listUntil = Date.now() + (opts.listSeconds ?? opts.seconds) * 1000;
    await Promise.all(
      Array.from({ length: opts.listConcurrency ?? 4 }, async () => {
        while (Date.now() < listUntil) await readList(lists);
      }),
    );
    log(
      `bookings: ${lists.all.length.toLocaleString('en')} list reads, p50 ${quantile(lists.all, 0.5).toFixed(1)} ms, p99 ${quantile(lists.all, 0.99).toFixed(1)} ms`,
    );

    return {
      lifecycles,
      lifecycles_per_s: +(lifecycles / elapsed).toFixed(2),
      transition_paced_rate: rate,
      transition_p50_ms: round(quantile(pacedAll, 0.5)),
      transition_p99_ms: round(quantile(pacedAll, 0.99)),
      transition_p99_by_name: Object.fromEntries(
        [...TRANSITIONS, 'view'].map((n) => [n, round(quantile(paced[n], 0.99))]),
      ),
      transition_p50_saturated_ms: round(quantile(transitions, 0.5)),
      transition_p99_saturated_ms: round(quantile(transitions, 0.99)),
      transition_p99_saturated_by_name: Object.fromEntries(
        [...TRANSITIONS, 'view'].map((n) => [n, round(quantile(times[n], 0.99))]),
      ),
      booking_list_p50_ms: round(quantile(lists.all, 0.5)),
      booking_list_p99_ms: round(quantile(lists.all, 0.99)),
      booking_list_p99_by_target: Object.fromEntries(
        Object.entries(lists.by).map(([k, v]) => [k, round(quantile(v, 0.99))]),
      ),
      booking_list_p99_by_kind: Object.fromEntries(
        Object.entries(lists.kinds).map(([k, v]) => [k, round(quantile(v, 0.99))]),
      ),
      booking_list_requests: lists.all.length,
      booking_list_p99_under_load_ms: round(quantile(underLoad.all, 0.99)),
      booking_errors: errors,
      ...(firstError ? { first_error: firstError } : {}),
    };
  } finally {
    for (const a of agents) a.destroy();
  }
}

/** The summary lines of a run, for bench.ts to print as well. */
export function describeBookingBench(f: BookingFixture, r: BookingBenchResult): string[] {
  const by = (o: Record<string, number | null>) =>
    Object.entries(o)
      .map(([k, v]) => `${k} ${v ?? '–'}`)
      .join(', ');
  return [
    `  bookings ${f.bookings.toLocaleString('en')} existing (${Object.entries(f.byState)
      .map(([s, n]) => `${s} ${n.toLocaleString('en')}`)
      .join(', ')}); fixture built in ${f.buildS.toFixed(1)} s`,
    `           providers: heaviest ${f.heaviestProvider.toLocaleString('en')}, median ${f.medianProvider}; consumers: heaviest ${f.heaviestConsumer.toLocaleString('en')}, median ${f.medianConsumer}`,
    `  life cycles flat out ${r.lifecycles_per_s}/s (${r.lifecycles.toLocaleString('en')}), ` +
      `transition p50 ${r.transition_p50_saturated_ms} ms, p99 ${r.transition_p99_saturated_ms} ms ` +
      `(a queue: every client waits for the others' requests); errors ${r.booking_errors} (target 0)`,
    `           p99 by step: ${by(r.transition_p99_saturated_by_name)}`,
    `  life cycles paced at ${r.transition_paced_rate}/s: ` +
      `transition p50 ${r.transition_p50_ms} ms, p99 ${r.transition_p99_ms} ms`,
    `           p99 by step: ${by(r.transition_p99_by_name)}`,
    `  lists    p50 ${r.booking_list_p50_ms} ms, p99 ${r.booking_list_p99_ms} ms (target < 50) over ${r.booking_list_requests.toLocaleString('en')} reads; p99 while life cycles run ${r.booking_list_p99_under_load_ms} ms`,
    `           p99 by list: ${by(r.booking_list_p99_by_target)}; by request: ${by(r.booking_list_p99_by_kind)}`,
    ...(r.first_error ? [`  first error: ${r.first_error}`] : []),
  ];
}

// ------------------------------------------------------------------ on its own

/** Organisations and listed instruments for a run on its own (bench.ts has its catalogue instead). */
async function seedProviders(database: Database, nOrgs: number, nInstruments: number) {
  const { db } = database;
  const rnd = prng(9_090_901);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const now = new Date().toISOString();
  const depts = new Map(
    (await db.selectFrom('departments').select(['id', 'code']).execute()).map((d) => [d.code, d.id]),
  );
  const legal = newId();
  await db
    .insertInto('users')
    .values({
      id: legal,
      username: `bkl${crypto.randomBytes(3).toString('hex')}`,
      mobile: null,
      email: null,
      realName: '法人',
      passwordHash: 'x',
      kind: 'person',
      departmentId: null,
      isDisabled: false,
      mustChangePassword: false,
      lockedUntil: null,
      createdAt: now,
      updatedAt: now,
    })
    .execute();
  const SYMBOLS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const words = [
    '华信',
    '海洋',
    '理工',
    '农业',
    '医科',
    '科技',
    '材料',
    '化工',
    '环境',
    '生物',
    '智能',
    '光电',
    '能源',
    '轻工',
    '交通',
    '建筑',
    '齐鲁',
    '泰山',
    '黄河',
    '蓝海',
  ];
  const orgs = Array.from({ length: nOrgs }, (_x, k) => {
    const [city, cityName] = pick(SHANDONG_CITIES);
    let body = '',
      x = k * 7919 + 104_729;
    for (let i = 0; i < 9; i++) {
      body += SYMBOLS[x % 31];
      x = Math.floor(x / 31) + i * 17 + k;
    }
    const uscc = `91${city}${body}`;
    const university = k % 3 === 0;
    return {
      id: newId(),
      name: university ? `${cityName}${pick(words)}大学${k}` : `${cityName}${pick(words)}科技有限公司${k}`,
      uscc: uscc + usccCheckChar(uscc),
      type: university ? 'university' : 'enterprise',
      cityCode: city,
      affiliation: 'city' as const,
      district: null,
      address: `${cityName}市高新区科技路${k + 1}号`,
      postalCode: null,
      legalPerson: '张三',
      phone: '0531-88888888',
      website: null,
      intro: null,
      foundedOn: null,
      staffCount: 100,
      revenueFen: null,
      isSmallMicro: null,
      isVoucherApplicant: null,
      commitmentAcceptedAt: now,
      bankName: null,
      bankAccount: null,
      bankAccountName: null,
      liaisonName: '李四',
      liaisonPhone: '13900000000',
      liaisonEmail: 'l@example.com',
      state: 'approved' as const,
      rejectReason: null,
      departmentId: depts.get(city)!,
      legalUserId: legal,
      pendingChangeJson: null,
      infoUpdatedAt: now,
      submittedAt: now,
      approvedAt: now,
      createdAt: now,
      updatedAt: now,
    };
  });
  await insertRows(db, 'organizations', orgs);
  reseed(515_151);
  const rows = Array.from({ length: nInstruments }, (_x, k) => {
    const g = generateInstrument();
    const o = orgs[Math.floor(Math.pow(rnd(), 1.6) * orgs.length)]; // a few organisations hold many, most a few
    return {
      id: newId(),
      orgId: o.id,
      internalNo: `BK${String(k).padStart(6, '0')}`,
      name: g.name,
      nameEn: g.nameEn,
      categoryCode: g.categoryCode,
      model: g.model,
      manufacturer: g.manufacturer,
      country: null,
      valueFen: g.valueFen,
      purchaseDate: g.purchaseDate,
      startUseDate: null,
      source: '购置',
      specs: g.specs,
      functions: g.functions,
      serviceContent: null,
      feeStandard: '300 元/小时',
      sharingMode: g.sharingMode,
      runStatus: g.runStatus,
      cityCode: g.cityCode,
      district: null,
      street: null,
      room: null,
      contactName: '王老师',
      contactPhone: '13905310001',
      contactEmail: null,
      staffJson: '[]',
      state: 'listed' as const,
      isDisabled: false,
      rejectReason: null,
      serviceCount: 0,
      ratingSum: 0,
      ratingCount: 0,
      searchText: `${g.name} ${g.model} ${o.name}`.toLowerCase(),
      createdBy: null,
      createdAt: now,
      updatedAt: now,
      listedAt: now,
    };
  });
  await insertRows(db, 'instruments', rows);
  return {
    orgs: orgs.map((o) => ({ id: o.id, name: o.name })),
    instruments: rows.map((r) => ({ id: r.id, orgId: r.orgId, name: r.name })),
  };
}

async function main() {
  // these lines follow scripts/bench.ts (its helpers are not exported): options, a fresh database, the server in-process
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const k = args.indexOf(`--${name}`);
    return k >= 0 ? args[k + 1] : undefined;
  };
  const SMOKE = args.includes('--smoke');
  const DIALECT = (opt('database') ?? 'sqlite') as 'sqlite' | 'postgres';
  if (DIALECT !== 'sqlite' && DIALECT !== 'postgres') throw new Error(`--database ${DIALECT}: sqlite or postgres`);
  const PG_URL = process.env.DATABASE_URL;
  if (DIALECT === 'postgres' && !PG_URL) throw new Error('--database postgres needs DATABASE_URL');
  const BOOKINGS = Number(opt('bookings') ?? (SMOKE ? 2_000 : 100_000));
  const ORGS = Number(opt('orgs') ?? (SMOKE ? 40 : 2_000));
  const INSTRUMENTS = Number(opt('instruments') ?? (SMOKE ? 200 : 4_000));
  const SECONDS = Number(opt('seconds') ?? (SMOKE ? 2 : 10));
  const CONCURRENCY = Number(opt('concurrency') ?? 8);
  const LIST_CONCURRENCY = Number(opt('list-concurrency') ?? 4);
  const started = Date.now();
  const log = (...a: unknown[]) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s]`, ...a);

  log(
    `booking benchmark: ${DIALECT}, ${BOOKINGS.toLocaleString('en')} bookings, ${ORGS.toLocaleString('en')} organisations, ${INSTRUMENTS.toLocaleString('en')} instruments, ${SECONDS} s, ${CONCURRENCY} clients, ${os.cpus().length} cores, node ${process.version}${SMOKE ? ' (smoke)' : ''}`,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isp-bench-bookings-'));
  let schema: string | undefined;
  if (DIALECT === 'postgres') {
    schema = `bench_${crypto.randomBytes(4).toString('hex')}`;
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`create schema ${schema}`);
    await c.end();
  }
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', SEED_DEMO: 'false' });
  const database = connect(
    DIALECT === 'postgres' ? { databaseUrl: PG_URL, pgSchema: schema } : { sqliteFile: path.join(dir, 'bench.sqlite') },
  );
  const quiet = { info: () => undefined, warn: () => undefined };
  const mailer = createMailer({
    db: database.db,
    clock: systemClock,
    smtpUrl: undefined,
    from: config.MAIL_FROM,
    log: quiet,
  });
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    await migrateToLatest(database.db, schema);
    await seedReference(database.db, config, systemClock);
    const seeded = await seedProviders(database, ORGS, INSTRUMENTS);
    log(`${ORGS.toLocaleString('en')} organisations and ${INSTRUMENTS.toLocaleString('en')} instruments written`);
    const fixture = await prepareBookings(database, { bookings: BOOKINGS, ...seeded, log });
    log(
      `fixture built in ${fixture.buildS.toFixed(1)} s; providers: heaviest ${fixture.heaviestProvider}, median ${fixture.medianProvider}; consumers: heaviest ${fixture.heaviestConsumer}, median ${fixture.medianConsumer}`,
    );

    app = await buildApp({
      config,
      database,
      clock: systemClock,
      mailer,
      sms: logSmsSender(quiet),
      storage: localStorage(config.uploadDir),
      log: console,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    log(`server listening on ${base}`);
    const r = await runBookingBench(base, fixture, {
      seconds: SECONDS,
      concurrency: CONCURRENCY,
      listConcurrency: LIST_CONCURRENCY,
      log,
    });

    console.log('');
    console.log(
      `Summary (${DIALECT}, ${BOOKINGS.toLocaleString('en')} bookings, ${CONCURRENCY} life-cycle clients, ${LIST_CONCURRENCY} list readers${SMOKE ? ', smoke' : ''}):`,
    );
    for (const line of describeBookingBench(fixture, r)) console.log(line);
    console.log(
      JSON.stringify({
        bookings: BOOKINGS,
        database: DIALECT,
        fixture_s: +fixture.buildS.toFixed(1),
        lifecycles_per_s: r.lifecycles_per_s,
        transition_p99_ms: r.transition_p99_ms,
        transition_paced_rate: r.transition_paced_rate,
        transition_p99_saturated_ms: r.transition_p99_saturated_ms,
        booking_list_p99_ms: r.booking_list_p99_ms,
        booking_errors: r.booking_errors,
        booking_list_p99_under_load_ms: r.booking_list_p99_under_load_ms,
        transition_p99_by_name: r.transition_p99_by_name,
        booking_list_p99_by_target: r.booking_list_p99_by_target,
        booking_list_p99_by_kind: r.booking_list_p99_by_kind,
      }),
    );
    if (r.booking_errors) process.exitCode = 1;
  } finally {
    if (app) await app.close();
    await mailer.stop();
    await database.close();
    if (schema && process.env.BENCH_KEEP === '1') log(`kept schema ${schema}`);
    else if (schema) {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    }
    if (process.env.BENCH_KEEP === '1') log(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
