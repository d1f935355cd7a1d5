/**
 * Two app instances on one database (issue 10): each has its own Database object, hence its own in-memory
 * catalogue, as two server processes behind a proxy have. A catalogue write made on one instance shows in search
 * on the same instance at once, and on the other within 1 s; both then equal a plain substring match over the
 * database (oracle.ts). Runs on SQLite (two connections to one file) and on PostgreSQL (one schema).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstrumentFields } from '../../../contracts/instruments';
import { OrgFields } from '../../../contracts/organizations';
import { addMember, as, deptUser, instrumentBody, makeOrg, orgBody } from '../../test/factories';
import { Client, createSecondInstance, createTestApp, type TestApp } from '../../test/harness';
import { png, upload } from '../files/testing';
import { seedInstruments, type InstrumentSeed } from './fixtures';
import { cacheStats } from './feed';
import { catalogueChanged, reindexInstruments } from './indexer';
import { buildSearchText } from './text';
import { compareOrgs, compareSearch, readCatalogue, type Query } from './oracle';

const WAIT_MS = 1000;

interface Side {
  name: 'A' | 'B';
  t: TestApp;
  visitor: Client;
  admins: Client[];
  reviewer: Client;
}
let a: Side, b: Side;
const orgIds: string[] = [];
const ids: string[] = [];
/** the longest time the other instance took to show a write, and the writes it did not show at the first look */
let slowest = 0;
const late: string[] = [];

const SEEDS: InstrumentSeed[] = [
  {
    name: '场发射扫描电子显微镜',
    nameEn: 'Scanning Electron Microscope',
    model: 'SU8010',
    manufacturer: '日立',
    specs: '分辨率 1.0 nm',
    serviceCount: 12,
    purchaseDate: '2018-05-10',
    valueFen: 380_000_000,
    categoryCode: '010102',
    fields: ['F03'],
  },
  {
    name: '台式扫描电镜',
    model: 'ＴＭ４０００',
    manufacturer: '日立',
    specs: '放大倍数 10～100,000×',
    serviceCount: 4,
    purchaseDate: '2020-01-15',
    valueFen: 90_000_000,
    categoryCode: '010102',
    cityCode: '370200',
  },
  {
    name: '透射电子显微镜',
    model: 'JEM-2100F',
    manufacturer: '日本电子',
    specs: '点分辨率 0.19 nm',
    serviceCount: 30,
    purchaseDate: null,
    valueFen: 1_200_000_000,
    categoryCode: '010101',
  },
  {
    name: '气相色谱仪',
    model: '7890B',
    manufacturer: '安捷伦',
    specs: '检测器 FID',
    serviceCount: 8,
    purchaseDate: '2017-04-20',
    valueFen: 45_000_000,
    categoryCode: '010501',
    fields: ['F09'],
  },
  {
    name: '高效液相色谱仪',
    model: 'LC-20AD',
    manufacturer: '岛津',
    specs: '二元高压梯度',
    serviceCount: 8,
    purchaseDate: '2016-11-11',
    valueFen: null,
    categoryCode: '010502',
    sharingMode: 'internal',
  },
  {
    name: '万能材料试验机',
    model: '5982',
    manufacturer: 'Instron 英斯特朗',
    specs: '最大载荷 100 kN',
    serviceCount: 3,
    purchaseDate: '2013-05-05',
    valueFen: 160_000_000,
    categoryCode: '020101',
    runStatus: '待机',
  },
  {
    name: '激光共聚焦显微镜',
    model: 'LSM 880',
    manufacturer: '蔡司',
    specs: '光谱检测 32 通道',
    serviceCount: 7,
    purchaseDate: '2019-09-09',
    valueFen: 260_000_000,
    categoryCode: '010801',
    isDisabled: true,
  },
  {
    name: '核磁共振波谱仪',
    nameEn: 'NMR Spectrometer',
    model: 'AVANCE NEO 600',
    manufacturer: 'Bruker',
    specs: '600 MHz',
    serviceCount: 6,
    purchaseDate: '2019-12-12',
    valueFen: 900_000_000,
    categoryCode: '010601',
  },
];

