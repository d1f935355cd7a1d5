/**
 * 我的预约 and 我的被预约: state tabs with counts, search by number, instrument and counterpart, paging, the Excel
 * export; the form's start (one organisation, bookable instruments) and the 责任说明 in force, stored at submit.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createTestApp, type TestApp } from '../../test/harness';
import { addMember, as, makeInstrument, makeOrg } from '../../test/factories';
import { DEFAULT_LIABILITY_TEXT } from '../../../domain/booking';
import {
  bookingBody,
  bookingWorld,
  driveTo,
  driveWith,
  ok,
  setDisabled,
  setLiability,
  storedBooking,
  type World,
} from './testing';

let t: TestApp;
let w: World;
/** the consumer's bookings by state, and the extra ones used by the searches */
const mine: Record<string, string[]> = {};
let laser: string; // the world's consumer books a uniquely named instrument of the provider
let yantai: { orgName: string; booking: string; admin: Client }; // the world's consumer books a second provider
let fromThird: string; // the third organisation books the world's provider

beforeAll(async () => {
  t = await createTestApp();
  w = await bookingWorld(t);
  const add = (s: string, id: string) => (mine[s] ??= []).push(id);
  for (const s of ['draft', 'draft', 'submitted', 'accepted', 'awaiting_settlement', 'completed', 'completed'] as const)
    add(s, await driveTo(t, w, s));
  const rejected = await driveTo(t, w, 'submitted');
  ok(await w.provider.admin.post(`/api/bookings/${rejected}/decline`, { reason: '超出检测范围' }));
  add('rejected', rejected);
  const withdrawn = await driveTo(t, w, 'submitted');
  ok(await w.consumer.member.post(`/api/bookings/${withdrawn}/withdraw`, {}));
  add('withdrawn', withdrawn);

  const l = await makeInstrument(t, w.provider.org.id, { name: '激光共聚焦显微镜', model: 'LSM 980' });
  laser = await driveWith(t, {
    by: w.consumer.member,
    providerAdmin: w.provider.admin,
    instruments: [l.id],
    until: 'submitted',
  });
  add('submitted', laser);

  const { org } = await makeOrg(t, { name: '烟台海洋仪器检测中心', type: 'institute', cityCode: '370600' });
  const admin = await as(t, await addMember(t, org.id, 'admin'));
  const y = await makeInstrument(t, org.id, { name: '电子探针显微分析仪' });
  yantai = {
    orgName: org.name,
    admin,
    booking: await driveWith(t, {
      by: w.consumer.member,
      providerAdmin: admin,
      instruments: [y.id],
      until: 'accepted',
    }),
  };
  add('accepted', yantai.booking);

  fromThird = await driveWith(t, {
    by: w.third.member,
    providerAdmin: w.provider.admin,
    instruments: w.instruments,
    until: 'submitted',
  });
});
afterAll(async () => {
  await t?.close();
});

const all = () => Object.values(mine).flat();
const count = (s: string) => mine[s]?.length ?? 0;

async function sheet(res: { rawPayload: Buffer }) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  return wb.worksheets[0];
}

