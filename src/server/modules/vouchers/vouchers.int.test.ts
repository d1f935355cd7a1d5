import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../../test/harness';
import { as, deptUser, makeOrg, addMember } from '../../test/factories';
import { pdf, upload } from '../files/testing';
import { bookingWorld, ok, type World } from '../bookings/testing';
import { awaitingSettlement, CLAIM_SLOTS, SETTLEMENT_SLOTS, uploadDocs } from './testing';

let t: TestApp;
let w: World;
let jinan: Client; // the consumer's city bureau
let qingdao: Client; // another city's bureau
let province: Client;

beforeAll(async () => {
  t = await createTestApp();
  w = await bookingWorld(t); // consumer: a small enterprise in 济南 that said yes to vouchers (40%)
  jinan = await as(t, await deptUser(t, '370100'));
  qingdao = await as(t, await deptUser(t, '370200'));
  province = await as(t, await deptUser(t, '370000'));
});
afterAll(async () => {
  await t?.close();
});

const db = () => t.database.db;
const claimsOf = (bookingId: string) =>
  db().selectFrom('voucherClaims').selectAll().where('bookingId', '=', bookingId).orderBy('kind').execute();
const ledger = async (orgId: string) => {
  const r = await db().selectFrom('voucherLedgers').selectAll().where('orgId', '=', orgId).executeTakeFirst();
  return { provincial: Number(r?.provincialFen ?? 0), municipal: Number(r?.municipalFen ?? 0) };
};
const reviewOf = async (claimId: string) =>
  db()
    .selectFrom('reviews')
    .selectAll()
    .where('subjectKind', '=', 'voucher_claim')
    .where('subjectId', '=', claimId)
    .executeTakeFirstOrThrow();

async function settledWithVoucher(feeFen: number) {
  const id = await awaitingSettlement(t, w, feeFen);
  await uploadDocs(w, id, [...SETTLEMENT_SLOTS, ...CLAIM_SLOTS]);
  ok(
    await w.consumer.member.post(`/api/bookings/${id}/settle`, {
      voucher: { otherSubsidy: false, provincial: true, municipal: false },
    }),
  );
  const [claim] = await claimsOf(id);
  return { bookingId: id, claim };
}