/** Queries whose answers a catalogue write can change: the whole catalogue in every sort, a few terms and filters. */
function queries(terms: string[]): Query[] {
  return [
    { sort: 'served', pageSize: 100 },
    { sort: 'served', dir: 'asc', pageSize: 7, page: 2 },
    { sort: 'purchased', pageSize: 100 },
    { sort: 'purchased', dir: 'asc', pageSize: 100 },
    { q: '镜', pageSize: 100 },
    { q: '色谱 仪', dir: 'asc', pageSize: 100 },
    { q: '显微', city: '370200' },
    { category: '010000', sort: 'served', pageSize: 100 },
    { valueMin: 50_000_000, valueMax: 500_000_000, pageSize: 100 },
    { org: orgIds[1], pageSize: 100 },
    ...terms.flatMap((q): Query[] => [
      { q, pageSize: 100 },
      { q, sort: 'served', dir: 'asc', pageSize: 100 },
    ]),
  ];
}

/** Problems of one instance against the database, for every query and 按单位. */
async function problemsOf(side: Side, terms: string[]): Promise<string[]> {
  const c = await readCatalogue(a.t.database.db);
  const out = [...c.stale];
  for (const q of queries(terms))
    out.push(...(await compareSearch(side.visitor, c, q)).map((p) => `${JSON.stringify(q)}: ${p}`));
  out.push(...(await compareOrgs(side.visitor, c, {})).map((p) => `orgs: ${p}`));
  out.push(...(await compareOrgs(side.visitor, c, { q: terms[0] })).map((p) => `orgs ${terms[0]}: ${p}`));
  return out;
}

function fail(what: string, problems: string[]): never {
  throw new Error(
    `${what}: the catalogue differs from the substring match (${problems.length} problems)\n${problems.slice(0, 10).join('\n')}`,
  );
}

/** After a write on `writer`: right at once there, and within WAIT_MS on the other instance. */
async function visible(writer: Side, what: string, terms: string[]) {
  const same = await problemsOf(writer, terms);
  if (same.length) fail(`${what}: instance ${writer.name} itself`, same);
  await within(writer === a ? b : a, what, terms);
}