describe('state tabs with counts', () => {
  it('the consumer side counts every state, draft included; each tab lists its own', async () => {
    const page = ok(await w.consumer.member.get('/api/bookings?side=consumer&pageSize=100')).data;
    expect(page.counts).toEqual({
      all: all().length,
      draft: 2,
      submitted: 2,
      accepted: 2,
      awaiting_settlement: 1,
      completed: 2,
      rejected: 1,
      withdrawn: 1,
    });
    expect(page.total).toBe(all().length);
    expect(page.items.map((i: any) => i.id).sort()).toEqual(all().sort());
    for (const s of Object.keys(mine)) {
      const tab = ok(await w.consumer.member.get(`/api/bookings?side=consumer&state=${s}`)).data;
      expect(tab.total, s).toBe(count(s));
      expect(tab.items.map((i: any) => i.id).sort(), s).toEqual([...mine[s]].sort());
      expect(tab.items.every((i: any) => i.state === s)).toBe(true);
      expect(tab.counts).toEqual(page.counts);
    }
    // a row: counterpart, instruments, applicant, fee, the actions and whether it is rated
    const done = page.items.find((i: any) => i.id === mine.completed[0]);
    expect(done).toMatchObject({
      stateLabel: '已完成',
      counterpartName: w.provider.org.name,
      applicantName: `${w.consumer.org.name}成员`,
      instrumentNames: ['场发射扫描电子显微镜', 'X射线衍射仪'],
      totalFeeFen: 190_300,
      actions: ['rate'],
      rated: false,
    });
    expect(page.items.find((i: any) => i.id === mine.draft[0]).actions.sort()).toEqual(['delete', 'save', 'submit']);
  });

  it('the provider side leaves drafts out, of every consumer', async () => {
    const page = ok(await w.provider.admin.get('/api/bookings?side=provider&pageSize=100')).data;
    // the world's consumer's bookings of this provider (not the Yantai one) plus the third organisation's
    const expected = { submitted: 2 + 1, accepted: 1, awaiting_settlement: 1, completed: 2, rejected: 1, withdrawn: 1 };
    expect(page.counts).toEqual({ all: 9, ...expected });
    expect(page.counts.draft).toBeUndefined();
    expect(page.items.every((i: any) => i.state !== 'draft')).toBe(true);
    expect(page.items.map((i: any) => i.id)).not.toContain(yantai.booking);
    expect(page.items.map((i: any) => i.id)).toContain(fromThird);
    const submitted = ok(await w.provider.admin.get('/api/bookings?side=provider&state=submitted')).data;
    expect(submitted.total).toBe(3);
    expect(submitted.items.every((i: any) => i.actions.sort().join() === 'accept,decline')).toBe(true);
    const draftTab = ok(await w.provider.admin.get('/api/bookings?side=provider&state=draft')).data;
    expect(draftTab.total).toBe(0);
    expect(draftTab.items).toEqual([]);
    // the provider's consumer side is empty: it booked nothing
    expect(ok(await w.provider.admin.get('/api/bookings?side=consumer')).data.total).toBe(0);
  });

  it('refuses an unknown state and a bad page (400)', async () => {
    expect((await w.consumer.member.get('/api/bookings?side=consumer&state=lost')).statusCode).toBe(400);
    expect((await w.consumer.member.get('/api/bookings?side=somebody')).statusCode).toBe(400);
    expect((await w.consumer.member.get('/api/bookings?page=0')).statusCode).toBe(400);
    expect((await w.consumer.member.get('/api/bookings?pageSize=101')).statusCode).toBe(400);
  });
});

describe('search', () => {
  it('by number, instrument name and counterpart name, with the counts of the search', async () => {
    const row = await storedBooking(t, mine.completed[1]);
    const byNo = ok(await w.consumer.member.get(`/api/bookings?side=consumer&q=${row.no}`)).data;
    expect(byNo.items.map((i: any) => i.id)).toEqual([row.id]);
    expect(byNo.counts).toMatchObject({ all: 1, completed: 1, draft: 0 });
    const byLower = ok(await w.consumer.member.get(`/api/bookings?side=consumer&q=${row.no.toLowerCase()}`)).data;
    expect(byLower.total).toBe(1);

    const byInstrument = ok(
      await w.consumer.member.get(`/api/bookings?side=consumer&q=${encodeURIComponent('共聚焦')}`),
    ).data;
    expect(byInstrument.items.map((i: any) => i.id)).toEqual([laser]);
    expect(
      ok(
        await w.provider.admin.get(`/api/bookings?side=provider&q=${encodeURIComponent('激光共聚焦')}`),
      ).data.items.map((i: any) => i.id),
    ).toEqual([laser]);

    const byProvider = ok(
      await w.consumer.member.get(`/api/bookings?side=consumer&q=${encodeURIComponent('烟台海洋')}`),
    ).data;
    expect(byProvider.items.map((i: any) => i.id)).toEqual([yantai.booking]);
    expect(byProvider.items[0].counterpartName).toBe(yantai.orgName);
    const byConsumer = ok(
      await w.provider.admin.get(`/api/bookings?side=provider&q=${encodeURIComponent('青岛海洋检测')}`),
    ).data;
    expect(byConsumer.items.map((i: any) => i.id)).toEqual([fromThird]);
    expect(byConsumer.counts).toMatchObject({ all: 1, submitted: 1 });

    // search and tab together; and nothing found
    expect(
      ok(await w.consumer.member.get(`/api/bookings?side=consumer&state=submitted&q=${encodeURIComponent('X射线')}`))
        .data.total,
    ).toBe(1);
    const none = ok(
      await w.consumer.member.get(`/api/bookings?side=consumer&q=${encodeURIComponent('核磁共振')}`),
    ).data;
    expect(none).toMatchObject({ total: 0, items: [] });
    expect(none.counts.all).toBe(0);
    // LIKE wildcards are plain characters
    expect(ok(await w.consumer.member.get(`/api/bookings?side=consumer&q=${encodeURIComponent('%')}`)).data.total).toBe(
      0,
    );
    expect(ok(await w.consumer.member.get('/api/bookings?side=consumer&q=_')).data.total).toBe(0);
  });
});

