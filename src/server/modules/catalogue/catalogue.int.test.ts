import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, Client, type TestApp } from '../../test/harness';
import { makeOrg } from '../../test/factories';
import { seedInstruments, type InstrumentSeed } from './fixtures';
import { catalogueChanged, reindexInstrument, reindexOrganization } from './indexer';
import { newCaches } from './cache';
import { cacheStats, readHead, snapshot } from './feed';
import { termHits } from './match';
import { build, type Snapshot } from './snapshot';

/** A fresh build of the catalogue as it is now, to compare a patched snapshot with. */
const buildSnapshot = async (db: Parameters<typeof build>[0]) => build(db, await readHead(db), newCaches(true));
import { containsPattern as likePattern } from '../../db/like';
import { queryTerms } from './text';

let t: TestApp;
let visitor: Client;
const org = {} as Record<'jn' | 'qd' | 'zb', { id: string; name: string }>;
const ids = {} as Record<string, string>;

/** name → seed; the names are the handles the tests use. */
const LISTED: Record<string, InstrumentSeed> = {
  sem: {
    name: '场发射扫描电子显微镜',
    nameEn: 'Field Emission Scanning Electron Microscope',
    model: 'SU8010',
    manufacturer: '日立高新技术公司',
    categoryCode: '010102',
    specs: '二次电子分辨率 1.0 nm；扫描电镜常规表征',
    functions: '形貌观察与能谱分析',
    valueFen: 380_000_000,
    purchaseDate: '2018-05-10',
    serviceCount: 120,
    fields: ['F03', 'F02'],
    cityCode: '370100',
  },
  sem2: {
    name: '台式扫描电镜',
    model: 'ＴＭ４０００Ｐｌｕｓ',
    manufacturer: '日立',
    categoryCode: '010102',
    specs: '放大倍数 10～100,000×',
    valueFen: 90_000_000,
    purchaseDate: '2020-01-15',
    serviceCount: 40,
    fields: ['F03'],
  },
  tem: {
    name: '透射电子显微镜',
    nameEn: 'Transmission Electron Microscope',
    model: 'JEM-2100F',
    manufacturer: '日本电子株式会社',
    categoryCode: '010101',
    specs: '点分辨率 0.19 nm',
    valueFen: 1_200_000_000,
    purchaseDate: '2015-03-01',
    serviceCount: 300,
    fields: ['F03', 'F05'],
  },
  afm: {
    name: '原子力显微镜',
    model: 'Dimension Icon',
    manufacturer: '布鲁克',
    categoryCode: '010802',
    specs: '扫描范围 90 μm',
    valueFen: 150_000_000,
    purchaseDate: null,
    serviceCount: 12,
    fields: ['F03'],
    sharingMode: 'internal',
  },
  confocal: {
    name: '激光共聚焦显微镜',
    model: 'LSM 880',
    manufacturer: '蔡司',
    categoryCode: '010801',
    specs: '光谱检测 32 通道',
    valueFen: 260_000_000,
    purchaseDate: '2019-09-09',
    serviceCount: 75,
    fields: ['F05'],
    runStatus: '待机',
  },
  optical: {
    name: '研究级正置显微镜',
    nameEn: 'Upright Microscope',
    model: 'BX53',
    manufacturer: '奥林巴斯',
    categoryCode: '010803',
    valueFen: 30_000_000,
    purchaseDate: '2021-06-01',
    serviceCount: 5,
  },
  gc: {
    name: '气相色谱仪',
    model: '7890B',
    manufacturer: '安捷伦科技',
    categoryCode: '010501',
    specs: '检测器 FID、ECD，柱温箱 450 ℃',
    valueFen: 45_000_000,
    purchaseDate: '2017-04-20',
    serviceCount: 88,
    fields: ['F09', 'F08'],
  },
  hplc: {
    name: '高效液相色谱仪',
    model: 'LC-20AD',
    manufacturer: '岛津',
    categoryCode: '010502',
    specs: '二元高压梯度，100% 有机相耐受',
    valueFen: 38_000_000,
    purchaseDate: '2016-11-11',
    serviceCount: 88,
    fields: ['F09'],
  },
  ic: {
    name: '离子色谱仪',
    model: 'ICS-5000+',
    manufacturer: '赛默飞世尔',
    categoryCode: '010503',
    specs: '抑制电导检测',
    valueFen: 55_000_000,
    purchaseDate: '2022-02-02',
    serviceCount: 10,
    fields: ['F08'],
  },
  gcms: {
    name: '气相色谱-质谱联用仪',
    model: 'TSQ 9000',
    manufacturer: '赛默飞世尔',
    categoryCode: '010204',
    specs: '三重四极杆，电子轰击源',
    valueFen: 320_000_000,
    purchaseDate: '2023-03-03',
    serviceCount: 0,
    fields: ['F09', 'F05'],
  },
  nmr: {
    name: '核磁共振波谱仪',
    nameEn: 'NMR Spectrometer',
    model: 'AVANCE NEO 600',
    manufacturer: 'Bruker',
    categoryCode: '010601',
    specs: '600 MHz，配低温探头',
    valueFen: 900_000_000,
    purchaseDate: '2019-12-12',
    serviceCount: 60,
    fields: ['F05', 'F06'],
  },
  xrd: {
    name: 'X射线衍射仪',
    model: 'D8 ADVANCE',
    manufacturer: '布鲁克',
    categoryCode: '010301',
    specs: '测角仪半径 ≥ 200 mm，铜靶',
    valueFen: 110_000_000,
    purchaseDate: '2014-08-08',
    serviceCount: 150,
    fields: ['F03'],
  },
  utm: {
    name: '万能材料试验机',
    model: '5982',
    manufacturer: 'Instron 英斯特朗',
    categoryCode: '020101',
    specs: '最大载荷 100 kN；配高温炉与视频引伸计',
    valueFen: 160_000_000,
    purchaseDate: '2013-05-05',
    serviceCount: 33,
    fields: ['F02'],
    runStatus: '偶有故障',
  },
  ct: {
    name: '工业CT',
    model: 'phoenix v|tome|x m',
    manufacturer: '通用电气',
    categoryCode: '020601',
    specs: '微焦点射线源 300 kV',
    valueFen: 700_000_000,
    purchaseDate: '2020-10-10',
    serviceCount: 21,
    fields: ['F02'],
  },
  pcr: {
    name: '实时荧光定量PCR仪',
    model: 'QuantStudio 5',
    manufacturer: '赛默飞世尔',
    categoryCode: '011002',
    specs: '96 孔，5 色荧光检测',
    valueFen: 35_000_000,
    purchaseDate: '2021-01-01',
    serviceCount: 99,
    fields: ['F05', 'F09'],
  },
  // special characters: LIKE wildcards and FTS syntax must be taken literally
  odd: {
    name: '特殊符号测试仪',
    model: 'A_B%C"D',
    manufacturer: '测试厂',
    categoryCode: '150000',
    specs: '含有 100% 与 a_b 字样',
    valueFen: 21_000_000,
    purchaseDate: '2012-12-12',
    serviceCount: 1,
  },
  disabled: {
    name: '倒置荧光显微镜',
    model: 'IX73',
    manufacturer: '奥林巴斯',
    categoryCode: '010803',
    specs: '荧光与相差观察',
    valueFen: 40_000_000,
    purchaseDate: '2018-01-01',
    serviceCount: 50,
    isDisabled: true,
    fields: ['F05'],
  },
};
const PER_ORG: Record<keyof typeof org, string[]> = {
  jn: ['sem', 'tem', 'afm', 'gc', 'nmr', 'odd', 'disabled'],
  qd: ['sem2', 'confocal', 'hplc', 'ic', 'xrd', 'ct'],
  zb: ['optical', 'gcms', 'utm', 'pcr'],
};
/** never in the catalogue, although their texts match the queries */
const HIDDEN: Record<string, InstrumentSeed> = {
  draft: { name: '草稿扫描电子显微镜', model: 'SU8010', state: 'draft', specs: '色谱 显微 镜' },
  pending: { name: '待审核气相色谱仪', model: 'SU8010', state: 'pending', specs: 'microscope 色谱' },
  rejected: { name: '未通过透射电镜', model: 'SU8010', state: 'rejected', specs: '显微镜 microscope' },
};