describe('the voucher section at settlement', () => {
  it('quotes the provincial part: 40% in 济南, the remaining cap and what the enterprise pays', async () => {
    const id = await awaitingSettlement(t, w, 123_457);
    const q = ok(await w.consumer.member.get(`/api/bookings/${id}/voucher-quote?otherSubsidy=0&provincial=1`)).data;
    expect(q).toMatchObject({ show: true, feeFen: 123_457, municipal: null, selfPayFen: 123_457 - 49_382 });
    expect(q.provincial).toMatchObject({ eligible: true, rateBp: 4000, shareFen: 49_382, amountFen: 49_382 }); // 49,382.8 floored
    expect(q.documents.map((d: any) => [d.slot, d.uploaded])).toEqual([
      ['report', false],
      ['invoice', false],
      ['contract', false],
      ['result_proof', false],
      ['relevance_proof', false],
    ]);
    // the provider may not ask
    expect((await w.provider.admin.get(`/api/bookings/${id}/voucher-quote`)).statusCode).toBe(403);
  });

  it('refuses a voucher the rules do not allow, whatever the client sends, and completes nothing', async () => {
    const id = await awaitingSettlement(t, w, 100_000);
    await uploadDocs(w, id, [...SETTLEMENT_SLOTS, ...CLAIM_SLOTS]);
    const subsidy = await w.consumer.member.post(`/api/bookings/${id}/settle`, {
      voucher: { otherSubsidy: true, provincial: true, municipal: false },
    });
    expect(subsidy.statusCode).toBe(422);
    expect(subsidy.data.error.code).toBe('VOUCHER_NOT_ELIGIBLE');
    expect(subsidy.data.error.message).toContain('其他财政资金补助');
    const municipal = await w.consumer.member.post(`/api/bookings/${id}/settle`, {
      voucher: { otherSubsidy: false, provincial: false, municipal: true },
    });
    expect(municipal.statusCode).toBe(422);
    expect(municipal.data.error.code).toBe('VOUCHER_NOT_AVAILABLE');
    const b = await db().selectFrom('bookings').select('state').where('id', '=', id).executeTakeFirstOrThrow();
    expect(b.state).toBe('awaiting_settlement');
    expect(await claimsOf(id)).toEqual([]);
  });

  it('a large enterprise sees no voucher section and cannot claim', async () => {
    const big = await makeOrg(t, {
      name: '大型装备集团有限公司',
      staffCount: 5000,
      revenueFen: 50_000_000_000,
      isSmallMicro: false,
      isVoucherApplicant: null,
    });
    const member = await as(t, await addMember(t, big.org.id, 'member'));
    const world = { ...w, consumer: { ...w.consumer, org: big.org, member } };
    const id = await awaitingSettlement(t, world, 100_000);
    const q = ok(await member.get(`/api/bookings/${id}/voucher-quote`)).data;
    expect(q.show).toBe(false);
    expect(q.provincial.eligible).toBe(false);
    await uploadDocs(world, id, [...SETTLEMENT_SLOTS, ...CLAIM_SLOTS]);
    const res = await member.post(`/api/bookings/${id}/settle`, {
      voucher: { otherSubsidy: false, provincial: true, municipal: false },
    });
    expect(res.statusCode).toBe(422);
    expect(res.data.error.message).toContain('小微企业');
  });

  it('needs the claim documents, naming each missing one', async () => {
    const id = await awaitingSettlement(t, w, 100_000);
    await uploadDocs(w, id, SETTLEMENT_SLOTS);
    const res = await w.consumer.member.post(`/api/bookings/${id}/settle`, {
      voucher: { otherSubsidy: false, provincial: true, municipal: false },
    });
    expect(res.statusCode).toBe(422);
    expect(res.data.error.code).toBe('CLAIM_DOCUMENTS_MISSING');
    expect(Object.keys(res.data.error.fields).sort()).toEqual(['contract', 'relevance_proof', 'result_proof']);
    // without vouchers the same booking settles
    ok(
      await w.consumer.member.post(`/api/bookings/${id}/settle`, {
        voucher: { otherSubsidy: false, provincial: false, municipal: false },
      }),
    );
    expect(await claimsOf(id)).toEqual([]);
  });

  it('files the claim with the completion, reserves the amount, and opens the city review', async () => {
    const before = await ledger(w.consumer.org.id);
    const { bookingId, claim } = await settledWithVoucher(250_000);
    expect(
      (await db().selectFrom('bookings').select('state').where('id', '=', bookingId).executeTakeFirstOrThrow()).state,
    ).toBe('completed');
    expect(claim).toMatchObject({
      kind: 'provincial',
      feeFen: 250_000,
      rateBp: 4000,
      amountFen: 100_000,
      policyId: 'policy-default',
    });
    expect(claim.no).toMatch(/^QJ\d{4}P\d{6}$/);
    expect((await ledger(w.consumer.org.id)).provincial).toBe(before.provincial + 100_000);
    const review = await reviewOf(claim.id);
    expect(review).toMatchObject({ state: 'pending', level: 1 });
    const mine = ok(await w.consumer.member.get('/api/vouchers/claims')).data;
    expect(mine.items.find((c: any) => c.id === claim.id)).toMatchObject({
      state: 'city_review',
      stage: '市科技局审核',
      amountFen: 100_000,
    });
  });
});