describe('paging', () => {
  it('pages of 4: the total on each page, the newest first, every booking exactly once', async () => {
    const n = all().length;
    const seen: string[] = [];
    for (let page = 1; page <= Math.ceil(n / 4); page++) {
      const p = ok(await w.consumer.member.get(`/api/bookings?side=consumer&pageSize=4&page=${page}`)).data;
      expect(p).toMatchObject({ total: n, page, pageSize: 4 });
      expect(p.items.length).toBe(Math.min(4, n - (page - 1) * 4));
      seen.push(...p.items.map((i: any) => i.id));
    }
    expect(seen.sort()).toEqual(all().sort());
    const first = ok(await w.consumer.member.get('/api/bookings?side=consumer&pageSize=4')).data.items;
    expect(first[0].id).toBe(yantai.booking);
    const created = first.map((i: any) => i.createdAt);
    expect([...created].sort().reverse()).toEqual(created);
    const past = ok(await w.consumer.member.get('/api/bookings?side=consumer&pageSize=4&page=99')).data;
    expect(past).toMatchObject({ total: n, items: [] });
    const second = ok(
      await w.consumer.member.get('/api/bookings?side=consumer&state=completed&pageSize=1&page=2'),
    ).data;
    expect(second.total).toBe(2);
    expect(second.items).toHaveLength(1);
  });
});

describe('Excel export', () => {
  it('has the header row and one row per booking with its state label and total in yuan', async () => {
    const res = ok(await w.consumer.member.get('/api/bookings/export?side=consumer'));
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.headers['content-disposition']).toContain('attachment');
    expect(res.headers['content-disposition']).toContain(encodeURIComponent('我的预约.xlsx'));
    const ws = await sheet(res);
    expect(ws.name).toBe('我的预约');
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([
      '预约单号',
      '状态',
      '受托方（服务单位）',
      '预约仪器',
      '申请人',
      '费用合计（元）',
      '创建时间',
      '提交时间',
      '完成时间',
    ]);
    expect(ws.rowCount).toBe(1 + all().length);
    const rows = new Map<string, unknown[]>();
    ws.eachRow((r, k) => {
      if (k > 1) rows.set(String(r.getCell(1).value), (r.values as unknown[]).slice(1));
    });
    for (const id of all()) {
      const b = await storedBooking(t, id);
      const r = rows.get(b.no)!;
      expect(r, b.no).toBeTruthy();
      expect(r[1]).toBe(
        {
          draft: '待提交',
          submitted: '待受理',
          accepted: '待测试',
          awaiting_settlement: '待结算',
          completed: '已完成',
          rejected: '已拒绝',
          withdrawn: '已撤回',
        }[b.state],
      );
      expect(r[5]).toBe(Number(b.totalFeeFen) / 100);
    }
    const done = rows.get((await storedBooking(t, mine.completed[0])).no)!;
    expect(done.slice(2, 6)).toEqual([
      w.provider.org.name,
      '场发射扫描电子显微镜、X射线衍射仪',
      `${w.consumer.org.name}成员`,
      1903,
    ]);
    expect(String(done[8])).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    const feeCell = ws.getRow(2).getCell(6);
    expect(feeCell.numFmt).toBe('#,##0.00');
    expect(ws.getRow(1).font?.bold).toBe(true);
  });

  it('follows the tab and the search; the provider export leaves drafts out', async () => {
    const ws = await sheet(ok(await w.consumer.member.get('/api/bookings/export?side=consumer&state=completed')));
    expect(ws.rowCount).toBe(1 + 2);
    const searched = await sheet(
      ok(await w.consumer.member.get(`/api/bookings/export?side=consumer&q=${encodeURIComponent('烟台')}`)),
    );
    expect(searched.rowCount).toBe(2);
    expect(searched.getRow(2).getCell(2).value).toBe('待测试');
    const provider = ok(await w.provider.member.get('/api/bookings/export?side=provider'));
    expect(provider.headers['content-disposition']).toContain(encodeURIComponent('我的被预约.xlsx'));
    const p = await sheet(provider);
    expect(p.name).toBe('我的被预约');
    expect(p.getRow(1).getCell(3).value).toBe('委托方（预约单位）');
    expect(p.rowCount).toBe(1 + 9);
    const states: unknown[] = [];
    p.eachRow((r, k) => {
      if (k > 1) states.push(r.getCell(2).value);
    });
    expect(states).not.toContain('待提交');
  });
});

