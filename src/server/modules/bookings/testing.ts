/** Test helpers for bookings: two organisations with people, listed instruments, a complete form, and a driver. */
import type { Client, Res, TestApp } from '../../test/harness';
import { addMember, as, makeInstrument, makeOrg } from '../../test/factories';
import { pdf, upload } from '../files/testing';

export interface Side {
  org: { id: string; name: string };
  admin: Client;
  member: Client;
  adminId: string;
  memberId: string;
}
export interface World {
  consumer: Side;
  provider: Side;
  third: Side;
  instruments: string[];
  otherOrgInstrument: string;
}

async function side(t: TestApp, name: string, type: string, cityCode: string): Promise<Side> {
  const { org } = await makeOrg(t, { name, type, cityCode });
  const admin = await addMember(t, org.id, 'admin', {
    email: `admin-${org.id.slice(-6)}@example.com`,
    realName: `${name}管理员`,
  });
  const member = await addMember(t, org.id, 'member', {
    email: `member-${org.id.slice(-6)}@example.com`,
    realName: `${name}成员`,
  });
  return { org, admin: await as(t, admin), member: await as(t, member), adminId: admin.id, memberId: member.id };
}

/** An enterprise (consumer), a university (provider) with two listed instruments, and a third organisation. */
export async function bookingWorld(t: TestApp): Promise<World> {
  const consumer = await side(t, '济南创新材料科技有限公司', 'enterprise', '370100');
  const provider = await side(t, '山东理工大学', 'university', '370300');
  const third = await side(t, '青岛海洋检测有限公司', 'enterprise', '370200');
  const a = await makeInstrument(t, provider.org.id, { name: '场发射扫描电子显微镜', feeStandard: '300 元/小时' });
  const b = await makeInstrument(t, provider.org.id, {
    name: 'X射线衍射仪',
    model: 'D8 ADVANCE',
    categoryCode: '010301',
  });
  const c = await makeInstrument(t, third.org.id, { name: '气相色谱质谱联用仪', model: '7890B-5977B' });
  return { consumer, provider, third, instruments: [a.id, b.id], otherOrgInstrument: c.id };
}

/** A complete 预约单 for the instruments, dated from the test clock's day. */
export function bookingBody(t: TestApp, instrumentIds: string[], o: Record<string, unknown> = {}) {
  const day = new Date(t.clock.now().getTime() + 8 * 3600_000 + 86_400_000).toISOString().slice(0, 10);
  const later = new Date(t.clock.now().getTime() + 8 * 3600_000 + 10 * 86_400_000).toISOString().slice(0, 10);
  return {
    instruments: instrumentIds.map((instrumentId, k) => ({
      instrumentId,
      testItems: k ? '物相分析' : '表面形貌观察与能谱分析',
    })),
    samples: [{ name: '铝合金试样', quantity: 3, unit: '块', form: '固体', hazards: '无', disposal: 'return' }],
    purpose: '新型铝合金热处理工艺研发',
    expectedFrom: day,
    expectedTo: later,
    projectName: '高强铝合金关键技术研究',
    projectNo: '2026GXRC001',
    projectSource: '山东省重点研发计划',
    projectFundingFen: 50_000_000,
    contactName: '王工',
    contactPhone: '13912340000',
    contactEmail: 'wang@example.com',
    ...o,
  };
}