async function listedLike(terms: string[]): Promise<string[]> {
  let q = t.database.db.selectFrom('instruments').select('id').where('state', '=', 'listed');
  for (const term of terms) q = q.where(sql<boolean>`search_text like ${likePattern(term)} escape '\\'`);
  return (await q.execute()).map((r) => r.id).sort();
}

async function all(query: string): Promise<any[]> {
  const out: any[] = [];
  for (let page = 1; ; page++) {
    const res = await visitor.get(`/api/catalogue/instruments?${query}${query ? '&' : ''}pageSize=5&page=${page}`);
    expect(res.statusCode, res.body).toBe(200);
    out.push(...res.data.items);
    if (res.data.items.length < 5) break;
  }
  return out;
}
const enc = encodeURIComponent;
const handle = (id: string) => Object.entries(ids).find(([, v]) => v === id)?.[0];

beforeAll(async () => {
  t = await createTestApp();
  visitor = new Client(t.app);
  org.jn = (await makeOrg(t, { cityCode: '370100', name: '山东省分析测试中心' })).org;
  org.qd = (await makeOrg(t, { cityCode: '370200', name: '青岛海洋材料研究院' })).org;
  org.zb = (await makeOrg(t, { cityCode: '370300', name: '淄博检验检测中心' })).org;
  for (const [o, names] of Object.entries(PER_ORG) as [keyof typeof org, string[]][]) {
    const got = await seedInstruments(
      t.database,
      org[o].id,
      names.map((n) => LISTED[n]),
    );
    names.forEach((n, k) => {
      ids[n] = got[k];
    });
  }
  const hidden = await seedInstruments(t.database, org.jn.id, Object.values(HIDDEN));
  Object.keys(HIDDEN).forEach((n, k) => {
    ids[n] = hidden[k];
  });
});
afterAll(async () => {
  await t?.close();
});