/** A look at `side` that starts within WAIT_MS of the write must find it. */
async function within(side: Side, what: string, terms: string[]) {
  const start = Date.now();
  for (let attempt = 0; ; attempt++) {
    const lookedAt = Date.now() - start;
    const problems = await problemsOf(side, terms);
    if (!problems.length) {
      slowest = Math.max(slowest, lookedAt);
      return;
    }
    if (!attempt) late.push(`${what}, at first: ${problems[0]}`);
    if (Date.now() - start > WAIT_MS) fail(`${what}: instance ${side.name}, after ${Date.now() - start} ms`, problems);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function edit(side: Side, org: number, id: string, change: Record<string, unknown>) {
  const admin = side.admins[org];
  const view = (await admin.get(`/api/instruments/${id}`)).data;
  const body: Record<string, unknown> = Object.fromEntries(
    Object.keys(InstrumentFields.shape).map((k) => [k, view[k]]),
  );
  const fill: Record<string, unknown> = {
    model: 'M-1',
    manufacturer: '某仪器厂',
    valueFen: 1_000_000,
    purchaseDate: '2016-01-01',
    specs: '规格',
    functions: '功能',
    serviceContent: '测试服务',
    feeStandard: '100 元/次',
    cityCode: '370100',
    contactName: '王老师',
    contactPhone: '13905310001',
  };
  for (const [k, v] of Object.entries(fill)) if (body[k] == null || body[k] === '') body[k] = v;
  const res = await admin.put(`/api/instruments/${id}`, { ...body, startUseDate: null, ...change });
  expect(res.statusCode, res.body).toBe(200);
}

async function list(side: Side, org: number, fields: Record<string, unknown>) {
  const created = await side.admins[org].post('/api/instruments', instrumentBody({ startUseDate: null, ...fields }));
  expect(created.statusCode, created.body).toBe(201);
  const id = created.data.id as string;
  expect((await side.admins[org].post(`/api/instruments/${id}/submit`)).statusCode).toBe(200);
  const open = await a.t.database.db
    .selectFrom('reviews')
    .select('id')
    .where('subjectId', '=', id)
    .where('state', '=', 'pending')
    .executeTakeFirstOrThrow();
  const decided = await side.reviewer.post(`/api/reviews/${open.id}/decision`, { action: 'approve' });
  expect(decided.statusCode, decided.body).toBe(200);
  ids.push(id);
  return id;
}

async function toggle(side: Side, org: number, id: string, action: 'disable' | 'enable') {
  const res = await side.admins[org].post(`/api/instruments/${id}/${action}`);
  expect(res.statusCode, res.body).toBe(200);
}

/** 结算 / 评价 as bookings write them, on the writer's own database connection. */
async function counts(side: Side, changed: string[], set: 'settle' | 'rate' | number) {
  await side.t.database.db.transaction().execute(async (trx) => {
    const q = trx.updateTable('instruments').where('id', 'in', changed);
    if (set === 'settle') await q.set((eb) => ({ serviceCount: eb('serviceCount', '+', 1) })).execute();
    else if (set === 'rate')
      await q.set((eb) => ({ ratingSum: eb('ratingSum', '+', 4), ratingCount: eb('ratingCount', '+', 1) })).execute();
    else await q.set({ serviceCount: set }).execute();
    await catalogueChanged(trx, changed);
  });
}

async function side(
  name: 'A' | 'B',
  t: TestApp,
  admins: { username: string | null }[],
  reviewer: { username: string | null },
): Promise<Side> {
  const visitor = new Client(t.app);
  return { name, t, visitor, admins: await Promise.all(admins.map((u) => as(t, u))), reviewer: await as(t, reviewer) };
}

beforeAll(async () => {
  const first = await createTestApp();
  const second = await createSecondInstance(first);
  const users = [];
  for (const [k, city] of ['370100', '370200', '370100'].entries()) {
    const { org } = await makeOrg(first, {
      cityCode: city,
      affiliation: 'province',
      name: ['山东省分析测试中心', '青岛海洋材料研究院', '济南检验检测中心'][k],
    });
    orgIds.push(org.id);
    users.push(await addMember(first, org.id, 'admin'));
  }
  // provincial units: the province reviews their instruments, wherever they move
  const province = await deptUser(first, '370000');
  a = await side('A', first, users, province);
  b = await side('B', second, users, province);
  for (const [k, orgId] of orgIds.entries())
    ids.push(
      ...(await seedInstruments(
        first.database,
        orgId,
        SEEDS.map((s, i) => ({ ...s, serviceCount: (s.serviceCount ?? 0) + i * k })),
      )),
    );
});
afterAll(async () => {
  await b?.t.close();
  await a?.t.close();
});

describe('two instances on one database', () => {
  it('start equal to the substring match', async () => {
    await visible(a, 'start', ['扫描', 'su8010']);
    await visible(b, 'start', ['扫描', 'su8010']);
  });

  it('show edits, listings, 停用/启用, counts, renames and removals made on the other instance', async () => {
    // A edits, B sees it
    await edit(a, 0, ids[0], { name: '热场发射扫描电子显微镜', model: 'SU7000' });
    await visible(a, 'A: edit name and model', ['热场', 'su7000', 'su8010', '扫描']);
    // B edits the specifications and the category of another, A sees it
    await edit(b, 1, ids[SEEDS.length + 3], {
      specs: '检测器 ECD；新的色谱柱',
      categoryCode: '010502',
      purchaseDate: '2022-02-02',
    });
    await visible(b, 'B: edit specs', ['ecd', '色谱柱', 'fid']);
    // a listing on each
    const onA = await list(a, 0, {
      name: '显微拉曼光谱仪',
      model: 'LabRAM HR',
      manufacturer: 'Horiba',
      specs: '拉曼成像',
      valueFen: 200_000_000,
      purchaseDate: '2021-01-01',
    });
    await visible(a, 'A: list', ['拉曼', 'labram', '显微']);
    await list(b, 2, {
      name: '体视显微镜',
      model: 'SZX16',
      manufacturer: '奥林巴斯',
      specs: '体视观察',
      valueFen: 20_000_000,
      purchaseDate: '2014-04-04',
    });
    await visible(b, 'B: list', ['体视', 'szx16', '显微镜']);
    // 停用 on A, 启用 on B
    await toggle(a, 0, onA, 'disable');
    await visible(a, 'A: disable', ['拉曼']);
    await toggle(b, 0, onA, 'enable');
    await visible(b, 'B: enable', ['拉曼']);
    // a picture added on A (the card shows it), removed on B
    const pic = await upload(a.admins[0], `/api/instruments/${onA}/pictures`, await png(120, 80), 'p.png', 'image/png');
    expect(pic.statusCode, pic.body).toBe(201);
    await visible(a, 'A: add a picture', ['拉曼']);
    expect((await b.admins[0].del(`/api/instruments/${onA}/files/${pic.data.id}`)).statusCode).toBe(200);
    await visible(b, 'B: remove the picture', ['拉曼']);
    // counts and ratings through each instance's own connection
    await counts(a, [ids[1], ids[SEEDS.length + 1]], 'settle');
    await visible(a, 'A: settle', ['扫描电镜']);
    await counts(b, [ids[2]], 'rate');
    await visible(b, 'B: rate', ['透射']);
    await counts(b, [ids[5], ids[2 * SEEDS.length + 5]], 99);
    await visible(b, 'B: service count 99', ['试验机']);
    // an organisation renamed on B (and moved to another city): its name is searched with its instruments
    const admin = b.admins[2];
    const view = (await admin.get('/api/orgs/mine')).data;
    const defaults = orgBody() as Record<string, unknown>;
    const body = Object.fromEntries(Object.keys(OrgFields.shape).map((k) => [k, view[k] ?? defaults[k]]));
    const renamed = await admin.put('/api/orgs/mine', {
      ...body,
      commitmentAccepted: true,
      name: '淄博光电研究院',
      cityCode: '370300',
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    await visible(b, 'B: rename organisation', ['淄博', '光电', '检验检测']);
    // a removal, named to the indexer on A's connection
    await a.t.database.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('instrumentFields').where('instrumentId', '=', ids[3]).execute();
      await trx.deleteFrom('instruments').where('id', '=', ids[3]).execute();
      await reindexInstruments(trx, a.t.database.dialect, [ids[3]]);
    });
    await visible(a, 'A: remove', ['气相', '7890b']);
  });

  it('stay equal through alternating writes on both', async () => {
    const names = ['原子力显微镜', '离子色谱仪', 'X射线衍射仪', '工业CT', '扫描探针显微镜', '液相色谱-质谱联用仪'];
    for (let k = 0; k < 24; k++) {
      const writer = k % 2 ? b : a;
      const org = k % 3;
      const id = ids.filter((x) => x !== ids[3])[(k * 7) % (ids.length - 1)];
      const owner = (
        await a.t.database.db.selectFrom('instruments').select('orgId').where('id', '=', id).executeTakeFirstOrThrow()
      ).orgId;
      const mine = orgIds.indexOf(owner);
      const kind = k % 4;
      if (kind === 0) await edit(writer, mine, id, { name: names[k % names.length], model: `M${k}-X` });
      else if (kind === 1) await counts(writer, [id], k);
      else if (kind === 2) {
        const disabled = !!(
          await a.t.database.db
            .selectFrom('instruments')
            .select('isDisabled')
            .where('id', '=', id)
            .executeTakeFirstOrThrow()
        ).isDisabled;
        await toggle(writer, mine, id, disabled ? 'enable' : 'disable');
      } else
        await list(writer, org, {
          name: `${names[k % names.length]}${k}`,
          model: `L${k}`,
          valueFen: 10_000_000 * k,
          purchaseDate: `20${10 + (k % 10)}-01-01`,
        });
      await visible(writer, `${writer.name}: write ${k} (${['edit', 'count', 'toggle', 'list'][kind]})`, [
        names[k % names.length].slice(0, 2),
        `m${k}`,
        `l${k}`,
      ]);
    }
  });

  it('stay equal after writes on both made at once, while both are searched', async () => {
    const live = async () => (await readCatalogue(a.t.database.db)).listed;
    for (let k = 0; k < 8; k++) {
      const rows = await live();
      const x = rows[(k * 5) % rows.length],
        y = rows[(k * 11 + 3) % rows.length];
      const searches = (s: Side) =>
        ['镜', '色谱', '', `m${k}`].map((q) =>
          s.visitor.get(`/api/catalogue/instruments?q=${encodeURIComponent(q)}&sort=served`),
        );
      const results = await Promise.all([
        edit(a, orgIds.indexOf(x.orgId), x.id, { name: `并发显微镜${k}`, model: `M${k}-C` }),
        counts(b, [y.id, x.id], 'settle'),
        toggle(b, orgIds.indexOf(y.orgId), y.id, y.isDisabled ? 'enable' : 'disable'),
        ...searches(a),
        ...searches(b),
      ]);
      for (const r of results) if (r && 'statusCode' in r) expect(r.statusCode).toBe(200);
      // each instance made one of the writes: within WAIT_MS both show all of them
      await within(a, `at once ${k}`, ['并发', `m${k}-c`, '显微镜']);
      await within(b, `at once ${k}`, ['并发', `m${k}-c`, '显微镜']);
    }
    console.log(
      `two instances on ${a.t.database.dialect}: the other instance showed each write in a look started ${slowest} ms after it at the latest; not at the first look: ${late.length}\n${late.join('\n')}`,
    );
  });

  it('show a write made by another process, which this one was not told of, within a second, without a rebuild', async () => {
    // what another server process does: the write and its feed entry in one transaction, straight to the database
    // (no wroteLocally in this process), so only the instances' timers can find it
    const db = a.t.database.db;
    const row = (await readCatalogue(db)).listed[0];
    const rebuilds = [cacheStats(a.t.database.db).rebuilds, cacheStats(b.t.database.db).rebuilds];
    const marker = `外进程${Date.now() % 100_000}`;
    // both instances hold every write this process made
    for (const side of [a, b])
      expect((await side.visitor.get(`/api/catalogue/instruments?q=${encodeURIComponent(marker)}`)).data.total).toBe(0);
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('instruments').set({ name: marker, searchText: '' }).where('id', '=', row.id).execute();
      const text = buildSearchText({
        ...(await trx
          .selectFrom('instruments')
          .innerJoin('organizations', 'organizations.id', 'instruments.orgId')
          .select([
            'instruments.name',
            'instruments.nameEn',
            'instruments.model',
            'instruments.manufacturer',
            'instruments.specs',
            'instruments.functions',
            'organizations.name as orgName',
          ])
          .where('instruments.id', '=', row.id)
          .executeTakeFirstOrThrow()),
      });
      await trx.updateTable('instruments').set({ searchText: text }).where('id', '=', row.id).execute();
      const head = await trx
        .updateTable('catalogueFeed')
        .set((eb) => ({ seq: eb('seq', '+', 1) }))
        .where('id', '=', 1)
        .returning('seq')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('catalogueChanges')
        .values({ seq: Number(head.seq), instrumentId: row.id, changedAt: new Date().toISOString() })
        .execute();
    });
    const t0 = Date.now();
    for (const side of [a, b]) {
      for (;;) {
        const res = await side.visitor.get(`/api/catalogue/instruments?q=${encodeURIComponent(marker)}`);
        if (res.data.total === 1) break;
        expect(Date.now() - t0, `${side.name} shows the other process's write`).toBeLessThan(WAIT_MS);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    for (const side of [a, b]) {
      const p = await problemsOf(side, [marker.slice(0, 3)]);
      if (p.length) fail(`${side.name} after another process's write`, p);
    }
    expect([cacheStats(a.t.database.db).rebuilds, cacheStats(b.t.database.db).rebuilds]).toEqual(rebuilds);
  });
});