describe('review paths', () => {
  const decide = (c: Client, reviewId: string, action: string, reason?: string) =>
    c.post(`/api/reviews/${reviewId}/decision`, { action, ...(reason ? { reason } : {}) });

  it('city approves, the province approves: 审核通过', async () => {
    const { claim } = await settledWithVoucher(100_000);
    const r = await reviewOf(claim.id);
    expect((await decide(province, r.id, 'approve')).statusCode).toBe(403); // not its level yet
    ok(await decide(jinan, r.id, 'approve'));
    expect(ok(await w.consumer.member.get(`/api/vouchers/claims/${claim.id}`)).data.state).toBe('province_review');
    ok(await decide(province, r.id, 'approve'));
    const d = ok(await w.consumer.member.get(`/api/vouchers/claims/${claim.id}`)).data;
    expect(d).toMatchObject({ state: 'approved', stateLabel: '审核通过' });
    expect(d.history.map((h: any) => h.action)).toEqual(['submit', 'approve', 'approve']);
  });

  it('returned for more material, resubmitted back to the level that returned it', async () => {
    const { claim } = await settledWithVoucher(100_000);
    const r = await reviewOf(claim.id);
    ok(await decide(jinan, r.id, 'approve'));
    expect((await decide(province, r.id, 'return')).statusCode).toBe(400); // a reason is required
    ok(await decide(province, r.id, 'return', '请补充科技创新相关性证明的盖章件'));
    const returned = ok(await w.consumer.member.get(`/api/vouchers/claims/${claim.id}`)).data;
    expect(returned).toMatchObject({
      state: 'returned',
      reason: '请补充科技创新相关性证明的盖章件',
      actions: ['upload', 'resubmit', 'print'],
    });
    // the provider cannot add material; the consumer can
    expect(
      (
        await upload(
          w.provider.admin,
          `/api/vouchers/claims/${claim.id}/files?slot=relevance_proof`,
          pdf('x'),
          'x.pdf',
          'application/pdf',
        )
      ).statusCode,
    ).toBe(404);
    ok(
      await upload(
        w.consumer.member,
        `/api/vouchers/claims/${claim.id}/files?slot=relevance_proof`,
        pdf('stamped'),
        '盖章件.pdf',
        'application/pdf',
      ),
      201,
    );
    const again = ok(await w.consumer.member.post(`/api/vouchers/claims/${claim.id}/resubmit`));
    expect(again.data.state).toBe('province_review');
    expect((await reviewOf(claim.id)).level).toBe(2);
    expect(again.data.documents.find((d: any) => d.slot === 'relevance_proof').files).toHaveLength(2);
    // a claim not returned cannot be resubmitted
    expect((await w.consumer.member.post(`/api/vouchers/claims/${claim.id}/resubmit`)).statusCode).toBe(409);
  });

  it('不予兑付 is final and releases the reserved amount', async () => {
    const { claim } = await settledWithVoucher(100_000);
    const before = await ledger(w.consumer.org.id);
    const r = await reviewOf(claim.id);
    ok(await decide(jinan, r.id, 'reject', '服务内容与科技创新无关'));
    expect((await ledger(w.consumer.org.id)).provincial).toBe(before.provincial - 40_000);
    const stored = await db()
      .selectFrom('voucherClaims')
      .select('isReleased')
      .where('id', '=', claim.id)
      .executeTakeFirstOrThrow();
    expect(!!stored.isReleased).toBe(true);
    expect(ok(await w.consumer.member.get(`/api/vouchers/claims/${claim.id}`)).data).toMatchObject({
      state: 'rejected',
      reason: '服务内容与科技创新无关',
    });
    expect((await decide(jinan, r.id, 'approve')).statusCode).toBe(409);
  });
});

describe('who sees a claim', () => {
  it('the consumer, the competent departments and the province; not the provider, another city or a third organisation', async () => {
    const { claim, bookingId } = await settledWithVoucher(100_000);
    for (const c of [w.consumer.member, w.consumer.admin, jinan, province])
      expect((await c.get(`/api/vouchers/claims/${claim.id}`)).statusCode).toBe(200);
    for (const c of [w.provider.admin, w.third.admin, qingdao])
      expect((await c.get(`/api/vouchers/claims/${claim.id}`)).statusCode).toBe(404);
    expect(ok(await w.third.member.get('/api/vouchers/claims')).data.items).toEqual([]);
    // departments read the booking's documents through the claim
    const fileId = (
      await db()
        .selectFrom('bookingFiles')
        .select('fileId')
        .where('bookingId', '=', bookingId)
        .where('slot', '=', 'contract')
        .executeTakeFirstOrThrow()
    ).fileId;
    expect((await jinan.get(`/api/files/${fileId}`)).statusCode).toBe(200);
    expect((await qingdao.get(`/api/files/${fileId}`)).statusCode).toBe(404);
    expect((await w.third.admin.get(`/api/files/${fileId}`)).statusCode).toBe(404);
  });
});