describe('keyword search equals a substring match', () => {
  const QUERIES = [
    '镜',
    '谱',
    '显微',
    '色谱',
    '电镜',
    '微镜',
    '扫描电镜',
    '电子显微镜',
    '显微镜',
    '色谱仪',
    'SU8010',
    'su8010',
    'ＳＵ８０１０',
    'TM4000',
    'microscope',
    'Microscope',
    'nmr',
    'x射线',
    'X射线',
    'jem-2100f',
    '-',
    '2100',
    '日立',
    '赛默飞世尔',
    '山东省分析测试中心',
    '青岛',
    '显微 日立',
    '色谱 赛默',
    '镜 奥林巴斯 ix73',
    '100%',
    '%',
    '_',
    'a_b',
    'b%c"d',
    '"',
    'v|tome',
    '不存在的词语',
    'zz',
  ];
  it.each(QUERIES)('%s', async (q) => {
    const expected = await listedLike(queryTerms(q));
    const got = await all(`q=${enc(q)}`);
    const gotIds = got.map((i) => i.id);
    expect(new Set(gotIds).size).toBe(gotIds.length);
    expect(gotIds.sort().map(handle)).toEqual(expected.map(handle));
    const first = await visitor.get(`/api/catalogue/instruments?q=${enc(q)}`);
    expect(first.data.total).toBe(expected.length);
    expect(first.data.totalCapped).toBe(false);
  });

  it('finds what the reference finds for broad terms, and draft, pending and rejected instruments never', async () => {
    expect((await all(`q=${enc('显微')}`)).map((i) => handle(i.id)).sort()).toEqual([
      'afm',
      'confocal',
      'disabled',
      'optical',
      'sem',
      'tem',
    ]);
    expect((await all(`q=${enc('色谱')}`)).map((i) => handle(i.id)).sort()).toEqual(['gc', 'gcms', 'hplc', 'ic']);
    // the model of the three hidden instruments is SU8010 too
    expect((await all('q=SU8010')).map((i) => handle(i.id))).toEqual(['sem']);
    expect((await all('q=microscope')).map((i) => handle(i.id)).sort()).toEqual(['optical', 'sem', 'tem']);
    const everything = await all('');
    expect(everything.map((i) => handle(i.id)).sort()).toEqual(Object.keys(LISTED).sort());
    const res = await visitor.get('/api/catalogue/instruments?q=SU8010');
    expect(res.data.facets.categories).toEqual([{ value: '010000', label: '分析仪器', count: 1 }]);
  });

  it('marks disabled instruments and keeps them in the list', async () => {
    const res = await visitor.get(`/api/catalogue/instruments?q=${enc('ix73')}`);
    expect(res.data.items).toHaveLength(1);
    expect(res.data.items[0]).toMatchObject({
      id: ids.disabled,
      isDisabled: true,
      isBookable: false,
      name: '倒置荧光显微镜',
    });
    const sem = (await visitor.get('/api/catalogue/instruments?q=su8010')).data.items[0];
    expect(sem).toMatchObject({
      isDisabled: false,
      isBookable: true,
      orgId: org.jn.id,
      orgName: '山东省分析测试中心',
      cityName: '济南',
      categoryName: '扫描电镜',
      valueFen: 380_000_000,
      purchaseDate: '2018-05-10',
      serviceCount: 120,
      sharingMode: 'external',
      runStatus: '正常',
      pictureUrl: null,
      ratingAverage: null,
    });
  });

  it('returns the terms to highlight and a plain snippet around the first match', async () => {
    const res = await visitor.get(`/api/catalogue/instruments?q=${enc('ＳＵ８０１０ 扫描电镜')}`);
    expect(res.data.highlights).toEqual(['su8010', '扫描电镜']);
    expect(res.data.items.map((i: any) => handle(i.id))).toEqual(['sem']);
    expect(res.data.items[0].snippet).toContain('扫描电镜常规表征');
    expect(res.data.items[0].snippet).not.toMatch(/<|>/);
    const hplc = (await visitor.get(`/api/catalogue/instruments?q=${enc('有机相')}`)).data.items[0];
    expect(hplc.snippet).toContain('有机相');
  });

  it('ranks name matches before model, manufacturer and other text, then by service count', async () => {
    // 布鲁克: manufacturer of afm and xrd; "Bruker" is nmr's manufacturer
    const res = await visitor.get(`/api/catalogue/instruments?q=${enc('显微镜')}`);
    const order = res.data.items.map((i: any) => handle(i.id));
    // all are name matches: by service count desc
    expect(order).toEqual(['tem', 'sem', 'confocal', 'disabled', 'afm', 'optical']);
    const r2 = await visitor.get(`/api/catalogue/instruments?q=${enc('日立')}`);
    expect(r2.data.items.map((i: any) => handle(i.id))).toEqual(['sem', 'sem2']); // both manufacturer matches: by service count
    const r3 = await visitor.get(`/api/catalogue/instruments?q=${enc('扫描')}`);
    // name matches (sem 120, sem2 40) before specs-only matches (afm: 扫描范围)
    expect(r3.data.items.map((i: any) => handle(i.id))).toEqual(['sem', 'sem2', 'afm']);
    const asc = await visitor.get(`/api/catalogue/instruments?q=${enc('扫描')}&dir=asc`);
    expect(asc.data.items.map((i: any) => handle(i.id))).toEqual(['afm', 'sem2', 'sem']);
    const r4 = await visitor.get(`/api/catalogue/instruments?q=${enc('tm4000')}`);
    expect(r4.data.items.map((i: any) => handle(i.id))).toEqual(['sem2']);
  });
});

describe('filters and their counts', () => {
  it('a class or subclass selects everything under it', async () => {
    const cls = await all('category=010000');
    expect(cls.map((i) => handle(i.id)).sort()).toEqual([
      'afm',
      'confocal',
      'disabled',
      'gc',
      'gcms',
      'hplc',
      'ic',
      'nmr',
      'optical',
      'pcr',
      'sem',
      'sem2',
      'tem',
      'xrd',
    ]);
    expect((await all('category=010100')).map((i) => handle(i.id)).sort()).toEqual(['sem', 'sem2', 'tem']);
    expect((await all('category=010102')).map((i) => handle(i.id)).sort()).toEqual(['sem', 'sem2']);
    expect((await all('category=020000')).map((i) => handle(i.id)).sort()).toEqual(['ct', 'utm']);
  });

  it('service field, city, organisation, value, sharing and run status filter, alone and together', async () => {
    const h = async (q: string) => (await all(q)).map((i) => handle(i.id)).sort();
    expect(await h('field=F09')).toEqual(['gc', 'gcms', 'hplc', 'pcr']);
    expect(await h(`field=${enc('食品安全')}`)).toEqual(['gc', 'gcms', 'hplc', 'pcr']);
    expect(await h('city=370200')).toEqual(['confocal', 'ct', 'hplc', 'ic', 'sem2', 'xrd']);
    expect(await h(`city=${enc('淄博')}`)).toEqual(['gcms', 'optical', 'pcr', 'utm']);
    expect(await h(`org=${org.zb.id}`)).toEqual(['gcms', 'optical', 'pcr', 'utm']);
    expect(await h('valueMin=300000000')).toEqual(['ct', 'gcms', 'nmr', 'sem', 'tem']);
    expect(await h('valueMin=100000000&valueMax=200000000')).toEqual(['afm', 'utm', 'xrd']);
    expect(await h('sharing=internal')).toEqual(['afm']);
    expect(await h(`status=${enc('待机')}`)).toEqual(['confocal']);
    expect(await h(`q=${enc('显微')}&city=370100&field=F03`)).toEqual(['afm', 'sem', 'tem']);
    expect(await h('field=F99')).toEqual([]);
    expect(await h('org=nobody')).toEqual([]);
  });

  it('each facet counts the hits of the query and the other filters, without its own', async () => {
    const res = await visitor.get(`/api/catalogue/instruments?q=${enc('显微')}&city=370100`);
    const f = res.data.facets;
    expect(res.data.total).toBe(4); // sem, tem, afm, disabled in Jinan
    // cities: 显微 in every city, ignoring the city filter
    expect(f.cities).toEqual([
      { value: '370100', label: '济南', count: 4 },
      { value: '370200', label: '青岛', count: 1 },
      { value: '370300', label: '淄博', count: 1 },
    ]);
    // the other facets follow the city filter
    expect(f.categories).toEqual([{ value: '010000', label: '分析仪器', count: 4 }]);
    expect(f.subcategories).toEqual([
      { value: '010100', label: '电子光学仪器', count: 2 },
      { value: '010800', label: '显微镜及图像分析仪器', count: 2 },
    ]);
    expect(f.fields).toEqual([
      { value: 'F02', label: '高端装备', count: 1 },
      { value: 'F03', label: '新能源新材料', count: 3 },
      { value: 'F05', label: '医养健康', count: 2 },
    ]);
    expect(f.orgs).toEqual([{ value: org.jn.id, label: '山东省分析测试中心', count: 4 }]);
    expect(f.sharing).toEqual([
      { value: 'internal', label: '内部共享', count: 1 },
      { value: 'external', label: '外部共享', count: 3 },
    ]);
    expect(f.status).toEqual([{ value: '正常', label: '正常', count: 4 }]);
    expect(f.value.map((b: any) => [b.value, b.count])).toEqual([
      ['lt50', 1],
      ['100-200', 1],
      ['200-500', 1],
      ['ge1000', 1],
    ]);

    // a value bucket sent back as a filter gives its count
    const bucket = f.value.find((b: any) => b.value === '100-200');
    const again = await visitor.get(
      `/api/catalogue/instruments?q=${enc('显微')}&city=370100&valueMin=${bucket.valueMin}&valueMax=${bucket.valueMax}`,
    );
    expect(again.data.total).toBe(1);
    expect(again.data.facets.value.map((b: any) => [b.value, b.count])).toEqual(
      f.value.map((b: any) => [b.value, b.count]),
    );

    // every facet total of the unfiltered catalogue adds up to the listed instruments
    const whole = (await visitor.get('/api/catalogue/instruments')).data;
    const listed = Object.keys(LISTED).length;
    expect(whole.total).toBe(listed);
    for (const k of ['categories', 'cities', 'orgs', 'sharing', 'status', 'value']) {
      expect(
        whole.facets[k].reduce((a: number, b: any) => a + b.count, 0),
        k,
      ).toBe(listed);
    }
  });

  it('leaves the facet counts out when asked (a list without filters, as on the home page), and only them', async () => {
    const url = `/api/catalogue/instruments?q=${enc('显微')}&city=370100&sort=purchased&pageSize=3`;
    const full = (await visitor.get(url)).data;
    const bare = (await visitor.get(`${url}&facets=none`)).data;
    expect(full.facets.cities.length).toBeGreaterThan(0);
    expect(Object.values(bare.facets).every((list) => Array.isArray(list) && list.length === 0)).toBe(true);
    expect(Object.keys(bare.facets).sort()).toEqual(Object.keys(full.facets).sort());
    const { facets: _f, ...rest } = full;
    const { facets: _b, ...bareRest } = bare;
    expect(bareRest).toEqual(rest);
    expect((await visitor.get(`${url}&facets=all`)).statusCode).toBe(400);
  });

  it('refuses a bad filter with the field named', async () => {
    const bad = await visitor.get('/api/catalogue/instruments?category=01&sort=price&pageSize=1000&extra=1');
    expect(bad.statusCode).toBe(400);
    expect(bad.data.error.code).toBe('VALIDATION_FAILED');
    const range = await visitor.get('/api/catalogue/instruments?valueMin=5&valueMax=1');
    expect(range.statusCode).toBe(400);
    expect(range.data.error.fields.valueMin).toBeTruthy();
    const cursor = await visitor.get('/api/catalogue/instruments?after=garbage');
    expect(cursor.statusCode).toBe(400);
    expect(cursor.data.error.fields.after).toBeTruthy();
  });
});