export const resultsBody = (instrumentIds: string[], version: number, o: Record<string, unknown> = {}) => ({
  items: instrumentIds.map((instrumentId, k) => ({
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
  version,
  ...o,
});

export function ok(res: Res, status = 200): Res {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return res;
}

/** Drives a new booking of the world's two instruments to `until` through the API; returns its id. */
export async function driveTo(
  t: TestApp,
  w: World,
  until: 'draft' | 'submitted' | 'accepted' | 'awaiting_settlement' | 'completed',
): Promise<string> {
  const id = ok(await w.consumer.member.post('/api/bookings', bookingBody(t, w.instruments)), 201).data.id as string;
  if (until === 'draft') return id;
  ok(await w.consumer.member.post(`/api/bookings/${id}/submit`, { liabilityAccepted: true }));
  if (until === 'submitted') return id;
  ok(await w.provider.admin.post(`/api/bookings/${id}/accept`, {}));
  if (until === 'accepted') return id;
  const v = ok(await w.provider.admin.get(`/api/bookings/${id}`)).data.version;
  ok(await w.provider.admin.post(`/api/bookings/${id}/results/submit`, resultsBody(w.instruments, v)));
  if (until === 'awaiting_settlement') return id;
  ok(
    await upload(
      w.consumer.member,
      `/api/bookings/${id}/files?slot=report`,
      pdf('report'),
      '检测报告.pdf',
      'application/pdf',
    ),
    201,
  );
  ok(
    await upload(
      w.consumer.member,
      `/api/bookings/${id}/files?slot=invoice`,
      pdf('invoice'),
      '发票.pdf',
      'application/pdf',
    ),
    201,
  );
  ok(await w.consumer.member.post(`/api/bookings/${id}/settle`, {}));
  return id;
}

// ------------------------------------------------------------------ more helpers (transitions, privacy, lists, notifications)

/** One more person of an organisation, logged in. */
export async function person(
  t: TestApp,
  orgId: string,
  role: 'member' | 'admin' = 'member',
  realName = role === 'admin' ? '另一位管理员' : '同事',
) {
  const u = await addMember(t, orgId, role, { realName });
  return { id: u.id, email: u.email as string, client: await as(t, u) };
}

/** The booking row as stored. */
export const storedBooking = (t: TestApp, id: string) =>
  t.database.db.selectFrom('bookings').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** The history of a booking as stored, oldest first. */
export const storedEvents = (t: TestApp, id: string) =>
  t.database.db
    .selectFrom('bookingEvents')
    .selectAll()
    .where('bookingId', '=', id)
    .orderBy('at')
    .orderBy('id')
    .execute();

/** Everything stored about a booking (row, items, files, events, rating), to compare before/after a refused write. */
export async function snapshotOf(t: TestApp, id: string) {
  const db = t.database.db;
  const [row, items, files, events, rating] = await Promise.all([
    db.selectFrom('bookings').selectAll().where('id', '=', id).executeTakeFirst(),
    db.selectFrom('bookingItems').selectAll().where('bookingId', '=', id).orderBy('sort').execute(),
    db.selectFrom('bookingFiles').selectAll().where('bookingId', '=', id).orderBy('fileId').execute(),
    db.selectFrom('bookingEvents').selectAll().where('bookingId', '=', id).orderBy('id').execute(),
    db.selectFrom('bookingRatings').selectAll().where('bookingId', '=', id).executeTakeFirst(),
  ]);
  return { row, items, files, events, rating };
}

/** Rows in a table (optionally of one booking). */
export async function countRows(
  t: TestApp,
  table: 'files' | 'bookingFiles' | 'bookings' | 'bookingEvents' | 'messages' | 'mailOutbox',
) {
  const r = await t.database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Sets the site setting `booking.liability` ({ text }). */
export async function setLiability(t: TestApp, text: string) {
  const valueJson = JSON.stringify({ text });
  await t.database.db
    .insertInto('siteSettings')
    .values({ key: 'booking.liability', valueJson })
    .onConflict((oc) => oc.column('key').doUpdateSet({ valueJson }))
    .execute();
}

export const setDisabled = (t: TestApp, instrumentId: string, isDisabled: boolean) =>
  t.database.db.updateTable('instruments').set({ isDisabled }).where('id', '=', instrumentId).execute();

export async function serviceCounts(t: TestApp, ids: string[]): Promise<number[]> {
  const rows = await t.database.db
    .selectFrom('instruments')
    .select(['id', 'serviceCount'])
    .where('id', 'in', ids)
    .execute();
  const by = new Map(rows.map((r) => [r.id, Number(r.serviceCount)]));
  return ids.map((i) => by.get(i)!);
}

export type Until = 'draft' | 'submitted' | 'accepted' | 'awaiting_settlement' | 'completed';

/**
 * Like driveTo, for any instruments and consumer: `by` creates, submits and settles (default the consumer member);
 * the provider admin accepts and submits results.
 */
export async function driveWith(
  t: TestApp,
  o: { by: Client; providerAdmin: Client; instruments: string[]; until: Until; body?: Record<string, unknown> },
): Promise<string> {
  const id = ok(await o.by.post('/api/bookings', bookingBody(t, o.instruments, o.body)), 201).data.id as string;
  if (o.until === 'draft') return id;
  ok(await o.by.post(`/api/bookings/${id}/submit`, { liabilityAccepted: true }));
  if (o.until === 'submitted') return id;
  ok(await o.providerAdmin.post(`/api/bookings/${id}/accept`, {}));
  if (o.until === 'accepted') return id;
  const v = ok(await o.providerAdmin.get(`/api/bookings/${id}`)).data.version;
  ok(await o.providerAdmin.post(`/api/bookings/${id}/results/submit`, resultsBody(o.instruments, v)));
  if (o.until === 'awaiting_settlement') return id;
  ok(
    await upload(o.by, `/api/bookings/${id}/files?slot=report`, pdf('report'), '检测报告.pdf', 'application/pdf'),
    201,
  );
  ok(await upload(o.by, `/api/bookings/${id}/files?slot=invoice`, pdf('invoice'), '发票.pdf', 'application/pdf'), 201);
  ok(await o.by.post(`/api/bookings/${id}/settle`, {}));
  return id;
}

/** The refusal of a response: status, code and (for 409) the state it reports. */
export const refusal = (res: Res) => ({
  status: res.statusCode,
  code: res.data?.error?.code as string | undefined,
  state: res.data?.error?.state as string | undefined,
});
