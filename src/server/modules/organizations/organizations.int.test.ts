import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness';
import { as, deptUser, makeInstrument, makeOrg, makeUser, orgBody } from '../../test/factories';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('organisation joining', () => {
  it('a person registers an organisation, submits it, the city bureau approves it', async () => {
    const person = await makeUser(t);
    const c = await as(t, person);
    const body = orgBody();
    const created = await c.post('/api/orgs', body);
    expect(created.statusCode).toBe(201);
    expect(created.data.state).toBe('draft');
    const mine = await c.get('/api/orgs/mine');
    expect(mine.data.state).toBe('draft');
    expect(mine.data.myRole).toBe('legal');

    const sub = await c.post('/api/orgs/mine/submit');
    expect(sub.statusCode).toBe(200);
    const row = await t.database.db
      .selectFrom('organizations')
      .selectAll()
      .where('id', '=', created.data.id)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('pending');
    expect((await c.get('/api/orgs/mine')).data.stateLabel).toBe('待审核');

    const reviewer = await as(t, await deptUser(t, '370100'));
    const q = await reviewer.get('/api/reviews?scope=todo');
    const item = q.data.items.find((i: { subjectId: string }) => i.subjectId === created.data.id);
    expect(item).toBeTruthy();
    const other = await as(t, await deptUser(t, '370200'));
    expect((await other.post(`/api/reviews/${item.id}/decision`, { action: 'approve' })).statusCode).toBe(403);
    const d = await reviewer.post(`/api/reviews/${item.id}/decision`, { action: 'approve' });
    expect(d.statusCode).toBe(200);
    const after = await t.database.db
      .selectFrom('organizations')
      .select(['state', 'infoUpdatedAt'])
      .where('id', '=', created.data.id)
      .executeTakeFirstOrThrow();
    expect(after.state).toBe('approved');
    expect(after.infoUpdatedAt).toBeTruthy();
  });

  it('refuses an invalid USCC and a voucher answer the rule does not allow, writing nothing', async () => {
    const c = await as(t, await makeUser(t));
    const bad = await c.post('/api/orgs', orgBody({ uscc: '914403001922038217' }));
    expect(bad.statusCode).toBe(422);
    expect(bad.data.error.fields.uscc).toBeTruthy();
    const big = await c.post('/api/orgs', orgBody({ staffCount: 800, isVoucherApplicant: true }));
    expect(big.statusCode).toBe(422);
    expect(big.data.error.fields.isVoucherApplicant).toBeTruthy();
    expect((await c.get('/api/orgs/mine')).statusCode).toBe(403);
  });

  it('a change of staff count on an approved organisation waits for review; other edits apply at once', async () => {
    const { org, legal } = await makeOrg(t, { staffCount: 50 });
    const c = await as(t, legal);
    const body = orgBody({ name: org.name, uscc: org.uscc, staffCount: 120, address: '新地址' });
    const res = await c.put('/api/orgs/mine', body);
    expect(res.statusCode).toBe(200);
    expect(res.data.changeSubmitted).toBe(true);
    let row = await t.database.db
      .selectFrom('organizations')
      .selectAll()
      .where('id', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(row.staffCount).toBe(50);
    expect(row.address).toBe('新地址');
    const reviewer = await as(t, await deptUser(t, '370100'));
    const q = await reviewer.get('/api/reviews?kind=organization_change');
    const item = q.data.items.find((i: { subjectId: string }) => i.subjectId === org.id);
    expect((await reviewer.post(`/api/reviews/${item.id}/decision`, { action: 'approve' })).statusCode).toBe(200);
    row = await t.database.db
      .selectFrom('organizations')
      .selectAll()
      .where('id', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(row.staffCount).toBe(120);
  });

  it('a change of the voucher answer waits for review too; a rejected change leaves the approved data', async () => {
    const { org, legal } = await makeOrg(t, { isVoucherApplicant: false });
    const c = await as(t, legal);
    const res = await c.put('/api/orgs/mine', orgBody({ name: org.name, uscc: org.uscc, isVoucherApplicant: true }));
    expect(res.data.changeSubmitted).toBe(true);
    const stored = await t.database.db
      .selectFrom('organizations')
      .select(['isVoucherApplicant', 'pendingChangeJson'])
      .where('id', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(stored.isVoucherApplicant).toBe(false);
    expect(stored.pendingChangeJson).toMatchObject({ isVoucherApplicant: true });
    const reviewer = await as(t, await deptUser(t, '370100'));
    const item = (await reviewer.get('/api/reviews?kind=organization_change')).data.items.find(
      (i: { subjectId: string }) => i.subjectId === org.id,
    );
    expect((await reviewer.post(`/api/reviews/${item.id}/decision`, { action: 'reject' })).statusCode).toBe(400);
    expect(
      (await reviewer.post(`/api/reviews/${item.id}/decision`, { action: 'reject', reason: '请提供证明材料' }))
        .statusCode,
    ).toBe(200);
    const after = await t.database.db
      .selectFrom('organizations')
      .select(['isVoucherApplicant', 'pendingChangeJson'])
      .where('id', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(after.isVoucherApplicant).toBe(false);
    expect(after.pendingChangeJson).toBeNull();
    const mine = await c.get('/api/orgs/mine');
    expect(mine.data.changeReview).toMatchObject({ state: 'rejected', reason: '请提供证明材料' });
  });

  it('a renamed organisation is found by its new name in the catalogue at once', async () => {
    const { org, legal } = await makeOrg(t);
    const inst = await makeInstrument(t, org.id);
    const c = await as(t, legal);
    const newName = `泰山精测研究院${Date.now() % 100000}`;
    expect((await c.put('/api/orgs/mine', orgBody({ name: newName, uscc: org.uscc }))).statusCode).toBe(200);
    const found = await c.get(`/api/catalogue/instruments?q=${encodeURIComponent(newName)}`);
    expect(found.data.items.map((i: { id: string }) => i.id)).toContain(inst.id);
    expect(found.data.items.find((i: { id: string }) => i.id === inst.id).orgName).toBe(newName);
  });

  it('blocks other writes of an organisation whose info is older than 365 days until it is updated', async () => {
    const old = new Date(t.clock.now().getTime() - 366 * 86_400_000).toISOString();
    const { org, legal } = await makeOrg(t, { infoUpdatedAt: old });
    const applicant = await makeUser(t);
    await (await as(t, applicant)).post('/api/binding/requests', { orgId: org.id });
    const req = await t.database.db
      .selectFrom('bindingRequests')
      .select('id')
      .where('userId', '=', applicant.id)
      .executeTakeFirstOrThrow();
    const c = await as(t, legal);
    expect((await c.get('/api/auth/me')).data.org.mustRefresh).toBe(true);
    const blocked = await c.post(`/api/orgs/mine/binding-requests/${req.id}/decision`, { action: 'approve' });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.data.error.code).toBe('ORG_INFO_EXPIRED');
    expect(blocked.data.error.link).toBe('/member/org/edit');
    expect(
      (
        await t.database.db
          .selectFrom('bindingRequests')
          .select('state')
          .where('id', '=', req.id)
          .executeTakeFirstOrThrow()
      ).state,
    ).toBe('pending');

    // the update itself is allowed, and lifts the block
    expect((await c.put('/api/orgs/mine', orgBody({ name: org.name, uscc: org.uscc }))).statusCode).toBe(200);
    const row = await t.database.db
      .selectFrom('organizations')
      .select('infoUpdatedAt')
      .where('id', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(row.infoUpdatedAt! > old).toBe(true);
    expect((await c.post(`/api/orgs/mine/binding-requests/${req.id}/decision`, { action: 'approve' })).statusCode).toBe(
      200,
    );
  });
});

describe('the public organisation page', () => {
  it('gives the figures of its listed instruments: count, services, rating; not found for an unlisted org', async () => {
    const { org } = await makeOrg(t);
    await makeInstrument(t, org.id, { serviceCount: 5, ratingSum: 9, ratingCount: 2 });
    await makeInstrument(t, org.id, { serviceCount: 2, ratingSum: 5, ratingCount: 1 });
    // not listed: not counted
    await makeInstrument(t, org.id, { state: 'draft', serviceCount: 40, ratingSum: 5, ratingCount: 5 });
    const c = await as(t, await makeUser(t));
    const p = await c.get(`/api/orgs/${org.id}/profile`);
    expect(p.statusCode).toBe(200);
    expect(p.data).toMatchObject({
      id: org.id,
      name: org.name,
      instrumentCount: 2,
      serviceCount: 7,
      ratingAverage: 4.7,
      ratingCount: 3,
    });
    expect(p.data.typeLabel).toBeTruthy();
    expect(p.data.cityName).toBeTruthy();

    const { org: bare } = await makeOrg(t);
    const b = await c.get(`/api/orgs/${bare.id}/profile`);
    expect(b.data).toMatchObject({ instrumentCount: 0, serviceCount: 0, ratingAverage: null, ratingCount: 0 });

    const { org: draft } = await makeOrg(t, { state: 'draft' });
    expect((await c.get(`/api/orgs/${draft.id}/profile`)).statusCode).toBe(404);
  });
});