describe('printing and verification', () => {
  it('prints an A4 PDF whose Chinese text pdftotext extracts, and the QR code page confirms it', async () => {
    const { claim } = await settledWithVoucher(180_000);
    const res = await w.consumer.member.get(`/api/vouchers/claims/${claim.id}/print`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-')), 'v.pdf');
    fs.writeFileSync(file, res.rawPayload);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    for (const s of [
      claim.no,
      '山东省科技创新券',
      w.consumer.org.name,
      w.provider.org.name,
      '¥1,800.00',
      '¥720.00',
      '¥1,080.00',
      '待审核（市级）',
      '场发射扫描电子显微镜',
    ])
      expect(text).toContain(s);
    const size = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(size).toMatch(/Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
    console.log(`voucher PDF: ${res.rawPayload.length} bytes; pdftotext -layout:\n${text.replace(/\n{2,}/g, '\n')}`);
    // a third party cannot print it
    expect((await w.third.admin.get(`/api/vouchers/claims/${claim.id}/print`)).statusCode).toBe(404);

    const visitor = new (await import('../../test/harness')).Client(t.app);
    const genuine = ok(await visitor.get(`/api/verify/${claim.verifyCode}`)).data;
    expect(genuine).toMatchObject({
      genuine: true,
      claim: { no: claim.no, consumerName: w.consumer.org.name, amountFen: 72_000, stateLabel: '待审核（市级）' },
    });
    expect(JSON.stringify(genuine)).not.toMatch(/bank|account|uscc|phone|email/i);
    // one character changed (to one it is not: a code that ends in x would otherwise stay itself, 1 time in 64)
    const forged = `${claim.verifyCode.slice(0, -1)}${claim.verifyCode.endsWith('x') ? 'y' : 'x'}`;
    expect(ok(await visitor.get(`/api/verify/${forged}`)).data).toEqual({ genuine: false, claim: null });
  });
});

describe('payout', () => {
  it('a monthly batch of approved claims, exported with bank details, confirmed as 已兑付', async () => {
    const { claim } = await settledWithVoucher(100_000);
    const r = await reviewOf(claim.id);
    ok(await jinan.post(`/api/reviews/${r.id}/decision`, { action: 'approve' }));
    ok(await province.post(`/api/reviews/${r.id}/decision`, { action: 'approve' }));
    const month = new Date(t.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 7);
    const batch = ok(await province.post('/api/vouchers/payouts', { month }), 201).data;
    expect(batch.state).toBe('draft');
    expect(batch.claims.map((c: any) => c.no)).toContain(claim.no);
    expect(batch.totalFen).toBe(batch.claims.reduce((s: number, c: any) => s + c.amountFen, 0));
    expect((await province.post('/api/vouchers/payouts', { month })).statusCode).toBe(409); // a draft is open
    const xlsx = await province.get(`/api/vouchers/payouts/${batch.id}/export`);
    expect(xlsx.statusCode).toBe(200);
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const rows = wb.worksheets[0]
      .getSheetValues()
      .filter(Boolean)
      .map((row) => (row as unknown[]).slice(1));
    expect(rows[0]).toEqual(['申请编号', '类别', '企业名称', '开户银行', '账户名称', '银行账号', '兑付金额（元）']);
    expect(rows.find((x) => x[0] === claim.no)).toEqual([
      claim.no,
      '省级创新券',
      w.consumer.org.name,
      '中国银行',
      '测试',
      '6217000012345678',
      400,
    ]);
    ok(await province.post(`/api/vouchers/payouts/${batch.id}/confirm`));
    expect((await province.post(`/api/vouchers/payouts/${batch.id}/confirm`)).statusCode).toBe(409);
    expect(ok(await w.consumer.member.get(`/api/vouchers/claims/${claim.id}`)).data.state).toBe('paid');
    expect((await jinan.get('/api/vouchers/payouts')).statusCode).toBe(403);
    const s = ok(await province.get('/api/vouchers/stats?by=city')).data;
    expect(s.rows.find((x: any) => x.label === '济南').paidFen).toBeGreaterThanOrEqual(40_000);
  });
});

describe('policy versions', () => {
  it('a new version applies from its day; existing claims keep theirs; the past cannot be changed', async () => {
    const current = ok(await province.get('/api/vouchers/policies')).data.find((v: any) => v.inForce);
    const today = new Date(t.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    const past = await province.post('/api/vouchers/policies', {
      effectiveFrom: '2020-06-01',
      provincial: current.provincial,
      municipal: current.municipal,
    });
    expect(past.statusCode).toBe(400);
    const bad = await province.post('/api/vouchers/policies', {
      effectiveFrom: today,
      provincial: { ...current.provincial, defaultRateBp: 20_000 },
      municipal: {},
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.data.error.fields).toHaveProperty(['provincial.defaultRateBp']);
    expect(
      (
        await jinan.post('/api/vouchers/policies', {
          effectiveFrom: today,
          provincial: current.provincial,
          municipal: {},
        })
      ).statusCode,
    ).toBe(403);

    const { claim: old } = await settledWithVoucher(100_000);
    ok(
      await province.post('/api/vouchers/policies', {
        effectiveFrom: today,
        note: '济南提高至 50%',
        provincial: { ...current.provincial, defaultRateBp: 5000 },
        municipal: current.municipal,
      }),
      201,
    );
    const { claim: fresh } = await settledWithVoucher(100_000);
    expect(fresh.rateBp).toBe(5000);
    expect(fresh.amountFen).toBe(50_000);
    const stored = await db()
      .selectFrom('voucherClaims')
      .select(['rateBp', 'amountFen', 'policyId'])
      .where('id', '=', old.id)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ rateBp: 4000, amountFen: 40_000, policyId: 'policy-default' });
  });
});