describe('sorts and paging', () => {
  const key = (i: any, sort: string) => (sort === 'served' ? i.serviceCount : i.purchaseDate);

  it.each([
    ['served', 'desc'],
    ['served', 'asc'],
    ['purchased', 'desc'],
    ['purchased', 'asc'],
  ])('%s %s, ties by id, unknown dates last', async (sort, dir) => {
    const items = await all(`sort=${sort}&dir=${dir}`);
    expect(items).toHaveLength(Object.keys(LISTED).length);
    const known = items.filter((i) => key(i, sort) !== null);
    const unknown = items.slice(known.length);
    expect(unknown.every((i) => key(i, sort) === null)).toBe(true);
    for (let k = 1; k < known.length; k++) {
      const a = known[k - 1],
        b = known[k];
      const ord = key(a, sort) < key(b, sort) ? -1 : key(a, sort) > key(b, sort) ? 1 : a.id < b.id ? -1 : 1;
      expect(ord, `${a.name} before ${b.name}`).toBe(dir === 'asc' ? -1 : 1);
    }
    if (sort === 'purchased') expect(unknown.map((i) => handle(i.id))).toEqual(['afm']);
    // gc and hplc have the same service count: the id decides, in the sort's direction
    if (sort === 'served') {
      const pos = (h: string) => items.findIndex((i) => i.id === ids[h]);
      expect(Math.abs(pos('gc') - pos('hplc'))).toBe(1);
      expect(pos(ids.gc < ids.hplc ? 'gc' : 'hplc') < pos(ids.gc < ids.hplc ? 'hplc' : 'gc')).toBe(dir === 'asc');
    }
  });

  it.each([
    ['served', 'desc', ''],
    ['purchased', 'asc', ''],
    ['relevance', 'desc', '显微'],
    ['relevance', 'asc', '镜'],
    ['purchased', 'desc', '色谱'],
  ])(
    'keyset paging (%s %s %s) gives the same rows as offset paging, without duplicates or gaps',
    async (sort, dir, q) => {
      const base = `sort=${sort}&dir=${dir}${q ? `&q=${enc(q)}` : ''}`;
      const offset = (await all(base)).map((i) => i.id);
      const keyset: string[] = [];
      let after: string | null = null;
      for (let n = 0; n < 50; n++) {
        const res: any = await visitor.get(
          `/api/catalogue/instruments?${base}&pageSize=4${after ? `&after=${enc(after)}` : ''}`,
        );
        expect(res.statusCode).toBe(200);
        keyset.push(...res.data.items.map((i: any) => i.id));
        after = res.data.nextCursor;
        if (!after) break;
      }
      expect(keyset).toEqual(offset);
      expect(new Set(keyset).size).toBe(keyset.length);
    },
  );

  it('a keyset cursor stays valid when the row it points at changes', async () => {
    const first = await visitor.get('/api/catalogue/instruments?sort=served&pageSize=3');
    expect(first.data.items.map((i: any) => handle(i.id))).toEqual(['tem', 'xrd', 'sem']);
    // xrd gets more services than tem: the next page still starts after the cursor's key (sem, 120)
    await t.database.db.transaction().execute(async (trx) => {
      await trx.updateTable('instruments').set({ serviceCount: 500 }).where('id', '=', ids.xrd).execute();
      await reindexInstrument(trx, t.database.dialect, ids.xrd);
    });
    try {
      const next = await visitor.get(
        `/api/catalogue/instruments?sort=served&pageSize=3&after=${enc(first.data.nextCursor)}`,
      );
      // pcr (99), then gc and hplc (88 each) with the larger id first
      const tie = ids.gc > ids.hplc ? ['gc', 'hplc'] : ['hplc', 'gc'];
      expect(next.data.items.map((i: any) => handle(i.id))).toEqual(['pcr', ...tie]);
      const top = await visitor.get('/api/catalogue/instruments?sort=served&pageSize=1');
      expect(top.data.items[0].id).toBe(ids.xrd);
    } finally {
      await t.database.db.transaction().execute(async (trx) => {
        await trx.updateTable('instruments').set({ serviceCount: 150 }).where('id', '=', ids.xrd).execute();
        await reindexInstrument(trx, t.database.dialect, ids.xrd);
      });
    }
  });

  it('every sort and direction of one filtered query, however the kept results are reused, orders exactly', async () => {
    // the first request counts; the other direction reuses the whole result; another sort reuses the counts
    const base = `q=${enc('镜')}&field=F03&pageSize=50`;
    const got: Record<string, string[]> = {};
    for (const sort of ['served', 'purchased', 'relevance']) {
      for (const dir of ['desc', 'asc']) {
        const res = await visitor.get(`/api/catalogue/instruments?${base}&sort=${sort}&dir=${dir}`);
        expect(res.statusCode).toBe(200);
        expect(res.data.total).toBe(res.data.items.length);
        got[`${sort} ${dir}`] = res.data.items.map((i: any) => handle(i.id));
        if (sort !== 'relevance') {
          const key = (i: any) => (sort === 'served' ? i.serviceCount : i.purchaseDate);
          const sign = dir === 'asc' ? 1 : -1;
          const known = res.data.items.filter((i: any) => key(i) !== null);
          const expected = [...known]
            .sort((a: any, b: any) => sign * (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id < b.id ? -1 : 1))
            .concat(
              res.data.items
                .filter((i: any) => key(i) === null)
                .sort((a: any, b: any) => sign * (a.id < b.id ? -1 : 1)),
            );
          expect(got[`${sort} ${dir}`], `${sort} ${dir}`).toEqual(expected.map((i: any) => handle(i.id)));
        }
      }
    }
    const members = (await listedLike(['镜']))
      .map(handle)
      .filter((h) => LISTED[h!]?.fields?.includes('F03'))
      .sort();
    expect(members).toContain('afm'); // no purchase date
    for (const [k, v] of Object.entries(got)) expect([...v].sort(), k).toEqual(members);
    expect(got['relevance asc']).toEqual([...got['relevance desc']].reverse());
    expect(got['served asc']).toEqual([...got['served desc']].reverse());
    // unknown purchase dates stay last in both directions
    expect(got['purchased desc'].at(-1)).toBe(got['purchased asc'].at(-1));
  });

  it('a cursor of another sort is refused', async () => {
    const first = await visitor.get('/api/catalogue/instruments?sort=served&pageSize=3');
    const res = await visitor.get(
      `/api/catalogue/instruments?sort=purchased&pageSize=3&after=${enc(first.data.nextCursor)}`,
    );
    expect(res.statusCode).toBe(400);
  });
});

