import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { MAX_ROWS } from './service';
import { INSTRUMENT_FIELD_LABELS, REQUIRED_FOR_SUBMIT } from '../../../domain/instrument';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type Client, type Res, type TestApp } from '../../test/harness';
import { addMember, as, makeInstrument, makeOrg } from '../../test/factories';

/** Lets a test act between the job's checks and its writes, as a concurrent upload would. */
const race = vi.hoisted(() => ({ afterCheck: null as null | (() => Promise<void>) }));
vi.mock('../instruments/service', async (importOriginal) => {
  const real = await importOriginal<typeof import('../instruments/service')>();
  return {
    ...real,
    checkInstrumentFieldsMany: async (...args: Parameters<typeof real.checkInstrumentFieldsMany>) => {
      const verdicts = await real.checkInstrumentFieldsMany(...args);
      await race.afterCheck?.();
      return verdicts;
    },
  };
});

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The template's header row, written out here on purpose: a change of the template must show up in this test. */
const HEADERS = [
  '*内部编号',
  '*仪器名称',
  '英文名称',
  '*仪器分类',
  '服务领域',
  '*规格型号',
  '*生产厂商',
  '产地国别',
  '*原值（万元）',
  '*购置日期',
  '启用日期',
  '仪器来源',
  '*主要技术指标',
  '*主要功能及特色',
  '*服务内容',
  '*收费标准',
  '共享模式',
  '运行状态',
  '*所在地市',
  '所在区县',
  '详细地址',
  '房间号',
  '*联系人',
  '*联系电话',
  '联系邮箱',
];
const label = (h: string) => h.replace('*', '');
type RowData = Partial<Record<string, ExcelJS.CellValue>>;

const goodRow = (o: RowData = {}): RowData => ({
  内部编号: `T-${crypto.randomBytes(3).toString('hex')}`,
  仪器名称: '场发射扫描电子显微镜',
  英文名称: 'FE-SEM',
  仪器分类: '010102 扫描电镜',
  服务领域: '新能源新材料、高端装备',
  规格型号: 'SU8010',
  生产厂商: '日立高新技术公司',
  产地国别: '日本',
  '原值（万元）': 356.8,
  购置日期: new Date(Date.UTC(2019, 5, 18)),
  启用日期: '2019-09-01',
  仪器来源: '购置',
  主要技术指标: '分辨率 1.0 nm',
  主要功能及特色: '形貌观察',
  服务内容: '形貌与成分分析',
  收费标准: '400 元/小时',
  共享模式: '外部共享',
  运行状态: '正常',
  所在地市: '济南',
  所在区县: '历下区',
  详细地址: '经十路 19 号',
  房间号: 'A201',
  联系人: '张老师',
  联系电话: '13912345678',
  联系邮箱: 'lab@example.com',
  ...o,
});

