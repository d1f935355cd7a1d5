/** The yearly evaluation: round → report → review → grade, the exports, and the NRII feed against its validation. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiDate } from '../../../domain/instrument';
import { createTestApp, type Client, type TestApp } from '../../test/harness';
import { as, deptUser } from '../../test/factories';
import { bookingWorld, driveTo, ok, type World } from '../bookings/testing';
import { refreshStats } from './aggregates';

let t: TestApp;
let w: World;
let year: number;
let province: Client;
let jinan: Client;
let zibo: Client;
let roundId: string;
let reportId: string;

const narrative = {
  team: '专职技术人员 12 人，其中高级职称 5 人',
  management: '校级大型仪器共享平台统一管理',
  outcomes: '支撑国家重点研发计划 3 项',
};

beforeAll(async () => {
  t = await createTestApp({ STATS_REFRESH_MS: '0' });
  w = await bookingWorld(t);
  year = Number(shanghaiDate(t.clock.now()).slice(0, 4));
  province = await as(t, await deptUser(t, '370000'));
  jinan = await as(t, await deptUser(t, '370100'));
  zibo = await as(t, await deptUser(t, '370300'));
  await driveTo(t, w, 'completed');
  await refreshStats(t.database.db, t.clock.now(), { settleMs: 0 });
});
afterAll(async () => {
  await t?.close();
});

describe('round → report → review → grade', () => {
  it('the province opens a round; each organisation with an instrument above the threshold gets a filled report', async () => {
    expect((await zibo.post('/api/sharing/rounds', { year, title: '评价' })).statusCode).toBe(403);
    const bad = await province.post('/api/sharing/rounds', { year: 1900, title: '' });
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.data.error.fields)).toEqual(expect.arrayContaining(['year', 'title']));
    const res = ok(
      await province.post('/api/sharing/rounds', { year, title: `${year} 年度评价`, dueDate: `${year}-12-31` }),
      201,
    );
    roundId = res.data.id;
    expect(res.data.reports).toBe(2); // the provider and the third organisation; the consumer has no instrument
    expect((await province.post('/api/sharing/rounds', { year, title: 'again' })).statusCode).toBe(409);
    const mine = ok(await w.provider.admin.get('/api/sharing/reports/mine')).data;
    expect(mine).toHaveLength(1);
    reportId = mine[0].id;
    const v = ok(await w.provider.admin.get(`/api/sharing/reports/${reportId}`)).data;
    expect(v.state).toBe('draft');
    expect(v.figures.sharing).toMatchObject({ externalHours: 5, services: 2, servedOrgs: 1, incomeFen: 190_300 });
    expect(v.figures.organization).toMatchObject({ declared: 2, listedAbove: 2, openRateBp: 10_000 });
  });

  it('others are told the report does not exist', async () => {
    expect((await w.consumer.admin.get(`/api/sharing/reports/${reportId}`)).statusCode).toBe(404);
    expect((await w.third.admin.put(`/api/sharing/reports/${reportId}`, narrative)).statusCode).toBe(404);
    expect((await jinan.get(`/api/sharing/reports/${reportId}`)).statusCode).toBe(404);
    expect((await zibo.get(`/api/sharing/reports/${reportId}`)).statusCode).toBe(200);
    const listed = ok(await jinan.get(`/api/sharing/rounds/${roundId}/reports`)).data.items;
    expect(listed.map((r: { orgName: string }) => r.orgName)).not.toContain(w.provider.org.name);
    // a page at a time
    const all = ok(await zibo.get(`/api/sharing/rounds/${roundId}/reports`)).data;
    expect(all.items.map((r: { orgName: string }) => r.orgName)).toContain(w.provider.org.name);
    const first = ok(await zibo.get(`/api/sharing/rounds/${roundId}/reports?page=1&size=1`)).data;
    expect(first).toMatchObject({ total: all.total, page: 1, size: 1, items: [all.items[0]] });
    expect(ok(await zibo.get(`/api/sharing/rounds/${roundId}/reports?page=2&size=1`)).data.items).toEqual(
      all.items.slice(1, 2),
    );
    const bad = await zibo.get(`/api/sharing/rounds/${roundId}/reports?size=500`);
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.data.error.fields)).toEqual(['size']);
  });

  it('the organisation completes and submits; an incomplete report is refused naming the fields', async () => {
    const incomplete = await w.provider.admin.post(`/api/sharing/reports/${reportId}/submit`, {});
    expect(incomplete.statusCode).toBe(400);
    expect(Object.keys(incomplete.data.error.fields).sort()).toEqual(['management', 'outcomes', 'team']);
    ok(await w.provider.admin.put(`/api/sharing/reports/${reportId}`, narrative));
    const v = ok(await w.provider.admin.post(`/api/sharing/reports/${reportId}/submit`, {})).data;
    expect(v.state).toBe('pending');
    expect((await w.provider.admin.put(`/api/sharing/reports/${reportId}`, narrative)).statusCode).toBe(409);
    const review = await t.database.db
      .selectFrom('reviews')
      .selectAll()
      .where('subjectId', '=', reportId)
      .executeTakeFirstOrThrow();
    expect(review).toMatchObject({ subjectKind: 'sharing_report', state: 'pending' });
  });

  it('the department returns it once, the organisation resubmits; approval needs a grade; the grade ends it', async () => {
    const reviewId = ok(await province.get(`/api/sharing/reports/${reportId}`)).data.reviewId;
    ok(await province.post(`/api/reviews/${reviewId}/decision`, { action: 'return', reason: '请补充服务成效' }));
    expect(ok(await w.provider.admin.get(`/api/sharing/reports/${reportId}`)).data.state).toBe('returned');
    ok(
      await w.provider.admin.put(`/api/sharing/reports/${reportId}`, {
        ...narrative,
        outcomes: '支撑国家重点研发计划 3 项，发表论文 20 篇',
      }),
    );
    ok(await w.provider.admin.post(`/api/sharing/reports/${reportId}/submit`, {}));
    // the generic approval cannot grade: refused, nothing changes
    const plain = await province.post(`/api/reviews/${reviewId}/decision`, { action: 'approve' });
    expect(plain.statusCode).toBe(400);
    expect(plain.data.error.code).toBe('GRADE_REQUIRED');
    expect(ok(await province.get(`/api/sharing/reports/${reportId}`)).data.state).toBe('pending');
    expect((await province.post(`/api/sharing/reports/${reportId}/grade`, { grade: 'best' })).statusCode).toBe(400);
    // a city bureau is not the reviewing department of the province's round
    expect((await zibo.post(`/api/sharing/reports/${reportId}/grade`, { grade: 'poor' })).statusCode).toBe(403);
    const v = ok(
      await province.post(`/api/sharing/reports/${reportId}/grade`, { grade: 'excellent', comment: '共享成效显著' }),
    ).data;
    expect(v).toMatchObject({ state: 'graded', grade: 'excellent', gradeLabel: '优秀', gradeComment: '共享成效显著' });
    const row = await t.database.db
      .selectFrom('reviews')
      .select('state')
      .where('id', '=', reviewId)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('approved');
    const list = ok(await province.get('/api/sharing/rounds')).data;
    expect(list[0]).toMatchObject({ id: roundId, reports: 2, graded: 1 });
  });

  it('exports as Excel and as a printable PDF', async () => {
    const x = await w.provider.admin.get(`/api/sharing/reports/${reportId}/export?format=xlsx`);
    expect(x.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    const cells = wb.worksheets[0].getSheetValues().flat().map(String);
    expect(cells).toContain(w.provider.org.name);
    expect(cells).toContain('共享率');
    const p = await province.get(`/api/sharing/reports/${reportId}/export?format=pdf`);
    expect(p.statusCode).toBe(200);
    expect(p.headers['content-type']).toBe('application/pdf');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'h15-pdf-')), 'r.pdf');
    fs.writeFileSync(file, p.rawPayload);
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
    expect(text).toContain(w.provider.org.name);
    expect(text).toContain('有效工作机时');
    expect(text).toContain('优秀');
  });
});

describe('NRII feed', () => {
  it('the validation lists every missing or malformed required field, and the export waits for it', async () => {
    const v = ok(await w.provider.admin.get(`/api/sharing/nrii/mine/validation?year=${year}`)).data;
    expect(v.valid).toBe(false);
    expect(v.counts).toEqual({ instruments: 2, services: 2 });
    expect(v.problems).toContainEqual(
      expect.objectContaining({ record: 'instrument', field: 'postalcode', problem: 'missing' }),
    );
    const refused = await w.provider.admin.get(`/api/sharing/nrii/mine/export?year=${year}`);
    expect(refused.statusCode).toBe(422);
    expect(refused.data.error.code).toBe('NRII_INVALID');
    // a malformed value is named too
    await t.database.db
      .updateTable('organizations')
      .set({ postalCode: '2550' })
      .where('id', '=', w.provider.org.id)
      .execute();
    const malformed = ok(await zibo.get(`/api/sharing/nrii/orgs/${w.provider.org.id}/validation?year=${year}`)).data;
    expect(malformed.problems).toContainEqual(expect.objectContaining({ field: 'postalcode', problem: 'malformed' }));
    expect((await jinan.get(`/api/sharing/nrii/orgs/${w.provider.org.id}/validation?year=${year}`)).statusCode).toBe(
      404,
    );
  });

  it('once complete, exports the three record sets in NRII field names and codes, as JSON and Excel', async () => {
    await t.database.db
      .updateTable('organizations')
      .set({ postalCode: '255000' })
      .where('id', '=', w.provider.org.id)
      .execute();
    const v = ok(await w.provider.admin.get(`/api/sharing/nrii/mine/validation?year=${year}`)).data;
    expect(v.problems).toEqual([]);
    const feed = ok(await w.provider.admin.get(`/api/sharing/nrii/mine/export?year=${year}`)).data;
    expect(feed.instruments[0]).toMatchObject({
      resourceSource: '1',
      runStatus: '1',
      shareMode: '2',
      worth: '380.00',
      province: '山东省',
    });
    expect(feed.services[0]).toMatchObject({
      serviceWay: '3',
      workHours: '2.5',
      serviceAmount: '1001.50',
      applicantUnit: w.consumer.org.name,
    });
    expect(feed.effect).toMatchObject({ year, serviceTimes: 2, serviceUsers: 1, serviceIncome: '0.19' });
    const x = await province.get(`/api/sharing/nrii/orgs/${w.provider.org.id}/export?year=${year}&format=xlsx`);
    expect(x.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['仪器信息', '服务记录', '年度成效']);
    expect(wb.worksheets[0].getRow(1).getCell(1).value).toBe('cName');
    expect(wb.worksheets[0].rowCount).toBe(4);
  });
});