describe('the catalogue follows every change', () => {
  it('an edit, a listing and a disabling show at once', async () => {
    const before = await visitor.get(`/api/catalogue/instruments?q=${enc('拉曼')}`);
    expect(before.data.total).toBe(0);
    const [id] = await seedInstruments(t.database, org.qd.id, [
      {
        name: '显微拉曼光谱仪',
        model: 'LabRAM HR Evolution',
        state: 'pending',
        categoryCode: '010405',
        serviceCount: 7,
      },
    ]);
    expect((await visitor.get(`/api/catalogue/instruments?q=${enc('拉曼')}`)).data.total).toBe(0);
    const change = async (set: Record<string, unknown>) =>
      t.database.db.transaction().execute(async (trx) => {
        await trx.updateTable('instruments').set(set).where('id', '=', id).execute();
        await reindexInstrument(trx, t.database.dialect, id);
      });
    await change({ state: 'listed' });
    let res = await visitor.get(`/api/catalogue/instruments?q=${enc('拉曼')}`);
    expect(res.data.items.map((i: any) => i.id)).toEqual([id]);
    expect((await visitor.get(`/api/catalogue/instruments?q=${enc('显微')}`)).data.total).toBe(7);
    await change({ name: '共焦拉曼光谱仪' });
    expect((await visitor.get(`/api/catalogue/instruments?q=${enc('显微')}`)).data.total).toBe(6);
    expect(
      (await visitor.get(`/api/catalogue/instruments?q=${enc('共焦拉曼')}`)).data.items.map((i: any) => i.id),
    ).toEqual([id]);
    const row = await t.database.db
      .selectFrom('instruments')
      .select('searchText')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.searchText).toContain('共焦拉曼光谱仪');
    expect(row.searchText).not.toContain('显微');
    await change({ isDisabled: true });
    res = await visitor.get(`/api/catalogue/instruments?q=${enc('拉曼')}`);
    expect(res.data.items[0]).toMatchObject({ id, isDisabled: true, isBookable: false });
    // an instrument that is deleted leaves the catalogue
    await t.database.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('instrumentFields').where('instrumentId', '=', id).execute();
      await trx.deleteFrom('instruments').where('id', '=', id).execute();
      await reindexInstrument(trx, t.database.dialect, id);
    });
    expect((await visitor.get(`/api/catalogue/instruments?q=${enc('拉曼')}`)).data.total).toBe(0);
  });

  it('a picture added to a listed instrument shows at once: a picture change goes through the change feed', async () => {
    const url = async () => (await visitor.get('/api/catalogue/instruments?q=su8010')).data.items[0].pictureUrl;
    expect(await url()).toBeNull();
    const now = new Date().toISOString();
    const fileIds = ['pic-b', 'pic-a'];
    await t.database.db
      .insertInto('files')
      .values(
        fileIds.map((id) => ({
          id,
          orgId: org.jn.id,
          purpose: 'instrument_picture',
          storageKey: `k/${id}`,
          thumbKey: `k/${id}.webp`,
          originalName: `${id}.png`,
          mime: 'image/png',
          size: 1,
          sha256: 'x',
          createdBy: null,
          createdAt: now,
        })),
      )
      .execute();
    // sort 0 for both: the smaller file id is the first picture
    await t.database.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('instrumentFiles')
        .values(fileIds.map((fileId) => ({ instrumentId: ids.sem, fileId, kind: 'picture' as const, sort: 0 })))
        .execute();
      await catalogueChanged(trx, [ids.sem]);
    });
    try {
      expect(await url()).toBe('/api/files/pic-a/thumb');
    } finally {
      await t.database.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('instrumentFiles').where('fileId', 'in', fileIds).execute();
        await trx.deleteFrom('files').where('id', 'in', fileIds).execute();
        await catalogueChanged(trx, [ids.sem]);
      });
    }
    expect(await url()).toBeNull();
  });

  it('a drafted instrument gets its search text but writes nothing to the change feed', async () => {
    const version = () => readHead(t.database.db);
    const before = await version();
    const [draft] = await seedInstruments(t.database, org.jn.id, [
      { name: '草稿拉曼光谱仪', model: 'LabRAM', state: 'draft' },
    ]);
    expect(await version()).toBe(before);
    try {
      const row = await t.database.db
        .selectFrom('instruments')
        .select('searchText')
        .where('id', '=', draft)
        .executeTakeFirstOrThrow();
      expect(row.searchText).toContain('草稿拉曼光谱仪 labram');
      expect((await visitor.get(`/api/catalogue/instruments?q=${enc('草稿拉曼')}`)).data.total).toBe(0);
    } finally {
      await t.database.db.deleteFrom('instruments').where('id', '=', draft).execute();
    }
  });

  it('the search structures of the old design are gone from the database', async () => {
    const tables =
      t.database.dialect === 'postgres'
        ? (
            await sql<{
              n: string;
            }>`select table_name as n from information_schema.tables where table_schema = current_schema()`.execute(
              t.database.db,
            )
          ).rows.map((r) => r.n)
        : (
            await sql<{ n: string }>`select name as n from sqlite_master where type = 'table'`.execute(t.database.db)
          ).rows.map((r) => r.n);
    expect(tables).toContain('instruments');
    expect(tables).not.toContain('instrument_grams');
    expect(tables).not.toContain('instrument_fts');
  });
});