/** A workbook like a filled-in template: sheet 仪器信息, the header, then one row per record. */
async function workbook(rows: RowData[], headers = HEADERS): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('仪器信息');
  ws.addRow(headers);
  for (const r of rows) ws.addRow(headers.map((h) => r[label(h)] ?? null));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function multipart(file: Buffer, fileName = '仪器清单.xlsx', type = XLSX) {
  const boundary = `----isp${crypto.randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${type}\r\n\r\n`,
  );
  const body = Buffer.concat([head, file, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const upload = (c: Client, file: Buffer, mode: 'all' | 'valid' = 'all', fileName?: string, type?: string) => {
  const m = multipart(file, fileName, type);
  return c.request('POST', `/api/instruments/import?mode=${mode}`, m.body, m.headers);
};

/** Polls the job until it is no longer running (bounded), checking that progress only moves forward. */
async function waitJob(c: Client, id: string, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  let last = -1;
  for (;;) {
    const r = await c.get(`/api/instruments/import/jobs/${id}`);
    expect(r.statusCode).toBe(200);
    expect(r.data.processedRows).toBeGreaterThanOrEqual(last);
    last = r.data.processedRows;
    if (r.data.state !== 'running') return r.data;
    if (Date.now() > until)
      throw new Error(`import job ${id} still running after ${timeoutMs} ms: ${JSON.stringify(r.data)}`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

async function importFile(c: Client, file: Buffer, mode: 'all' | 'valid' = 'all') {
  const res = await upload(c, file, mode);
  expect(res.statusCode, res.body).toBe(202);
  return waitJob(c, res.data.jobId);
}

const db = () => t.database.db;
const instrumentsOf = (orgId: string) =>
  db().selectFrom('instruments').selectAll().where('orgId', '=', orgId).orderBy('internalNo').execute();
async function count(table: 'instruments' | 'importJobs' | 'auditLog') {
  const r = await db()
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
const counts = async () => ({ instruments: await count('instruments'), jobs: await count('importJobs') });

async function orgAdmin() {
  const { org } = await makeOrg(t);
  const admin = await addMember(t, org.id, 'admin');
  return { org, c: await as(t, admin) };
}

describe('模板下载', () => {
  it('is an .xlsx with the header, an example row, drop-downs, the hidden lists sheet and the instructions', async () => {
    const { c } = await orgAdmin();
    const res = await c.get('/api/instruments/import/template');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(XLSX);
    expect(res.headers['content-disposition']).toContain(
      `filename*=UTF-8''${encodeURIComponent('仪器批量导入模板.xlsx')}`,
    );
    expect(res.headers['content-disposition']).toMatch(/^attachment;/);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['仪器信息', '分类', '填写说明']);
    const ws = wb.getWorksheet('仪器信息')!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(HEADERS);
    expect(String(ws.getCell('A2').value)).toMatch(/^示例/);
    expect(ws.getCell('D2').value).toBe('010102 扫描电镜');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getColumn(2).width).toBeGreaterThan(15);

    const dv = (ws as unknown as { dataValidations: { model: Record<string, ExcelJS.DataValidation> } }).dataValidations
      .model;
    const col = (h: string) => String.fromCharCode(65 + HEADERS.indexOf(h));
    const at = (h: string, row: number) => dv[`${col(h)}${row}`];
    // a category may also be typed as its code, so Excel only warns; the fixed lists refuse anything else
    expect(at('*仪器分类', 3)).toMatchObject({ type: 'list', errorStyle: 'warning' });
    expect(at('*所在地市', 3)).toMatchObject({ type: 'list', errorStyle: 'stop' });
    expect(at('*仪器分类', 3).formulae[0]).toMatch(/^'分类'!\$A\$2:\$A\$\d+$/);
    expect(at('*仪器分类', 5002)).toBeTruthy();
    expect(at('*所在地市', 3).formulae[0]).toMatch(/^'分类'!\$E\$2:\$E\$17$/);
    expect(at('共享模式', 3).formulae[0]).toBe('"内部共享,外部共享"');
    expect(at('运行状态', 3).formulae[0]).toBe('"正常,待机,偶有故障,故障频繁,待修,待报废"');
    expect(at('仪器来源', 3).formulae[0]).toBe('"购置,研制,赠送,其他"');

    const lists = wb.getWorksheet('分类')!;
    expect(lists.state).toBe('hidden');
    const listed = lists.getColumn(1).values.slice(2).map(String);
    expect(listed).toContain('010102 扫描电镜');
    expect(lists.getColumn(5).values.slice(2).filter(Boolean)).toHaveLength(16);

    const guide = wb.getWorksheet('填写说明')!;
    const text: string[] = [];
    guide.eachRow((r) =>
      r.eachCell((cell) => {
        text.push(String(cell.value));
      }),
    );
    expect(text.join('\n')).toContain(`单次最多导入 ${MAX_ROWS} 行`);
    for (const h of HEADERS) expect(text).toContain(label(h));
  });

  it('stars every column 提交 needs: a row with only the starred columns filled imports and can be submitted at once', async () => {
    const { org, c } = await orgAdmin();
    const starred = HEADERS.filter((h) => h.startsWith('*')).map(label);
    expect(starred).toEqual(
      expect.arrayContaining([
        '内部编号',
        ...REQUIRED_FOR_SUBMIT.map((k) => INSTRUMENT_FIELD_LABELS[k].replace('原值', '原值（万元）')),
      ]),
    );
    const full = goodRow({ 内部编号: 'STAR-1' });
    const only: RowData = Object.fromEntries(starred.map((h) => [h, full[h]]));
    const job = await importFile(c, await workbook([only]));
    expect(job).toMatchObject({ state: 'done', createdCount: 1, errorCount: 0 });
    const [inst] = await instrumentsOf(org.id);
    const res = await c.post(`/api/instruments/${inst.id}/submit`, {});
    expect(res.statusCode, res.body).toBe(200);
  });

  it('a template filled in Excel imports, its example row skipped; the unfilled template has nothing to import', async () => {
    const { org, c } = await orgAdmin();
    const tpl = (await c.get('/api/instruments/import/template')).rawPayload;
    const empty = await upload(c, tpl);
    expect(empty.statusCode).toBe(422);
    expect(empty.data.error.code).toBe('IMPORT_EMPTY');

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(tpl as unknown as ExcelJS.Buffer);
    const ws = wb.getWorksheet('仪器信息')!;
    const r = goodRow({ 内部编号: 'TPL-1' });
    ws.getRow(3).values = HEADERS.map((h) => r[label(h)] ?? null);
    const job = await importFile(c, Buffer.from(await wb.xlsx.writeBuffer()));
    expect(job).toMatchObject({ state: 'done', totalRows: 1, createdCount: 1, errorCount: 0 });
    expect((await instrumentsOf(org.id)).map((i) => i.internalNo)).toEqual(['TPL-1']);
  });

  it('needs an approved organisation', async () => {
    const { org } = await makeOrg(t, { state: 'pending' });
    const c = await as(t, await addMember(t, org.id, 'admin'));
    const res = await c.get('/api/instruments/import/template');
    expect(res.statusCode).toBe(422);
    expect(res.data.error.code).toBe('ORG_NOT_APPROVED');
    const before = await counts();
    const up = await upload(c, await workbook([goodRow()]));
    expect(up.data.error.code).toBe('ORG_NOT_APPROVED');
    expect(await counts()).toEqual(before);
  });
});

describe('上传: good and mixed files', () => {
  it('imports 3 rows as drafts with exact fen values, service fields, dates and choices', async () => {
    const { org, c } = await orgAdmin();
    const file = await workbook([
      goodRow({ 内部编号: 'A-1', '原值（万元）': 356.8, 服务领域: '新能源新材料、高端装备' }),
      goodRow({
        内部编号: 1001,
        '原值（万元）': '1,234.567891',
        服务领域: 'F01, F05',
        购置日期: '2018/5/10',
        启用日期: '2018年7月1日',
        仪器分类: 10501,
        共享模式: '内部共享',
        运行状态: '待修',
        所在地市: '青岛市',
      }),
      goodRow({
        内部编号: 'A-3',
        '原值（万元）': 0.1 + 0.2,
        服务领域: null,
        购置日期: null,
        启用日期: null,
        仪器来源: null,
        共享模式: null,
        运行状态: null,
        所在地市: null,
      }),
    ]);
    const auditBefore = await count('auditLog');
    const res = await upload(c, file, 'all', '山东仪器.xlsx');
    expect(res.statusCode).toBe(202);
    expect(typeof res.data.jobId).toBe('string');
    const job = await waitJob(c, res.data.jobId);
    expect(job).toMatchObject({
      state: 'done',
      stateLabel: '已完成',
      mode: 'all',
      fileName: '山东仪器.xlsx',
      totalRows: 3,
      processedRows: 3,
      createdCount: 3,
      errorCount: 0,
      errors: [],
    });
    expect(job.finishedAt).toBeTruthy();

    const rows = await instrumentsOf(org.id);
    expect(rows.map((r) => r.internalNo)).toEqual(['1001', 'A-1', 'A-3']);
    const [b, a, c3] = rows;
    expect(rows.every((r) => r.state === 'draft' && !r.isDisabled)).toBe(true);
    expect(a).toMatchObject({
      valueFen: 356_800_000,
      purchaseDate: '2019-06-18',
      startUseDate: '2019-09-01',
      categoryCode: '010102',
      sharingMode: 'external',
      runStatus: '正常',
      cityCode: '370100',
      source: '购置',
      contactPhone: '13912345678',
    });
    expect(b).toMatchObject({
      valueFen: 1_234_567_891,
      purchaseDate: '2018-05-10',
      startUseDate: '2018-07-01',
      categoryCode: '010501',
      sharingMode: 'internal',
      runStatus: '待修',
      cityCode: '370200',
    });
    expect(c3).toMatchObject({
      valueFen: 300_000,
      purchaseDate: null,
      source: null,
      sharingMode: 'external',
      runStatus: '正常',
      cityCode: null,
    });
    const fields = async (id: string) =>
      (
        await db()
          .selectFrom('instrumentFields')
          .select('fieldCode')
          .where('instrumentId', '=', id)
          .orderBy('fieldCode')
          .execute()
      ).map((f) => f.fieldCode);
    expect(await fields(a.id)).toEqual(['F02', 'F03']);
    expect(await fields(b.id)).toEqual(['F01', 'F05']);
    expect(await fields(c3.id)).toEqual([]);
    // each draft is recorded, and so is the import
    expect(await count('auditLog')).toBeGreaterThanOrEqual(auditBefore + 4);
    const audit = await db()
      .selectFrom('auditLog')
      .selectAll()
      .where('action', '=', 'instrument.import')
      .where('subjectId', '=', res.data.jobId)
      .executeTakeFirstOrThrow();
    expect(audit.orgId).toBe(org.id);

    const list = await c.get('/api/instruments/import/jobs');
    expect(list.statusCode).toBe(200);
    expect(list.data.items[0]).toMatchObject({ id: res.data.jobId, createdCount: 3 });
  });

  it('2 valid + 1 invalid: mode=all writes nothing and names row, column and reason; mode=valid writes the 2', async () => {
    const { org, c } = await orgAdmin();
    const file = await workbook([
      goodRow({ 内部编号: 'M-1' }),
      goodRow({
        内部编号: 'M-2',
        仪器名称: null,
        仪器分类: '999999',
        '原值（万元）': -5,
        购置日期: '2019-02-30',
        共享模式: '对外',
        联系邮箱: 'not-an-email',
      }),
      goodRow({ 内部编号: 'M-3' }),
    ]);
    const all = await importFile(c, file, 'all');
    expect(all).toMatchObject({ state: 'done', totalRows: 3, processedRows: 3, createdCount: 0 });
    expect(all.message).toContain('未导入任何仪器');
    const reasons = Object.fromEntries(
      all.errors.map((e: { row: number; column: string; reason: string }) => [`${e.row}/${e.column}`, e.reason]),
    );
    expect(reasons).toMatchObject({
      '3/仪器名称': '必填',
      '3/原值（万元）': '不能为负数',
      '3/购置日期': '日期不存在，请核对',
      '3/联系邮箱': '邮箱格式不正确',
    });
    expect(reasons['3/仪器分类']).toContain('不存在');
    expect(reasons['3/共享模式']).toContain('内部共享');
    expect(all.errors.every((e: { row: number }) => e.row === 3)).toBe(true);
    expect(all.errorCount).toBe(all.errors.length);
    expect(await instrumentsOf(org.id)).toEqual([]);

    // the downloadable report has the same lines
    const rep = await c.get(`/api/instruments/import/jobs/${all.id}/report`);
    expect(rep.statusCode).toBe(200);
    expect(rep.headers['content-type']).toBe(XLSX);
    expect(rep.headers['content-disposition']).toContain("filename*=UTF-8''");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(rep.rawPayload as unknown as ExcelJS.Buffer);
    const ws = wb.worksheets[0];
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(['行号', '列', '问题']);
    const lines: string[] = [];
    ws.eachRow((r, n) => {
      if (n > 1) lines.push((r.values as unknown[]).slice(1).join('|'));
    });
    expect(lines).toContain('3|仪器名称|必填');
    expect(lines).toContain('3|原值（万元）|不能为负数');
    expect(lines).toHaveLength(all.errorCount);

    const valid = await importFile(c, file, 'valid');
    expect(valid).toMatchObject({
      state: 'done',
      totalRows: 3,
      processedRows: 3,
      createdCount: 2,
      errorCount: all.errorCount,
    });
    expect(valid.message).toContain('1 行有问题未导入');
    expect((await instrumentsOf(org.id)).map((i) => i.internalNo)).toEqual(['M-1', 'M-3']);
  });

  it('refuses internal numbers already used by the organisation and repeated inside the file', async () => {
    const { org, c } = await orgAdmin();
    await importFile(c, await workbook([goodRow({ 内部编号: 'D-1', 仪器名称: '原有仪器' })]));
    const file = await workbook([
      goodRow({ 内部编号: 'D-1' }),
      goodRow({ 内部编号: 'D-2', 仪器名称: '第一台' }),
      goodRow({ 内部编号: 'D-2', 仪器名称: '第二台' }),
      goodRow({ 内部编号: 'D-3' }),
    ]);
    const all = await importFile(c, file, 'all');
    expect(all.createdCount).toBe(0);
    expect(all.errors).toEqual([
      { row: 2, column: '内部编号', reason: '本单位已有相同内部编号的仪器' },
      { row: 4, column: '内部编号', reason: '与第 3 行的内部编号重复' },
    ]);
    const valid = await importFile(c, file, 'valid');
    expect(valid.createdCount).toBe(2);
    const rows = await instrumentsOf(org.id);
    expect(rows.map((r) => [r.internalNo, r.name])).toEqual([
      ['D-1', '原有仪器'],
      ['D-2', '第一台'],
      ['D-3', '场发射扫描电子显微镜'],
    ]);

    // another organisation has its own numbers
    const other = await orgAdmin();
    expect((await importFile(other.c, await workbook([goodRow({ 内部编号: 'D-1' })]))).createdCount).toBe(1);
  });

  it('a number taken between the checks and the writes (a concurrent upload): mode=all writes nothing and names the row; mode=valid writes the others', async () => {
    const { org, c } = await orgAdmin();
    const file = await workbook([
      goodRow({ 内部编号: 'R-1' }),
      goodRow({ 内部编号: 'R-2' }),
      goodRow({ 内部编号: 'R-3' }),
    ]);
    race.afterCheck = async () => {
      await makeInstrument(t, org.id, { internalNo: 'R-2', state: 'draft' });
    };
    try {
      const all = await importFile(c, file, 'all');
      expect(all).toMatchObject({ state: 'done', createdCount: 0, errorCount: 1 });
      expect(all.message).toContain('未导入任何仪器');
      expect(all.errors).toEqual([{ row: 3, column: '内部编号', reason: '本单位已有相同内部编号的仪器' }]);
      expect((await instrumentsOf(org.id)).map((i) => i.internalNo)).toEqual(['R-2']);

      race.afterCheck = async () => {
        await makeInstrument(t, org.id, { internalNo: 'R-3', state: 'draft' });
      };
      const valid = await importFile(c, file, 'valid');
      expect(valid).toMatchObject({ state: 'done', createdCount: 1, errorCount: 2 });
      expect(valid.errors).toEqual([
        { row: 3, column: '内部编号', reason: '本单位已有相同内部编号的仪器' },
        { row: 4, column: '内部编号', reason: '本单位已有相同内部编号的仪器' },
      ]);
      expect((await instrumentsOf(org.id)).map((i) => i.internalNo)).toEqual(['R-1', 'R-2', 'R-3']);
    } finally {
      race.afterCheck = null;
    }
  });

  it('refuses formulas cell by cell', async () => {
    const { org, c } = await orgAdmin();
    const file = await workbook([
      goodRow({ 内部编号: 'F-1', '原值（万元）': { formula: '100*2', result: 200 } }),
      goodRow({ 内部编号: 'F-2', 仪器名称: { formula: 'CONCATENATE("扫描","电镜")', result: '扫描电镜' } }),
      goodRow({ 内部编号: 'F-3' }),
    ]);
    const all = await importFile(c, file, 'all');
    expect(all.errors).toEqual([
      { row: 2, column: '原值（万元）', reason: '不支持公式，请填写数值' },
      { row: 3, column: '仪器名称', reason: '不支持公式，请填写数值' },
    ]);
    expect(await instrumentsOf(org.id)).toEqual([]);
    expect((await importFile(c, file, 'valid')).createdCount).toBe(1);
    expect((await instrumentsOf(org.id)).map((r) => r.internalNo)).toEqual(['F-3']);
  });

  it('refuses a cell with U+0000 or a lone surrogate (Excel writes them as _x0000_), as the API does', async () => {
    const { org, c } = await orgAdmin();
    const file = await workbook([
      goodRow({ 内部编号: 'N-1', 仪器名称: '扫描_x0000_电镜' }),
      goodRow({ 内部编号: 'N-2', 仪器名称: '扫描_xD800_电镜' }),
      goodRow({ 内部编号: 'N-3' }),
    ]);
    const all = await importFile(c, file, 'all');
    expect(all.errors).toEqual([
      { row: 2, column: '仪器名称', reason: '不能包含空字符或无效字符' },
      { row: 3, column: '仪器名称', reason: '不能包含空字符或无效字符' },
    ]);
    expect(await instrumentsOf(org.id)).toEqual([]);
    expect((await importFile(c, file, 'valid')).createdCount).toBe(1);
    expect((await instrumentsOf(org.id)).map((r) => r.internalNo)).toEqual(['N-3']);
  });
});

describe('上传: hostile and wrong files change nothing', () => {
  async function refused(
    c: Client,
    file: Buffer,
    status: number,
    code: string,
    fileName?: string,
    type?: string,
  ): Promise<Res> {
    const before = await counts();
    const res = await upload(c, file, 'valid', fileName, type);
    expect(res.statusCode, res.body).toBe(status);
    expect(res.data.error.code).toBe(code);
    expect(typeof res.data.error.message).toBe('string');
    expect(res.data.error.fields.file).toBeTruthy();
    expect(await counts()).toEqual(before);
    return res;
  }

  it('a renamed .exe, a legacy .xls, a zip that is not a spreadsheet → 415', async () => {
    const { c } = await orgAdmin();
    const exe = Buffer.concat([
      Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff', 'latin1'),
      Buffer.alloc(200, 0),
      Buffer.from('This program cannot be run in DOS mode.'),
      crypto.randomBytes(4000),
    ]);
    await refused(c, exe, 415, 'NOT_XLSX', '仪器清单.xlsx', XLSX);
    const xls = Buffer.concat([
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      crypto.randomBytes(2000),
    ]);
    const legacy = await refused(c, xls, 415, 'NOT_XLSX', '仪器清单.xls');
    expect(legacy.data.error.message).toContain('.xls');
    const zip = Buffer.from(zipSync({ 'readme.txt': strToU8('hello'), 'word/document.xml': strToU8('<w:document/>') }));
    await refused(c, zip, 415, 'NOT_XLSX');
    const truncated = (await workbook([goodRow()])).subarray(0, 3000);
    const res = await upload(c, truncated);
    expect([415, 422]).toContain(res.statusCode);
  });

  it('a zip bomb (100 MB of zeros packed to ~100 KB) → 413, before anything unpacks it', async () => {
    const { c } = await orgAdmin();
    const bomb = Buffer.from(
      zipSync(
        {
          '[Content_Types].xml': strToU8(
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
          ),
          'xl/workbook.xml': strToU8('<workbook/>'),
          'xl/worksheets/sheet1.xml': new Uint8Array(100 * 1024 * 1024),
        },
        { level: 9 },
      ),
    );
    expect(bomb.length).toBeLessThan(300_000);
    const res = await refused(c, bomb, 413, 'XLSX_TOO_LARGE');
    expect(res.data.error.message).toContain('文件解压后过大');
  });

  it('a bomb whose directory lies about its size is stopped while unpacking → 413', async () => {
    const { c } = await orgAdmin();
    const zip = Buffer.from(
      zipSync(
        {
          '[Content_Types].xml': strToU8(
            '<Types><Default Extension="xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
          ),
          'xl/workbook.xml': strToU8('<workbook/>'),
          'xl/worksheets/sheet1.xml': new Uint8Array(30 * 1024 * 1024),
        },
        { level: 9 },
      ),
    );
    // claim 2 KB unpacked for the sheet, in the central directory and the local header
    const name = Buffer.from('xl/worksheets/sheet1.xml');
    for (let i = zip.indexOf(name); i >= 0; i = zip.indexOf(name, i + 1)) {
      if (zip.readUInt32LE(i - 46) === 0x02014b50) zip.writeUInt32LE(2048, i - 46 + 24);
      if (zip.readUInt32LE(i - 30) === 0x04034b50) zip.writeUInt32LE(2048, i - 30 + 22);
    }
    await refused(c, zip, 413, 'XLSX_TOO_LARGE');
  });

  it('one row over the limit → 422; 100,000 rows are refused from the XML before the sheet is read', async () => {
    const { c } = await orgAdmin();
    const rows = Array.from({ length: MAX_ROWS + 1 }, (_, i) => goodRow({ 内部编号: `R-${i}` }));
    const res = await refused(c, await workbook(rows), 422, 'TOO_MANY_ROWS');
    expect(res.data.error.message).toContain(`单次最多导入 ${MAX_ROWS} 行`);

    // 100,000 rows written straight as sheet XML (exceljs would take long to build it)
    const cells = (r: number) =>
      HEADERS.slice(0, 4)
        .map(
          (h, i) =>
            `<c r="${String.fromCharCode(65 + i)}${r}" t="inlineStr"><is><t>${r === 1 ? h : `${i === 3 ? '010102' : `X${r}`}`}</t></is></c>`,
        )
        .join('');
    const sheet = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${Array.from({ length: 100_001 }, (_, i) => `<row r="${i + 1}">${cells(i + 1)}</row>`).join('')}</sheetData></worksheet>`;
    const big = Buffer.from(
      zipSync(
        {
          '[Content_Types].xml': strToU8(
            '<Types><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
          ),
          'xl/workbook.xml': strToU8(
            '<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="仪器信息" sheetId="1" r:id="rId1"/></sheets></workbook>',
          ),
          'xl/_rels/workbook.xml.rels': strToU8(
            '<Relationships><Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
          ),
          'xl/worksheets/sheet1.xml': strToU8(sheet),
        },
        { level: 6 },
      ),
    );
    const huge = await refused(c, big, 422, 'TOO_MANY_ROWS');
    expect(huge.data.error.message).toContain(`单次最多导入 ${MAX_ROWS} 行`);
  }, 120_000);

  it('exactly the limit of rows is accepted; their problems are counted in full, shown 200 at a time and listed in the report', async () => {
    const { org, c } = await orgAdmin();
    const rows = Array.from({ length: MAX_ROWS }, (_, i) => goodRow({ 内部编号: `E-${i}`, 仪器名称: null }));
    const job = await importFile(c, await workbook(rows), 'all');
    expect(job).toMatchObject({
      state: 'done',
      totalRows: MAX_ROWS,
      processedRows: MAX_ROWS,
      createdCount: 0,
      errorCount: MAX_ROWS,
      errorsTruncated: true,
    });
    expect(job.errors).toHaveLength(200);
    expect(job.errors[199]).toEqual({ row: 201, column: '仪器名称', reason: '必填' });
    const rep = await c.get(`/api/instruments/import/jobs/${job.id}/report`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(rep.rawPayload as unknown as ExcelJS.Buffer);
    expect(wb.worksheets[0].actualRowCount).toBe(MAX_ROWS + 1);
    expect(await instrumentsOf(org.id)).toEqual([]);
  }, 120_000);

  it('a file over 20 MB → 413', async () => {
    const { c } = await orgAdmin();
    const res = await refused(c, crypto.randomBytes(21 * 1024 * 1024), 413, 'FILE_TOO_LARGE');
    expect(res.data.error.message).toContain('20 MB');
  });

  it('ranges that exceljs would walk cell by cell: whole-sheet merges and validations are ignored, a whole-sheet name is refused', async () => {
    const { org, c } = await orgAdmin();
    const parts = unzipSync(await workbook([goodRow({ 内部编号: 'W-1' })]));
    const sheet = strFromU8(parts['xl/worksheets/sheet1.xml']).replace(
      '</worksheet>',
      '<mergeCells count="1"><mergeCell ref="A3:XFD1048576"/></mergeCells><dataValidations count="1"><dataValidation type="list" sqref="A1:XFD1048576"><formula1>"a,b"</formula1></dataValidation></dataValidations></worksheet>',
    );
    const merged = Buffer.from(zipSync({ ...parts, 'xl/worksheets/sheet1.xml': strToU8(sheet) }));
    expect((await importFile(c, merged)).createdCount).toBe(1);

    const book = strFromU8(parts['xl/workbook.xml']).replace(
      '</workbook>',
      '<definedNames><definedName name="全部">\'仪器信息\'!$A$1:$XFD$1048576</definedName></definedNames></workbook>',
    );
    await refused(c, Buffer.from(zipSync({ ...parts, 'xl/workbook.xml': strToU8(book) })), 422, 'XLSX_UNSUPPORTED');
    expect((await instrumentsOf(org.id)).map((r) => r.internalNo)).toEqual(['W-1']);
  });

  it('a workbook written by another program: a hidden first sheet, inline strings, cells without r, an East Asian date format', async () => {
    const { org, c } = await orgAdmin();
    const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const cell = (h: string, v: ExcelJS.CellValue | undefined) =>
      v === null || v === undefined
        ? '<c/>'
        : typeof v === 'number'
          ? `<c${label(h) === '购置日期' ? ' s="1"' : ''}><v>${v}</v></c>`
          : `<c t="inlineStr"><is><t>${esc(String(v))}</t></is></c>`;
    const data = goodRow({ 内部编号: 'X-1', 购置日期: 43634, 主要技术指标: '分辨率 < 1.0 nm & 稳定', 英文名称: null });
    const sheet = (rows: string) =>
      `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`;
    const file = Buffer.from(
      zipSync({
        '[Content_Types].xml': strToU8(
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        ),
        'xl/workbook.xml': strToU8(
          '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet0" sheetId="1" state="hidden" r:id="rId1"/><sheet name="Data" sheetId="2" r:id="rId2"/></sheets></workbook>',
        ),
        'xl/_rels/workbook.xml.rels': strToU8(
          '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
        ),
        'xl/styles.xml': strToU8(
          '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="31" applyNumberFormat="1"/></cellXfs></styleSheet>',
        ),
        'xl/worksheets/sheet1.xml': strToU8(sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>列表</t></is></c></row>')),
        'xl/worksheets/sheet2.xml': strToU8(
          sheet(
            `<row r="1">${HEADERS.map((h) => cell(h, h)).join('')}</row><row>${HEADERS.map((h) => cell(h, data[label(h)])).join('')}</row>`,
          ),
        ),
      }),
    );
    expect(await importFile(c, file)).toMatchObject({ state: 'done', createdCount: 1, errorCount: 0 });
    const [x] = await instrumentsOf(org.id);
    expect(x).toMatchObject({ internalNo: 'X-1', purchaseDate: '2019-06-18', valueFen: 356_800_000, nameEn: null });
    expect(JSON.stringify(x)).toContain('分辨率 < 1.0 nm & 稳定');
  });

  it("a header that is not the template's → 422 naming the missing columns", async () => {
    const { c } = await orgAdmin();
    const headers = HEADERS.filter((h) => h !== '*仪器分类').map((h) => (h === '*原值（万元）' ? '原值（元）' : h));
    const res = await refused(c, await workbook([goodRow()], headers), 422, 'IMPORT_HEADER');
    expect(res.data.error.missing).toEqual(['仪器分类', '原值（万元）']);
    expect(res.data.error.message).toContain('仪器分类、原值（万元）');
  });

  it('not multipart, or no file → 4xx with the file named', async () => {
    const { c } = await orgAdmin();
    const before = await counts();
    const json = await c.post('/api/instruments/import', {});
    expect(json.statusCode).toBe(415);
    expect(json.data.error.fields.file).toBeTruthy();
    const boundary = 'xyz123';
    const none = await c.request(
      'POST',
      '/api/instruments/import',
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--${boundary}--\r\n`),
      { 'content-type': `multipart/form-data; boundary=${boundary}` },
    );
    expect(none.statusCode).toBe(400);
    expect(none.data.error.code).toBe('FILE_REQUIRED');
    const m = multipart(await workbook([goodRow()]));
    const bad = await c.request('POST', '/api/instruments/import?mode=some', m.body, m.headers);
    expect(bad.statusCode).toBe(400);
    expect(await counts()).toEqual(before);
  });
});

describe('jobs belong to their organisation', () => {
  it("org B can neither see nor download org A's job", async () => {
    const a = await orgAdmin();
    const b = await orgAdmin();
    const job = await importFile(a.c, await workbook([goodRow(), goodRow({ 仪器名称: null })]), 'valid');
    expect(job.createdCount).toBe(1);
    const view = await b.c.get(`/api/instruments/import/jobs/${job.id}`);
    expect(view.statusCode).toBe(404);
    expect(view.data.error.code).toBe('NOT_FOUND');
    expect((await b.c.get(`/api/instruments/import/jobs/${job.id}/report`)).statusCode).toBe(404);
    expect((await b.c.get('/api/instruments/import/jobs')).data.items.map((j: { id: string }) => j.id)).not.toContain(
      job.id,
    );
    // a plain member of A is not an admin
    const member = await as(t, await addMember(t, a.org.id, 'member'));
    expect((await member.get(`/api/instruments/import/jobs/${job.id}`)).statusCode).toBe(403);
    // A's other admins see it
    const legal = await as(t, await addMember(t, a.org.id, 'admin'));
    expect((await legal.get(`/api/instruments/import/jobs/${job.id}`)).data.errors).toEqual([
      { row: 3, column: '仪器名称', reason: '必填' },
    ]);
  });
});
