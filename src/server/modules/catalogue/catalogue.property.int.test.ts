/**
 * Property test of the live catalogue (issue 10): a seeded random interleaving of the platform's catalogue writes
 * and of queries. After every step the API's answer equals a plain substring match computed over the database
 * (oracle.ts). Writes go through the HTTP API where the platform has a route (发布/提交/审核, 编辑, 停用/启用,
 * 单位信息), else through the indexer's entry points after a direct update, as bookings and imports do.
 *
 * CATALOGUE_SEED and CATALOGUE_STEPS change the seed (printed) and the number of steps. The ids of instruments
 * made through the API are random, so one seed repeats the same operations and texts, but ties by id may differ.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstrumentFields } from '../../../contracts/instruments';
import { OrgFields } from '../../../contracts/organizations';
import { RUN_STATUSES } from '../../../domain/instrument';
import { addMember, as, deptUser, instrumentBody, makeOrg, orgBody } from '../../test/factories';
import { Client, createTestApp, type TestApp } from '../../test/harness';
import { png, upload } from '../files/testing';
import { seedInstruments, type InstrumentSeed } from './fixtures';
import { catalogueChanged, reindexInstruments } from './indexer';
import {
  compareCursorWalk,
  compareOrgs,
  compareSearch,
  expected,
  normalise,
  queryString,
  readCatalogue,
  type Catalogue,
  type Query,
} from './oracle';
import { rng as seededRandom } from '../../test/random';

const SEED = Number(process.env.CATALOGUE_SEED ?? 20261205);
const STEPS = Number(process.env.CATALOGUE_STEPS ?? 400);

/** The seeded generator with the draws the steps use. */
function rng(seed: number) {
  const next = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
const R = rng(SEED);

// overlapping texts, so that 1–2 character terms hit many instruments
const NAME_A = [
  '场发射',
  '台式',
  '高分辨',
  '透射',
  '激光',
  '原子力',
  '气相',
  '液相',
  '离子',
  '核磁',
  'X射线',
  '万能',
  '工业',
  '实时荧光',
  '倒置',
  '显微',
];
const NAME_B = [
  '扫描电子显微镜',
  '扫描电镜',
  '显微镜',
  '色谱仪',
  '色谱-质谱联用仪',
  '拉曼光谱仪',
  '共振波谱仪',
  '衍射仪',
  '材料试验机',
  'CT',
  '定量PCR仪',
  '荧光显微镜',
];
const NAME_EN = [
  null,
  null,
  'Scanning Electron Microscope',
  'Microscope',
  'Spectrometer',
  'Gas Chromatograph',
  'X-ray Diffractometer',
  'ＦＵＬＬ Width Ｍｉｃｒｏ',
];
const MODELS = [
  'SU8010',
  'ＴＭ４０００Ｐｌｕｓ',
  'JEM-2100F',
  'LC-20AD',
  'ICS-5000+',
  'TSQ 9000',
  'AVANCE NEO 600',
  'D8 ADVANCE',
  'BX53',
  'A_B%C"D',
  'LSM 880',
  'su-70',
];
const MAKERS = [
  '日立高新技术公司',
  '日立',
  '日本电子株式会社',
  '布鲁克',
  'Bruker',
  '蔡司',
  '奥林巴斯',
  '安捷伦科技',
  '岛津',
  '赛默飞世尔',
  'Instron 英斯特朗',
  '电子仪器厂',
];
const SPECS = [
  '分辨率 1.0 nm',
  '扫描范围 90 μm',
  '检测器 FID、ECD',
  '二元高压梯度',
  '光谱检测 32 通道',
  '100% 有机相耐受',
  '含 a_b 字样',
  '放大倍数 20～800,000×',
  '最大载荷 100 kN',
  '显微成像与色谱分离',
  'ＵＳＢ　接口',
];
const FUNCS = [null, '形貌观察与能谱分析', '成分分析', '材料力学性能测试', '显微结构表征', '电子显微分析'];
const KINDS = [
  '010101',
  '010102',
  '010204',
  '010301',
  '010405',
  '010501',
  '010502',
  '010601',
  '010801',
  '010803',
  '011002',
  '020101',
  '020601',
  '150000',
];
const DATES = ['2012-12-12', '2015-03-01', '2018-05-10', '2018-05-10', '2020-01-15', '2021-06-01', '2023-03-03'];
const VALUES = [5_000_000, 49_999_999, 50_000_000, 99_999_999, 150_000_000, 380_000_000, 1_000_000_000, 1_200_000_000];
const ORG_WORDS = ['山东省', '青岛', '济南', '海洋', '材料', '分析测试', '检验检测', '光电', '研究院', '中心'];
const CITIES = ['370100', '370200', '370300', '370600'];

interface Org {
  id: string;
  city: string;
  admin: Client;
}
interface Mine {
  id: string;
  org: Org;
  state: 'listed' | 'draft' | 'pending' | 'rejected' | 'gone';
  text: string;
}

let t: TestApp;
let visitor: Client;
const orgs: Org[] = [];
const mine: Mine[] = [];
const reviewers = new Map<string, Client>();
let fieldCodes: string[] = [];
const db = () => t.database.db;

function genText() {
  return {
    name: R.pick(NAME_A) + R.pick(NAME_B),
    nameEn: R.pick(NAME_EN),
    model: R.pick(MODELS) + (R.chance(0.3) ? `-${R.int(1, 9)}` : ''),
    manufacturer: R.pick(MAKERS),
    specs: `${R.pick(SPECS)}；${R.pick(SPECS)}`,
    functions: R.pick(FUNCS),
  };
}
const someFields = () => fieldCodes.filter(() => R.chance(0.25));

/** A listed instrument written straight to the database and indexed (the factory's way), with unknown values at times. */
function genSeed(): InstrumentSeed {
  const listedState = R.chance(0.9);
  return {
    ...genText(),
    categoryCode: R.pick(KINDS),
    cityCode: R.chance(0.3) ? null : R.pick(CITIES),
    valueFen: R.chance(0.15) ? null : R.pick(VALUES),
    purchaseDate: R.chance(0.2) ? null : R.pick(DATES),
    serviceCount: R.int(0, 12),
    ratingSum: 0,
    ratingCount: 0,
    sharingMode: R.chance(0.2) ? 'internal' : 'external',
    runStatus: R.chance(0.7) ? '正常' : R.pick(RUN_STATUSES),
    isDisabled: R.chance(0.1),
    fields: someFields(),
    state: listedState ? 'listed' : R.pick(['draft', 'pending', 'rejected'] as const),
  };
}

async function seedSome(org: Org, n: number) {
  const seeds = Array.from({ length: n }, genSeed);
  const ids = await seedInstruments(t.database, org.id, seeds);
  ids.forEach((id, k) =>
    mine.push({
      id,
      org,
      state: seeds[k].state as Mine['state'],
      text: normalise(
        Object.values(seeds[k])
          .filter((v) => typeof v === 'string')
          .join(' '),
      ),
    }),
  );
  return `factory: ${n} in ${org.id.slice(-6)}`;
}

async function reviewer(city: string) {
  if (!reviewers.has(city)) reviewers.set(city, await as(t, await deptUser(t, city)));
  return reviewers.get(city)!;
}

/** 发布仪器 → 提交 → 审核 through the API; it ends listed, rejected, pending or as a draft. */
async function listThroughApi(org: Org) {
  const text = genText();
  const body = instrumentBody({
    ...text,
    functions: text.functions ?? '显微分析',
    categoryCode: R.pick(KINDS),
    serviceFields: someFields(),
    valueFen: R.pick(VALUES),
    purchaseDate: R.pick(DATES),
    startUseDate: null,
    cityCode: R.pick(CITIES),
    sharingMode: R.chance(0.2) ? 'internal' : 'external',
    runStatus: R.chance(0.7) ? '正常' : R.pick(RUN_STATUSES),
  });
  const created = await org.admin.post('/api/instruments', body);
  expect(created.statusCode, created.body).toBe(201);
  const m: Mine = {
    id: created.data.id,
    org,
    state: 'draft',
    text: normalise(Object.values(text).filter(Boolean).join(' ')),
  };
  mine.push(m);
  const end = R.pick(['listed', 'listed', 'listed', 'rejected', 'pending', 'draft'] as const);
  if (end === 'draft') return `api: draft ${m.id.slice(-6)} ${text.name}`;
  const submitted = await org.admin.post(`/api/instruments/${m.id}/submit`);
  expect(submitted.statusCode, submitted.body).toBe(200);
  m.state = 'pending';
  if (end === 'pending') return `api: pending ${m.id.slice(-6)} ${text.name}`;
  const open = await db()
    .selectFrom('reviews')
    .select('id')
    .where('subjectKind', '=', 'instrument')
    .where('subjectId', '=', m.id)
    .where('state', '=', 'pending')
    .executeTakeFirstOrThrow();
  const decided = await (
    await reviewer(org.city)
  ).post(
    `/api/reviews/${open.id}/decision`,
    end === 'listed' ? { action: 'approve' } : { action: 'reject', reason: '资料不全' },
  );
  expect(decided.statusCode, decided.body).toBe(200);
  m.state = end;
  return `api: ${end} ${m.id.slice(-6)} ${text.name}`;
}

const listedOnes = () => mine.filter((m) => m.state === 'listed');

/** 编辑 by the org admin: the whole record is sent back, with one to three things changed (blank required fields filled). */
async function edit(m: Mine) {
  const view = (await m.org.admin.get(`/api/instruments/${m.id}`)).data;
  const body: Record<string, unknown> = Object.fromEntries(
    Object.keys(InstrumentFields.shape).map((k) => [k, view[k]]),
  );
  const text = genText();
  const changes: Record<string, () => unknown> = {
    name: () => text.name,
    nameEn: () => text.nameEn,
    model: () => text.model,
    manufacturer: () => text.manufacturer,
    specs: () => text.specs,
    functions: () => text.functions ?? '功能',
    categoryCode: () => R.pick(KINDS),
    valueFen: () => R.pick(VALUES),
    purchaseDate: () => R.pick(DATES),
    cityCode: () => R.pick(CITIES),
    sharingMode: () => R.pick(['internal', 'external']),
    runStatus: () => R.pick(RUN_STATUSES),
    serviceFields: someFields,
  };
  const what = Array.from({ length: R.int(1, 3) }, () => R.pick(Object.keys(changes)));
  for (const k of what) body[k] = changes[k]();
  const fill: Record<string, unknown> = {
    model: 'M-1',
    manufacturer: '某仪器厂',
    valueFen: 1_000_000,
    purchaseDate: '2016-01-01',
    specs: '规格',
    functions: '功能',
    serviceContent: '测试服务',
    feeStandard: '100 元/次',
    cityCode: m.org.city,
    contactName: '王老师',
    contactPhone: '13905310001',
  };
  for (const [k, v] of Object.entries(fill)) if (body[k] == null || body[k] === '') body[k] = v;
  body.startUseDate = null;
  const res = await m.org.admin.put(`/api/instruments/${m.id}`, body);
  expect(res.statusCode, res.body).toBe(200);
  m.text = normalise(
    [body.name, body.nameEn, body.model, body.manufacturer, body.specs, body.functions].filter(Boolean).join(' '),
  );
  return `edit ${m.id.slice(-6)}: ${what.map((k) => `${k}=${JSON.stringify(body[k])}`).join(' ')}`;
}

async function toggle(m: Mine, c: Catalogue) {
  const action = c.byId.get(m.id)?.isDisabled ? 'enable' : 'disable';
  const res = await m.org.admin.post(`/api/instruments/${m.id}/${action}`);
  expect(res.statusCode, res.body).toBe(200);
  return `${action} ${m.id.slice(-6)}`;
}

/** 结算 and 评价 as bookings write them: counts and ratings of the booking's instruments, and catalogueChanged. */
async function counts(ms: Mine[]) {
  const ids = ms.map((m) => m.id);
  const how = R.pick(['settle', 'rate', 'set'] as const);
  const stars = R.int(1, 5),
    to = R.int(0, 15);
  await db()
    .transaction()
    .execute(async (trx) => {
      if (how === 'settle')
        await trx
          .updateTable('instruments')
          .set((eb) => ({ serviceCount: eb('serviceCount', '+', 1) }))
          .where('id', 'in', ids)
          .execute();
      else if (how === 'rate')
        await trx
          .updateTable('instruments')
          .set((eb) => ({ ratingSum: eb('ratingSum', '+', stars), ratingCount: eb('ratingCount', '+', 1) }))
          .where('id', 'in', ids)
          .execute();
      else await trx.updateTable('instruments').set({ serviceCount: to }).where('id', 'in', ids).execute();
      await catalogueChanged(trx, ids);
    });
  return `${how}${how === 'rate' ? ` ${stars}` : how === 'set' ? ` ${to}` : ''}: ${ids.map((id) => id.slice(-6)).join(' ')}`;
}

/** A picture added through the API (the card shows the first one), or the first one removed. */
async function picture(m: Mine) {
  const first = await db()
    .selectFrom('instrumentFiles')
    .select('fileId')
    .where('instrumentId', '=', m.id)
    .where('kind', '=', 'picture')
    .orderBy('sort')
    .executeTakeFirst();
  if (first && R.chance(0.5)) {
    const res = await m.org.admin.del(`/api/instruments/${m.id}/files/${first.fileId}`);
    expect(res.statusCode, res.body).toBe(200);
    return `picture removed from ${m.id.slice(-6)}`;
  }
  const res = await upload(m.org.admin, `/api/instruments/${m.id}/pictures`, await png(120, 80), 'p.png', 'image/png');
  expect(res.statusCode, res.body).toBe(201);
  return `picture added to ${m.id.slice(-6)}`;
}

/** No route takes a listed instrument out of the catalogue: it is deleted in the database and named to the indexer. */
async function remove(m: Mine) {
  await db()
    .transaction()
    .execute(async (trx) => {
      await trx.deleteFrom('instrumentFields').where('instrumentId', '=', m.id).execute();
      await trx.deleteFrom('instruments').where('id', '=', m.id).execute();
      await reindexInstruments(trx, t.database.dialect, [m.id]);
    });
  m.state = 'gone';
  return `remove ${m.id.slice(-6)}`;
}

/** 编辑单位信息: a new name (searched with every instrument), sometimes a new city (the city of instruments without their own). */
async function renameOrg(o: Org) {
  const view = (await o.admin.get('/api/orgs/mine')).data;
  const defaults = orgBody();
  const body: Record<string, unknown> = Object.fromEntries(
    Object.keys(OrgFields.shape).map((k) => [k, view[k] ?? (defaults as Record<string, unknown>)[k]]),
  );
  body.commitmentAccepted = true;
  body.name = `${R.pick(ORG_WORDS)}${R.pick(ORG_WORDS)}${R.pick(ORG_WORDS)}${R.int(1, 99)}`;
  if (R.chance(0.4)) body.cityCode = R.pick(CITIES);
  const res = await o.admin.put('/api/orgs/mine', body);
  expect(res.statusCode, res.body).toBe(200);
  o.city = body.cityCode as string;
  return `org ${o.id.slice(-6)}: ${body.name} in ${o.city}`;
}

/** A term of 1–4 characters cut from a text (no space in it), at times upper case or full-width. */
function termFrom(text: string): string {
  for (let k = 0; k < 10; k++) {
    const at = R.int(0, Math.max(0, text.length - 1));
    const term = text.slice(at, at + R.int(1, 4)).split(' ')[0];
    if (!term) continue;
    if (R.chance(0.15)) return term.toUpperCase();
    if (R.chance(0.1))
      return [...term]
        .map((ch) => (ch >= '!' && ch <= '~' ? String.fromCharCode(ch.charCodeAt(0) + 0xfee0) : ch))
        .join('');
    return term;
  }
  return '镜';
}

/** Recent queries: asked again (in another sort, direction or page at times), so that kept results are read after writes. */
const recent: Query[] = [];

function genQuery(c: Catalogue): Query {
  if (recent.length && R.chance(0.45)) {
    const again = { ...R.pick(recent) };
    if (R.chance(0.3)) again.sort = R.pick(['relevance', 'served', 'purchased'] as const);
    if (R.chance(0.3)) again.dir = R.pick(['asc', 'desc'] as const);
    if (R.chance(0.3)) again.page = R.int(1, 3);
    return again;
  }
  const q = fresh(c);
  recent.push(q);
  if (recent.length > 12) recent.shift();
  return q;
}

function fresh(c: Catalogue): Query {
  const q: Query = {};
  const texts = () => (R.chance(0.85) && c.listed.length ? R.pick(c.listed).searchText : R.pick(mine).text);
  const r = R.next();
  if (r < 0.45) q.q = termFrom(texts());
  else if (r < 0.6) q.q = `${termFrom(texts())} ${termFrom(texts())}`;
  else if (r < 0.65) q.q = R.pick(['不存在的词', 'qqzx', '%', '_', 'a_b', '"', '镜 qqzx']);
  else if (r < 0.7) q.q = termFrom(R.pick([...c.orgs.values()]).name);
  const some = c.listed.length ? R.pick(c.listed) : undefined;
  if (R.chance(0.12))
    q.category = R.pick([`${R.pick(KINDS).slice(0, 2)}0000`, `${R.pick(KINDS).slice(0, 4)}00`, R.pick(KINDS)]);
  if (R.chance(0.08)) q.field = R.chance(0.5) ? R.pick(fieldCodes) : c.fields.get(R.pick(fieldCodes));
  if (R.chance(0.12)) q.city = R.chance(0.6) ? R.pick(CITIES) : c.cities.get(R.pick(CITIES));
  if (R.chance(0.08)) q.org = some && R.chance(0.9) ? some.orgId : 'nobody';
  if (R.chance(0.08)) q.sharing = R.pick(['internal', 'external']);
  if (R.chance(0.06)) q.status = R.pick(RUN_STATUSES);
  if (R.chance(0.1)) {
    const [a, b] = [R.pick(VALUES), R.pick(VALUES)].sort((x, y) => x - y);
    if (R.chance(0.7)) q.valueMin = a;
    if (R.chance(0.7)) q.valueMax = b;
  }
  q.sort = R.pick([undefined, 'relevance', 'served', 'purchased'] as const);
  q.dir = R.pick([undefined, 'asc', 'desc'] as const);
  q.pageSize = R.pick([1, 3, 5, 10, 20, 50]);
  if (R.chance(0.3)) q.page = R.int(1, Math.ceil(c.listed.length / q.pageSize) + 1);
  return q;
}

/** A query that finds instrument m: a term of its text, at times with filters it passes. */
function probeFor(c: Catalogue, m: Mine): Query {
  const r = c.byId.get(m.id);
  if (!r) return fresh(c);
  const q: Query = {
    q: termFrom(r.searchText),
    sort: R.pick([undefined, 'relevance', 'served', 'purchased'] as const),
    dir: R.pick(['asc', 'desc'] as const),
    pageSize: R.pick([5, 20, 50]),
  };
  if (R.chance(0.25)) q.status = r.runStatus;
  if (R.chance(0.2)) q.sharing = r.sharingMode;
  if (R.chance(0.2)) q.city = r.city;
  if (R.chance(0.2)) q.category = `${r.categoryCode.slice(0, 2)}0000`;
  if (R.chance(0.15) && r.valueFen !== null) q.valueMin = r.valueFen;
  return q;
}

beforeAll(async () => {
  t = await createTestApp();
  visitor = new Client(t.app);
  fieldCodes = (await db().selectFrom('serviceFields').select('code').execute()).map((f) => f.code);
  const names = ['山东省分析测试中心', '青岛海洋材料研究院', '淄博检验检测中心', '烟台光电研究所', '济南材料测试中心'];
  for (const [k, name] of names.entries()) {
    const city = ['370100', '370200', '370300', '370600', '370100'][k];
    const { org } = await makeOrg(t, { cityCode: city, name });
    orgs.push({ id: org.id, city, admin: await as(t, await addMember(t, org.id, 'admin')) });
  }
  const known = await db()
    .selectFrom('categories')
    .select('code')
    .where('code', 'in', KINDS)
    .where('isEnabled', '=', true)
    .execute();
  expect(known.length).toBe(KINDS.length);
  for (const o of orgs) await seedSome(o, 14);
  for (let k = 0; k < 4; k++) await listThroughApi(orgs[k]);
});
afterAll(async () => {
  await t?.close();
});

describe('the catalogue under a random interleaving of writes and queries', () => {
  it(`equals a plain substring match over the database after every step (seed ${SEED}, ${STEPS} steps)`, async () => {
    console.log(
      `catalogue property test: seed ${SEED}, ${STEPS} steps (set CATALOGUE_SEED, CATALOGUE_STEPS to change)`,
    );
    const started = Date.now();
    const log: string[] = [];
    const tally: Record<string, number> = {};
    const fail = (step: number, problems: string[]) => {
      throw new Error(
        `seed ${SEED}, step ${step}: the catalogue differs from the substring match\n${problems.slice(0, 12).join('\n')}\nlast steps:\n${log.slice(-10).join('\n')}`,
      );
    };
    let c = await readCatalogue(db());
    for (let step = 1; step <= STEPS; step++) {
      const listed = listedOnes();
      const r = R.next();
      let target: Mine[] = [];
      let write: (() => Promise<string>) | null = null;
      if (r < 0.05) write = () => listThroughApi(R.pick(orgs));
      else if (r < 0.08) write = () => seedSome(R.pick(orgs), R.int(1, 3));
      else if (r < 0.14 && listed.length) {
        target = [R.pick(listed)];
        write = () => toggle(target[0], c);
      } else if (r < 0.23 && listed.length) {
        target = [R.pick(listed)];
        write = () => edit(target[0]);
      } else if (r < 0.32 && listed.length) {
        target = Array.from({ length: R.int(1, 3) }, () => R.pick(listed));
        write = () => counts(target);
      } else if (r < 0.35 && listed.length > 40) {
        target = [R.pick(listed)];
        write = () => remove(target[0]);
      } else if (r < 0.37) write = () => renameOrg(R.pick(orgs));
      else if (r < 0.4 && listed.length) {
        target = [R.pick(listed)];
        write = () => picture(target[0]);
      }
      // a probe: a query that finds the written instrument, asked before the write (so that its result is kept) and after
      const probe = target.length && R.chance(0.6) ? probeFor(c, target[0]) : null;
      if (probe) {
        log.push(`${step}: probe ${decodeURIComponent(queryString(probe))}`);
        const before = await compareSearch(visitor, c, probe);
        if (before.length) fail(step, before);
      }
      if (write) {
        const wrote = await write();
        log.push(`${step}: ${wrote}`);
        const kind = wrote.split(/[ :]/)[0];
        tally[kind] = (tally[kind] ?? 0) + 1;
        c = await readCatalogue(db());
        if (c.stale.length) fail(step, c.stale);
      }
      const q = probe
        ? { ...probe, ...(R.chance(0.3) ? { sort: R.pick(['relevance', 'served', 'purchased'] as const) } : {}) }
        : genQuery(c);
      const m = R.next();
      const mode = probe ? (m < 0.8 ? 'page' : 'orgs') : m < 0.1 ? 'cursor' : m < 0.2 ? 'orgs' : 'page';
      if (mode === 'cursor') {
        q.page = undefined;
        q.pageSize = Math.max(q.pageSize!, 5);
      }
      const hits = expected(c, q).order.length;
      for (const k of [
        `query:${mode}`,
        hits === 0 ? 'hits:0' : hits < 5 ? 'hits:1-4' : hits < 20 ? 'hits:5-19' : 'hits:20+',
      ])
        tally[k] = (tally[k] ?? 0) + 1;
      log.push(`${step}: ${mode} ${decodeURIComponent(queryString(q))}`);
      const problems =
        mode === 'cursor'
          ? await compareCursorWalk(visitor, c, q)
          : mode === 'orgs'
            ? await compareOrgs(visitor, c, q)
            : await compareSearch(visitor, c, q);
      if (problems.length) fail(step, problems);
    }
    // every sort in both directions over the whole catalogue and a broad term, page by page with the cursor
    for (const q of ['', '镜', '色谱']) {
      for (const sort of ['relevance', 'served', 'purchased'] as const) {
        for (const dir of ['asc', 'desc'] as const) {
          const problems = await compareCursorWalk(visitor, c, { q: q || undefined, sort, dir, pageSize: 7 });
          if (problems.length) fail(STEPS + 1, [`${q} ${sort} ${dir}`, ...problems]);
        }
      }
    }
    console.log(
      `catalogue property test: seed ${SEED}, ${STEPS} steps in ${((Date.now() - started) / 1000).toFixed(1)} s on ${t.database.dialect}; ${c.listed.length} listed at the end; ${JSON.stringify(tally)}`,
    );
  }, 180_000);
});