/** A snapshot as plain data: listed instruments by id, interned indexes resolved, orders as ids. */
function plain(s: Snapshot) {
  const rows = [];
  for (let i = 0; i < s.n; i++) {
    if (!s.alive[i]) continue;
    const fields = [];
    for (let k = 0; k < 32; k++) if ((s.fieldBits[i] >>> k) & 1) fields.push(s.fields[k]);
    for (const k of s.fieldMore.get(i) ?? []) fields.push(s.fields[k]);
    rows.push({
      id: s.ids[i],
      category: s.category[i],
      org: s.orgs[s.org[i]],
      orgName: s.orgInfo[s.org[i]].name,
      city: s.cities[s.city[i]],
      value: s.value[i],
      sharing: s.sharing[i],
      run: s.run[i],
      served: s.served[i],
      purchased: s.purchased[i],
      text: s.text[i],
      name: s.relTable.name[s.rel[i]],
      model: s.relTable.model[s.rel[i]],
      maker: s.relTable.maker[s.rel[i]],
      cls: s.cls[i],
      sub: s.sub[i],
      valueRange: s.valueRange[i],
      fields: fields.sort(),
    });
  }
  rows.sort((a, b) => (a.id < b.id ? -1 : 1));
  const ids = (xs: Int32Array) => Array.from(xs).map((i) => s.ids[i]);
  return {
    live: s.live,
    rows,
    byServed: ids(s.byServed.view()),
    byPurchased: ids(s.byPurchased.view()),
    noPurchase: ids(s.noPurchase.view()),
  };
}

/** The ids of a snapshot's hits of a term, sorted. */
const hitIds = (s: Snapshot, term: string) =>
  Array.from(termHits(s, term))
    .map((i) => s.ids[i])
    .sort();