describe('the form start and the 责任说明', () => {
  it('GET /api/bookings/start checks the instruments: one organisation and bookable', async () => {
    const start = ok(await w.consumer.member.get(`/api/bookings/start?instruments=${w.instruments.join(',')}`)).data;
    expect(start.provider).toMatchObject({ id: w.provider.org.id, name: w.provider.org.name });
    expect(start.instruments.map((i: any) => [i.instrumentId, i.isBookable])).toEqual([
      [w.instruments[0], true],
      [w.instruments[1], true],
    ]);
    expect(start.liabilityText).toBeTruthy();
    expect(start.contact.name).toBe(`${w.consumer.org.name}成员`);

    const mixed = await w.consumer.member.get(
      `/api/bookings/start?instruments=${w.instruments[0]},${w.otherOrgInstrument}`,
    );
    expect(mixed.statusCode).toBe(422);
    expect(mixed.data.error.code).toBe('BOOKING_MIXED_PROVIDERS');
    const own = await w.provider.member.get(`/api/bookings/start?instruments=${w.instruments[0]}`);
    expect(own.statusCode).toBe(422);
    expect(own.data.error.code).toBe('BOOKING_OWN_ORG');
    const unknown = await w.consumer.member.get('/api/bookings/start?instruments=nope');
    expect(unknown.statusCode).toBe(422);
    expect((await w.consumer.member.get('/api/bookings/start?instruments=')).statusCode).toBe(400);
    expect((await w.consumer.member.get('/api/bookings/start')).statusCode).toBe(400);
    expect((await new Client(t.app).get(`/api/bookings/start?instruments=${w.instruments[0]}`)).statusCode).toBe(401);

    await setDisabled(t, w.instruments[1], true);
    try {
      const disabled = await w.consumer.member.get(`/api/bookings/start?instruments=${w.instruments.join(',')}`);
      expect(disabled.statusCode).toBe(422);
      expect(disabled.data.error.code).toBe('INSTRUMENT_DISABLED');
      expect(disabled.data.error.message).toContain('X射线衍射仪');
    } finally {
      await setDisabled(t, w.instruments[1], false);
    }
    ok(await w.consumer.member.get(`/api/bookings/start?instruments=${w.instruments[1]}`));
  });

  it('GET /api/bookings/liability gives the setting in force (the default without one), to anyone', async () => {
    expect(ok(await new Client(t.app).get('/api/bookings/liability')).data).toEqual({ text: DEFAULT_LIABILITY_TEXT });
    const draft = ok(await w.consumer.member.post('/api/bookings', bookingBody(t, w.instruments)), 201).data.id;

    const first = '一、委托方如实提供样品信息。\n二、受托方对检测数据负责。（2026 年版）';
    await setLiability(t, first);
    expect(ok(await new Client(t.app).get('/api/bookings/liability')).data).toEqual({ text: first });
    expect(
      ok(await w.consumer.member.get(`/api/bookings/start?instruments=${w.instruments[0]}`)).data.liabilityText,
    ).toBe(first);
    // the text stored is the one in force at submit, not at create
    ok(await w.consumer.member.post(`/api/bookings/${draft}/submit`, { liabilityAccepted: true }));
    const a = await storedBooking(t, draft);
    expect(a.liabilityText).toBe(first);
    expect(a.liabilityAcceptedAt).toBe(a.submittedAt);

    const second = '责任说明（2027 年修订版）：双方按约定履行。';
    await setLiability(t, second);
    const later = await driveTo(t, w, 'submitted');
    expect((await storedBooking(t, later)).liabilityText).toBe(second);
    // an earlier booking keeps what was accepted, and shows it
    expect((await storedBooking(t, draft)).liabilityText).toBe(first);
    expect(ok(await w.provider.admin.get(`/api/bookings/${draft}`)).data.liabilityText).toBe(first);
    // an empty setting falls back to the default
    await setLiability(t, '   ');
    expect(ok(await new Client(t.app).get('/api/bookings/liability')).data.text).toBe(DEFAULT_LIABILITY_TEXT);
  });
});