describe('the in-memory snapshot', () => {
  it('is patched after changes into exactly what a fresh build gives, and finds what a substring match finds', async () => {
    const terms = ['显微', '色谱', 'microscope', '镜', '分析测试', 'su8010', '拉曼'];
    for (const q of terms) expect((await visitor.get(`/api/catalogue/instruments?q=${enc(q)}`)).statusCode).toBe(200);
    const before = cacheStats(t.database.db);
    const db = t.database.db;
    const dialect = t.database.dialect;
    const first = await snapshot(db);
    const [fresh1, fresh2] = await seedInstruments(t.database, org.zb.id, [
      {
        name: '显微拉曼光谱仪',
        model: 'inVia',
        state: 'pending',
        categoryCode: '010405',
        serviceCount: 88,
        purchaseDate: '2016-11-11',
        fields: ['F03'],
      },
      { name: '体视显微镜', model: 'SZX16', state: 'pending', categoryCode: '010803', serviceCount: 3 },
    ]);
    try {
      await db.transaction().execute(async (trx) => {
        // listings, an edit of text, counts and dates, a disabling, new service fields, a rename of an organisation
        await trx.updateTable('instruments').set({ state: 'listed' }).where('id', 'in', [fresh1, fresh2]).execute();
        await trx
          .updateTable('instruments')
          .set({ name: '热场发射扫描电子显微镜', serviceCount: 7, purchaseDate: null })
          .where('id', '=', ids.sem)
          .execute();
        await trx.updateTable('instruments').set({ isDisabled: true, valueFen: 1 }).where('id', '=', ids.gc).execute();
        await trx.insertInto('instrumentFields').values({ instrumentId: ids.ic, fieldCode: 'F01' }).execute();
        for (const id of [fresh1, fresh2, ids.sem, ids.gc, ids.ic]) await reindexInstrument(trx, dialect, id);
      });
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('organizations')
          .set({ name: '淄博市分析测试研究院', cityCode: '370400' })
          .where('id', '=', org.zb.id)
          .execute();
        await reindexOrganization(trx, dialect, org.zb.id);
      });
      const res = await visitor.get(`/api/catalogue/instruments?q=${enc('分析测试')}`);
      expect(res.data.facets.orgs.map((o: any) => o.label).sort()).toEqual([
        '山东省分析测试中心',
        '淄博市分析测试研究院',
      ]);
      const after = cacheStats(db);
      expect(after.patches).toBeGreaterThan(before.patches);
      expect(after.rebuilds).toBe(before.rebuilds);

      // the same object, patched in place: new instruments appended, nobody moved
      const patched = await snapshot(db);
      expect(patched).toBe(first);
      expect(patched.ids.slice(patched.n - 2).sort()).toEqual([fresh1, fresh2].sort());
      expect(plain(patched)).toEqual(plain(await buildSnapshot(db)));
      for (const term of [...terms, '热场', '淄博市分析', '体视显微镜', 'szx16', '场发射扫描']) {
        const hits = termHits(patched, term);
        expect(hitIds(patched, term), term).toEqual(await listedLike([term]));
        for (let k = 1; k < hits.length; k++) expect(hits[k], term).toBeGreaterThan(hits[k - 1]);
      }
      expect((await all(`q=${enc('拉曼')}`)).map((i) => i.id)).toEqual([fresh1]);
      expect((await all(`city=370400`)).length).toBe(PER_ORG.zb.length + 2);
    } finally {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('instrumentFields').where('instrumentId', 'in', [fresh1, fresh2]).execute();
        await trx
          .deleteFrom('instrumentFields')
          .where('instrumentId', '=', ids.ic)
          .where('fieldCode', '=', 'F01')
          .execute();
        await trx.deleteFrom('instruments').where('id', 'in', [fresh1, fresh2]).execute();
        const s = LISTED.sem,
          g = LISTED.gc;
        await trx
          .updateTable('instruments')
          .set({ name: s.name!, serviceCount: s.serviceCount!, purchaseDate: s.purchaseDate! })
          .where('id', '=', ids.sem)
          .execute();
        await trx
          .updateTable('instruments')
          .set({ isDisabled: false, valueFen: g.valueFen! })
          .where('id', '=', ids.gc)
          .execute();
        await trx
          .updateTable('organizations')
          .set({ name: org.zb.name, cityCode: '370300' })
          .where('id', '=', org.zb.id)
          .execute();
        for (const id of [fresh1, fresh2, ids.sem, ids.gc, ids.ic]) await reindexInstrument(trx, dialect, id);
        await reindexOrganization(trx, dialect, org.zb.id);
      });
    }
    const restored = await snapshot(db);
    expect(plain(restored)).toEqual(plain(await buildSnapshot(db)));
    // the removed instruments left dead positions that no term finds
    expect(hitIds(restored, '拉曼')).toEqual(await listedLike(['拉曼']));
  });
});

describe('the in-memory snapshot patched in place', () => {
  it('lets the searches at once after a local write share one catch-up to its number, no head read', async () => {
    const db = t.database.db;
    await snapshot(db);
    const before = cacheStats(db);
    const name = `共享读头${Date.now()}`;
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('instruments').set({ name }).where('id', '=', ids.ic).execute();
      await reindexInstrument(trx, t.database.dialect, ids.ic);
    });
    const found = await Promise.all(
      Array.from({ length: 12 }, () => visitor.get(`/api/catalogue/instruments?q=${enc(name)}`)),
    );
    for (const res of found) expect(res.data.items.map((i: { id: string }) => i.id)).toEqual([ids.ic]);
    // the write's own number is the target (committed once the write has returned): the 12 searches share one
    // catch-up and read the head not at all; the follow timer (every 200 ms) may read it once in the window
    const after = cacheStats(db);
    expect(after.patches - before.patches).toBe(1);
    expect(after.headReads - before.headReads).toBeLessThanOrEqual(1);
    expect(after.rebuilds).toBe(before.rebuilds);
  });

  it('takes a local write that rolled back for no gap: the head is read, and nothing is rebuilt', async () => {
    const db = t.database.db;
    await snapshot(db);
    const before = cacheStats(db);
    const name = `撤销写入${Date.now()}`;
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.updateTable('instruments').set({ name }).where('id', '=', ids.ic).execute();
        await reindexInstrument(trx, t.database.dialect, ids.ic);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await visitor.get(`/api/catalogue/instruments?q=${enc(name)}`)).data.items).toEqual([]);
    const after = cacheStats(db);
    expect(after.rebuilds).toBe(before.rebuilds);
    const stored = await db.selectFrom('instruments').select('name').where('id', '=', ids.ic).executeTakeFirstOrThrow();
    expect(stored.name).not.toBe(name);
  });

  it('keeps term hits and results that a change of counts cannot alter, and equals a fresh build after an edit', async () => {
    const db = t.database.db;
    expect((await visitor.get(`/api/catalogue/instruments?q=${enc('显微镜')}`)).statusCode).toBe(200);
    expect((await visitor.get(`/api/catalogue/instruments?q=${enc('色谱')}&sort=served`)).statusCode).toBe(200);
    const before = await snapshot(db);
    const postings = before.postings;
    const termsBefore = before.caches.terms.get('显微镜');
    expect(termsBefore).toBeDefined();
    const stats0 = cacheStats(db);
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('instruments').set({ serviceCount: 999 }).where('id', '=', ids.optical).execute();
      await catalogueChanged(trx, [ids.optical]);
    });
    try {
      const res = await visitor.get(`/api/catalogue/instruments?q=${enc('显微镜')}&sort=served`);
      expect(res.data.items[0].id).toBe(ids.optical);
      const after = await snapshot(db);
      expect(after).toBe(before);
      expect(after.caches.terms.get('显微镜')).toBe(termsBefore);
      // 色谱 does not contain the optical microscope: its kept result survives the count change, and is a full hit
      const stats1 = cacheStats(db);
      expect(stats1.kept).toBeGreaterThan(stats0.kept);
      expect((await visitor.get(`/api/catalogue/instruments?q=${enc('色谱')}&sort=served`)).statusCode).toBe(200);
      expect(cacheStats(db).resultHits).toBe(stats1.resultHits + 1);
      expect(hitIds(after, '显微镜')).toEqual(await listedLike(['显微镜']));
      expect(after.postings).toBe(postings);
      expect(plain(after)).toEqual(plain(await buildSnapshot(db)));
      // an edit of the text in place: the postings change in the grams the old and new texts do not share
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('instruments')
          .set({ name: '研究级正置金相显微镜', model: 'BX53M' })
          .where('id', '=', ids.optical)
          .execute();
        await trx.insertInto('instrumentFields').values({ instrumentId: ids.optical, fieldCode: 'F07' }).execute();
        await reindexInstrument(trx, t.database.dialect, ids.optical);
      });
      const edited = await snapshot(db);
      expect(edited.postings).toBe(postings);
      expect(edited.postings.changes).toBeGreaterThan(0);
      expect(plain(edited)).toEqual(plain(await buildSnapshot(db)));
      for (const term of ['显微镜', '金相', 'bx53m', '正置', '金', '相显'])
        expect(hitIds(edited, term), term).toEqual(await listedLike([term]));
      expect(
        (await visitor.get(`/api/catalogue/instruments?q=${enc('金相')}&field=F07`)).data.items.map((i: any) => i.id),
      ).toEqual([ids.optical]);
      expect(cacheStats(db).rebuilds).toBe(stats0.rebuilds);
    } finally {
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('instruments')
          .set({ serviceCount: LISTED.optical.serviceCount!, name: LISTED.optical.name!, model: LISTED.optical.model! })
          .where('id', '=', ids.optical)
          .execute();
        await trx
          .deleteFrom('instrumentFields')
          .where('instrumentId', '=', ids.optical)
          .where('fieldCode', '=', 'F07')
          .execute();
        await reindexInstrument(trx, t.database.dialect, ids.optical);
      });
    }
  });
});

describe('按单位 and the home page', () => {
  it('lists organisations with the number of matching instruments', async () => {
    const res = await visitor.get(`/api/catalogue/orgs?q=${enc('显微')}`);
    expect(res.statusCode).toBe(200);
    expect(res.data.instrumentTotal).toBe(6);
    expect(res.data.items.map((o: any) => [o.orgName, o.instrumentCount])).toEqual([
      ['山东省分析测试中心', 4],
      ['青岛海洋材料研究院', 1],
      ['淄博检验检测中心', 1],
    ]);
    expect(res.data.items[0].instruments.map((i: any) => handle(i.id))).toEqual(['tem', 'sem', 'disabled']);
    expect(res.data.items[0]).toMatchObject({ cityName: '济南', typeLabel: '企业' });
    const paged = await visitor.get(`/api/catalogue/orgs?q=${enc('显微')}&pageSize=1&page=2`);
    expect(paged.data.total).toBe(3);
    expect(paged.data.items.map((o: any) => o.orgName)).toEqual(['青岛海洋材料研究院']);
    const filtered = await visitor.get('/api/catalogue/orgs?field=F09');
    expect(filtered.data.items.map((o: any) => [o.orgName, o.instrumentCount])).toEqual(
      [
        ['山东省分析测试中心', 1],
        ['青岛海洋材料研究院', 1],
        ['淄博检验检测中心', 2],
      ].sort((a, b) => (b[1] as number) - (a[1] as number)) as any,
    );
  });

  it('gives the category tree and service fields with counts of listed instruments', async () => {
    const res = await visitor.get('/api/catalogue/facets-reference');
    expect(res.statusCode).toBe(200);
    expect(res.data.total).toBe(Object.keys(LISTED).length);
    const analysis = res.data.categories.find((c: any) => c.code === '010000');
    expect(analysis.count).toBe(14);
    expect(analysis.children.find((c: any) => c.code === '010100')).toMatchObject({ count: 3 });
    expect(
      analysis.children.find((c: any) => c.code === '010100').children.find((c: any) => c.code === '010102'),
    ).toMatchObject({ name: '扫描电镜', count: 2 });
    expect(res.data.categories.find((c: any) => c.code === '150000').count).toBe(1);
    expect(res.data.categories).toHaveLength(15);
    expect(res.data.fields.find((f: any) => f.value === 'F09')).toEqual({ value: 'F09', label: '食品安全', count: 4 });
    expect(res.data.cities.find((f: any) => f.value === '370200').count).toBe(6);
  });

  it('public figures count listed instruments, their value, services and classes', async () => {
    const res = await visitor.get('/api/stats/public');
    expect(res.statusCode).toBe(200);
    const listed = Object.values(LISTED);
    expect(res.data.instruments).toBe(listed.length);
    expect(res.data.totalValueFen).toBe(listed.reduce((a, s) => a + (s.valueFen ?? 0), 0));
    expect(res.data.services).toBe(listed.reduce((a, s) => a + (s.serviceCount ?? 0), 0));
    expect(res.data.byCategory).toEqual({ '010000': 14, '020000': 2, '150000': 1 });
    expect(res.data.organizations).toBeGreaterThanOrEqual(3);
  });
});

describe('totals are capped at 10,000', () => {
  let big: TestApp;
  beforeAll(async () => {
    big = await createTestApp();
  });
  afterAll(async () => {
    await big?.close();
  });

  it('reports 10,000+ above the cap while facets stay exact', async () => {
    const o = (await makeOrg(big)).org;
    const now = new Date().toISOString();
    const rows = Array.from({ length: 10_003 }, (_, k) => ({
      id: `cap-${String(k).padStart(6, '0')}`,
      orgId: o.id,
      internalNo: `N${k}`,
      name: `批量仪器${k}`,
      categoryCode: '010102',
      sharingMode: 'external' as const,
      runStatus: '正常',
      state: 'listed' as const,
      isDisabled: false,
      serviceCount: k % 7,
      ratingSum: 0,
      ratingCount: 0,
      searchText: '',
      staffJson: '[]',
      createdAt: now,
      updatedAt: now,
    }));
    await big.database.db.transaction().execute(async (trx) => {
      for (let k = 0; k < rows.length; k += 500)
        await trx
          .insertInto('instruments')
          .values(rows.slice(k, k + 500))
          .execute();
      // every write names its instruments in the change feed
      await catalogueChanged(
        trx,
        rows.map((r) => r.id),
      );
    });
    const c = new Client(big.app);
    const res = await c.get('/api/catalogue/instruments?pageSize=100&page=100');
    expect(res.data.total).toBe(10_000);
    expect(res.data.totalCapped).toBe(true);
    expect(res.data.facets.categories).toEqual([{ value: '010000', label: '分析仪器', count: 10_003 }]);
    expect(res.data.items).toHaveLength(100);
    // past the cap, keyset paging goes on
    const deep = await c.get(
      `/api/catalogue/instruments?pageSize=100&after=${encodeURIComponent(res.data.nextCursor)}`,
    );
    expect(deep.data.items).toHaveLength(3);
    expect(deep.data.nextCursor).toBeNull();
  });
});
