import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../db/ids';
import { createTestApp, type TestApp } from '../../test/harness';
import { addMember, as, makeOrg, makeUser, mobile } from '../../test/factories';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const db = () => t.database.db;
const membershipOf = (userId: string) =>
  db().selectFrom('memberships').selectAll().where('userId', '=', userId).executeTakeFirst();
const requestRow = (id: string) =>
  db().selectFrom('bindingRequests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const requestsOf = (userId: string) =>
  db().selectFrom('bindingRequests').selectAll().where('userId', '=', userId).execute();
const auditOf = (subjectId: string) =>
  db().selectFrom('auditLog').selectAll().where('subjectId', '=', subjectId).orderBy('at').orderBy('id').execute();
const mailTo = (addr: string) => db().selectFrom('mailOutbox').selectAll().where('toAddr', '=', addr).execute();

describe('binding to an organisation', () => {
  it('a person applies, the admin approves: membership stored, /auth/me shows the org, the person is told by mail', async () => {
    const { org } = await makeOrg(t);
    const admin = await addMember(t, org.id, 'admin');
    const person = await makeUser(t, { realName: '王五', mobile: mobile() });
    const c = await as(t, person);

    const res = await c.post('/api/binding/requests', { orgId: org.id, note: '  我是本单位研究员 ' });
    expect(res.statusCode).toBe(201);
    const id = res.data.id as string;
    let row = await requestRow(id);
    expect(row).toMatchObject({
      userId: person.id,
      orgId: org.id,
      kind: 'bind',
      state: 'pending',
      note: '我是本单位研究员',
      decidedBy: null,
    });
    expect(await membershipOf(person.id)).toBeUndefined();

    const mine = await c.get('/api/binding/mine');
    expect(mine.statusCode).toBe(200);
    expect(mine.data.membership).toBeNull();
    expect(mine.data.requests).toEqual([
      expect.objectContaining({ id, kind: 'bind', state: 'pending', orgId: org.id, orgName: org.name }),
    ]);

    const a = await as(t, admin);
    const list = await a.get('/api/orgs/mine/binding-requests?state=pending');
    expect(list.statusCode).toBe(200);
    const item = list.data.items.find((i: { id: string }) => i.id === id);
    expect(item).toMatchObject({
      userId: person.id,
      realName: '王五',
      mobile: person.mobile,
      email: person.email,
      state: 'pending',
    });
    expect(JSON.stringify(list.data)).not.toMatch(/passwordHash|\$argon|\$2[aby]\$/);

    const d = await a.post(`/api/orgs/mine/binding-requests/${id}/decision`, { action: 'approve' });
    expect(d.statusCode).toBe(200);
    expect(d.data).toEqual({ id, state: 'approved' });
    row = await requestRow(id);
    expect(row.state).toBe('approved');
    expect(row.decidedBy).toBe(admin.id);
    expect(row.decidedAt).toBeTruthy();
    const m = await membershipOf(person.id);
    expect(m).toMatchObject({ orgId: org.id, role: 'member' });

    const me = await c.get('/api/auth/me');
    expect(me.data.org).toMatchObject({ id: org.id, name: org.name, role: 'member' });
    expect(me.data.roles).toContain('member');
    const mine2 = await c.get('/api/binding/mine');
    expect(mine2.data.membership).toMatchObject({
      orgId: org.id,
      orgName: org.name,
      role: 'member',
      orgState: 'approved',
    });
    expect(mine2.data.requests[0]).toMatchObject({ id, state: 'approved' });

    const audit = await auditOf(id);
    expect(audit.map((e) => e.action)).toEqual(['binding.request', 'binding.approve']);
    expect(audit[1]).toMatchObject({ actorId: admin.id, orgId: org.id, fromState: 'pending', toState: 'approved' });
    const mails = await mailTo(person.email!);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toContain('已通过');
    expect(mails[0].bodyText).toContain(org.name);

    // deciding again is a conflict and changes nothing
    const again = await a.post(`/api/orgs/mine/binding-requests/${id}/decision`, { action: 'reject', reason: '重复' });
    expect(again.statusCode).toBe(409);
    expect((await requestRow(id)).state).toBe('approved');
    expect(await membershipOf(person.id)).toMatchObject({ orgId: org.id });
  });

  it('a rejection needs a reason; with one the request is rejected, nothing is bound and the person sees why', async () => {
    const { org, legal } = await makeOrg(t);
    const person = await makeUser(t);
    const c = await as(t, person);
    const id = (await c.post('/api/binding/requests', { orgId: org.id })).data.id as string;
    const l = await as(t, legal);

    for (const body of [{ action: 'reject' }, { action: 'reject', reason: '   ' }]) {
      const bad = await l.post(`/api/orgs/mine/binding-requests/${id}/decision`, body);
      expect(bad.statusCode).toBe(400);
      expect(bad.data.error.fields.reason).toBeTruthy();
    }
    expect((await requestRow(id)).state).toBe('pending');

    const res = await l.post(`/api/orgs/mine/binding-requests/${id}/decision`, {
      action: 'reject',
      reason: '非本单位职工',
    });
    expect(res.statusCode).toBe(200);
    const row = await requestRow(id);
    expect(row).toMatchObject({ state: 'rejected', reason: '非本单位职工', decidedBy: legal.id });
    expect(await membershipOf(person.id)).toBeUndefined();
    expect((await c.get('/api/binding/mine')).data.requests[0]).toMatchObject({
      id,
      state: 'rejected',
      reason: '非本单位职工',
    });
    expect((await auditOf(id)).map((e) => e.action)).toEqual(['binding.request', 'binding.reject']);
    const mails = await mailTo(person.email!);
    expect(mails).toHaveLength(1);
    expect(mails[0].bodyText).toContain('非本单位职工');

    // after a rejection the person may apply again
    expect((await c.post('/api/binding/requests', { orgId: org.id })).statusCode).toBe(201);
  });

  it('no mail is queued for a person without an email', async () => {
    const { org, legal } = await makeOrg(t);
    const person = await makeUser(t, { email: null });
    const id = (await (await as(t, person)).post('/api/binding/requests', { orgId: org.id })).data.id as string;
    const before = await db()
      .selectFrom('mailOutbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(
      (await (await as(t, legal)).post(`/api/orgs/mine/binding-requests/${id}/decision`, { action: 'approve' }))
        .statusCode,
    ).toBe(200);
    const after = await db()
      .selectFrom('mailOutbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect(await membershipOf(person.id)).toMatchObject({ orgId: org.id });
  });

  it('refuses binding twice, while bound, while a request is pending, and to an organisation that has not joined — storing nothing', async () => {
    const { org: a } = await makeOrg(t);
    const { org: b } = await makeOrg(t);
    const { org: draft } = await makeOrg(t, { state: 'pending' });

    const member = await addMember(t, a.id);
    const cm = await as(t, member);
    for (const orgId of [a.id, b.id]) {
      const res = await cm.post('/api/binding/requests', { orgId });
      expect(res.statusCode).toBe(409);
      expect(res.data.error.code).toBe('ALREADY_BOUND');
      expect(res.data.error.fields.orgId).toBeTruthy();
    }
    expect(await requestsOf(member.id)).toHaveLength(0);

    const person = await makeUser(t);
    const c = await as(t, person);
    const notJoined = await c.post('/api/binding/requests', { orgId: draft.id });
    expect(notJoined.statusCode).toBe(422);
    expect(notJoined.data.error.fields.orgId).toBeTruthy();
    const unknown = await c.post('/api/binding/requests', { orgId: newId() });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.data.error.fields.orgId).toBeTruthy();
    const missing = await c.post('/api/binding/requests', {});
    expect(missing.statusCode).toBe(400);
    expect(missing.data.error.fields.orgId).toBeTruthy();
    expect(await requestsOf(person.id)).toHaveLength(0);

    expect((await c.post('/api/binding/requests', { orgId: a.id })).statusCode).toBe(201);
    const second = await c.post('/api/binding/requests', { orgId: b.id });
    expect(second.statusCode).toBe(409);
    expect(second.data.error.code).toBe('BINDING_PENDING');
    const same = await c.post('/api/binding/requests', { orgId: a.id });
    expect(same.statusCode).toBe(409);
    expect((await requestsOf(person.id)).map((r) => r.orgId)).toEqual([a.id]);

    // an unbound person cannot apply to unbind
    expect((await c.post('/api/binding/unbind', {})).statusCode).toBe(403);
  });

  it('the unique membership guards double binding: approving after the person got bound elsewhere is a conflict and rolls back', async () => {
    const { org: a, legal: legalA } = await makeOrg(t);
    const { org: b } = await makeOrg(t);
    const person = await makeUser(t);
    const id = (await (await as(t, person)).post('/api/binding/requests', { orgId: a.id })).data.id as string;
    // bound to B behind the rules' back (e.g. by an operator)
    await db()
      .insertInto('memberships')
      .values({ id: newId(), userId: person.id, orgId: b.id, role: 'member', createdAt: t.clock.now().toISOString() })
      .execute();
    const res = await (
      await as(t, legalA)
    ).post(`/api/orgs/mine/binding-requests/${id}/decision`, { action: 'approve' });
    expect(res.statusCode).toBe(409);
    expect(res.data.error.code).toBe('ALREADY_BOUND');
    expect((await requestRow(id)).state).toBe('pending');
    expect(await membershipOf(person.id)).toMatchObject({ orgId: b.id });
    expect((await auditOf(id)).map((e) => e.action)).toEqual(['binding.request']);
    expect(await mailTo(person.email!)).toHaveLength(0);
  });

  it('two decisions at once: exactly one wins, the other is a conflict, and the stored state matches the winner', async () => {
    const { org, legal } = await makeOrg(t);
    const admin = await addMember(t, org.id, 'admin');
    const person = await makeUser(t);
    const id = (await (await as(t, person)).post('/api/binding/requests', { orgId: org.id })).data.id as string;
    const [l, a] = await Promise.all([as(t, legal), as(t, admin)]);
    const [r1, r2] = await Promise.all([
      l.post(`/api/orgs/mine/binding-requests/${id}/decision`, { action: 'approve' }),
      a.post(`/api/orgs/mine/binding-requests/${id}/decision`, { action: 'reject', reason: '不认识' }),
    ]);
    expect([r1.statusCode, r2.statusCode].sort()).toEqual([200, 409]);
    const row = await requestRow(id);
    const approved = r1.statusCode === 200;
    expect(row.state).toBe(approved ? 'approved' : 'rejected');
    expect(row.decidedBy).toBe(approved ? legal.id : admin.id);
    expect(!!(await membershipOf(person.id))).toBe(approved);
    const decisions = (await auditOf(id)).filter(
      (e) => e.action === 'binding.approve' || e.action === 'binding.reject',
    );
    expect(decisions).toHaveLength(1);
    expect(await mailTo(person.email!)).toHaveLength(1);
  });

  it('two applications at once store one pending request', async () => {
    const { org: a } = await makeOrg(t);
    const { org: b } = await makeOrg(t);
    const person = await makeUser(t);
    const c = await as(t, person);
    const res = await Promise.all([
      c.post('/api/binding/requests', { orgId: a.id }),
      c.post('/api/binding/requests', { orgId: b.id }),
    ]);
    expect(res.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect((await requestsOf(person.id)).filter((r) => r.state === 'pending')).toHaveLength(1);
  });

  it('the applicant cancels a pending request; nobody else can, and a closed request cannot be cancelled', async () => {
    const { org } = await makeOrg(t);
    const person = await makeUser(t);
    const c = await as(t, person);
    const id = (await c.post('/api/binding/requests', { orgId: org.id })).data.id as string;

    const stranger = await as(t, await makeUser(t));
    const bad = await stranger.post(`/api/binding/requests/${id}/cancel`);
    expect(bad.statusCode).toBe(404);
    expect((await requestRow(id)).state).toBe('pending');
    const refusals = (await auditOf(id)).filter((e) => e.action === 'permission.denied');
    expect(refusals).toHaveLength(1);

    const res = await c.post(`/api/binding/requests/${id}/cancel`);
    expect(res.statusCode).toBe(200);
    expect(res.data).toEqual({ id, state: 'cancelled' });
    expect((await requestRow(id)).state).toBe('cancelled');
    expect((await auditOf(id)).map((e) => e.action)).toContain('binding.cancel');
    expect((await c.post(`/api/binding/requests/${id}/cancel`)).statusCode).toBe(409);
    expect((await c.post(`/api/binding/requests/${newId()}/cancel`)).statusCode).toBe(404);

    // a cancelled request can no longer be decided, and the person may apply again
    const l = await as(t, await addMember(t, org.id, 'admin'));
    expect((await l.post(`/api/orgs/mine/binding-requests/${id}/decision`, { action: 'approve' })).statusCode).toBe(
      409,
    );
    expect(await membershipOf(person.id)).toBeUndefined();
    expect((await c.post('/api/binding/requests', { orgId: org.id })).statusCode).toBe(201);
    expect((await c.get('/api/binding/mine')).data.requests.map((r: { state: string }) => r.state)).toEqual([
      'pending',
      'cancelled',
    ]);
  });
});

describe('unbinding', () => {
  it('a member applies to unbind, the admin approves: membership removed, the person may bind elsewhere', async () => {
    const { org: a, legal } = await makeOrg(t);
    const { org: b } = await makeOrg(t);
    const member = await addMember(t, a.id);
    const c = await as(t, member);

    const res = await c.post('/api/binding/unbind', { note: '已调离' });
    expect(res.statusCode).toBe(201);
    const id = res.data.id as string;
    expect(await requestRow(id)).toMatchObject({ kind: 'unbind', state: 'pending', orgId: a.id, note: '已调离' });
    expect((await c.post('/api/binding/unbind', {})).statusCode).toBe(409);
    // still bound while pending
    expect(await membershipOf(member.id)).toMatchObject({ orgId: a.id });

    const l = await as(t, legal);
    const list = await l.get('/api/orgs/mine/binding-requests?kind=unbind');
    expect(list.data.items.map((i: { id: string }) => i.id)).toEqual([id]);
    const d = await l.post(`/api/orgs/mine/binding-requests/${id}/decision`, { action: 'approve' });
    expect(d.statusCode).toBe(200);
    expect(await membershipOf(member.id)).toBeUndefined();
    expect((await requestRow(id)).state).toBe('approved');
    expect((await c.get('/api/auth/me')).data.org).toBeNull();
    expect((await mailTo(member.email!))[0].subject).toContain('解除绑定');

    expect((await c.post('/api/binding/requests', { orgId: b.id })).statusCode).toBe(201);
  });

  it('approving an unbind of someone no longer a member is a conflict and leaves the request pending', async () => {
    const { org, legal } = await makeOrg(t);
    const member = await addMember(t, org.id);
    const id = (await (await as(t, member)).post('/api/binding/unbind', {})).data.id as string;
    await db().deleteFrom('memberships').where('userId', '=', member.id).execute();
    const res = await (
      await as(t, legal)
    ).post(`/api/orgs/mine/binding-requests/${id}/decision`, { action: 'approve' });
    expect(res.statusCode).toBe(409);
    expect((await requestRow(id)).state).toBe('pending');
    expect((await auditOf(id)).map((e) => e.action)).toEqual(['binding.unbind_request']);
  });

  it('a rejected unbind keeps the membership', async () => {
    const { org, legal } = await makeOrg(t);
    const member = await addMember(t, org.id);
    const id = (await (await as(t, member)).post('/api/binding/unbind', {})).data.id as string;
    const res = await (
      await as(t, legal)
    ).post(`/api/orgs/mine/binding-requests/${id}/decision`, { action: 'reject', reason: '请先交接仪器' });
    expect(res.statusCode).toBe(200);
    expect(await membershipOf(member.id)).toMatchObject({ orgId: org.id, role: 'member' });
    expect((await requestRow(id)).reason).toBe('请先交接仪器');
  });

  it('the legal representative account cannot unbind', async () => {
    const { org, legal } = await makeOrg(t);
    const res = await (await as(t, legal)).post('/api/binding/unbind', {});
    expect(res.statusCode).toBe(422);
    expect(res.data.error.code).toBe('LEGAL_CANNOT_UNBIND');
    expect(await requestsOf(legal.id)).toHaveLength(0);
    expect(await membershipOf(legal.id)).toMatchObject({ orgId: org.id, role: 'legal' });
  });

  it('an admin cannot decide their own unbind request', async () => {
    const { org } = await makeOrg(t);
    const admin = await addMember(t, org.id, 'admin');
    const c = await as(t, admin);
    const id = (await c.post('/api/binding/unbind', {})).data.id as string;
    expect((await c.post(`/api/orgs/mine/binding-requests/${id}/decision`, { action: 'approve' })).statusCode).toBe(
      403,
    );
    expect((await requestRow(id)).state).toBe('pending');
    expect(await membershipOf(admin.id)).toMatchObject({ orgId: org.id, role: 'admin' });
  });
});

describe('organisation admins and roles', () => {
  it('the legal representative appoints an admin, who can then approve requests; removing the role takes it away', async () => {
    const { org, legal } = await makeOrg(t);
    const member = await addMember(t, org.id, 'member', { mobile: mobile() });
    const person = await makeUser(t);
    const id = (await (await as(t, person)).post('/api/binding/requests', { orgId: org.id })).data.id as string;

    const cm = await as(t, member);
    expect((await cm.get('/api/orgs/mine/binding-requests')).statusCode).toBe(403);
    expect((await cm.post(`/api/orgs/mine/binding-requests/${id}/decision`, { action: 'approve' })).statusCode).toBe(
      403,
    );
    expect((await requestRow(id)).state).toBe('pending');

    const l = await as(t, legal);
    const members = await l.get('/api/orgs/mine/members');
    expect(members.statusCode).toBe(200);
    expect(members.data.total).toBe(2);
    expect(members.data.items.map((m: { role: string }) => m.role)).toEqual(['legal', 'member']);
    expect(members.data.items[1]).toMatchObject({
      userId: member.id,
      mobile: member.mobile,
      email: member.email,
      role: 'member',
    });
    expect(JSON.stringify(members.data)).not.toMatch(/password/i);

    const up = await l.post(`/api/orgs/mine/members/${member.id}/role`, { role: 'admin' });
    expect(up.statusCode).toBe(200);
    expect(up.data).toMatchObject({ userId: member.id, role: 'admin' });
    expect(await membershipOf(member.id)).toMatchObject({ role: 'admin' });
    const audit = await db()
      .selectFrom('auditLog')
      .selectAll()
      .where('action', '=', 'member.role')
      .where('subjectId', '=', member.id)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: legal.id, fromState: 'member', toState: 'admin', orgId: org.id });

    const d = await cm.post(`/api/orgs/mine/binding-requests/${id}/decision`, { action: 'approve' });
    expect(d.statusCode).toBe(200);
    expect(await membershipOf(person.id)).toMatchObject({ orgId: org.id, role: 'member' });
    expect(
      (await l.get('/api/orgs/mine/members?q=' + encodeURIComponent(member.mobile!))).data.items.map(
        (m: { userId: string }) => m.userId,
      ),
    ).toEqual([member.id]);

    const down = await l.post(`/api/orgs/mine/members/${member.id}/role`, { role: 'member' });
    expect(down.statusCode).toBe(200);
    expect(await membershipOf(member.id)).toMatchObject({ role: 'member' });
    expect((await cm.get('/api/orgs/mine/binding-requests')).statusCode).toBe(403);
  });

  it('only the legal representative changes roles, never of the legal account nor of another organisation’s users', async () => {
    const { org, legal } = await makeOrg(t);
    const { org: other } = await makeOrg(t);
    const admin = await addMember(t, org.id, 'admin');
    const member = await addMember(t, org.id);
    const outsider = await addMember(t, other.id);
    const unbound = await makeUser(t);

    const a = await as(t, admin);
    expect((await a.post(`/api/orgs/mine/members/${member.id}/role`, { role: 'admin' })).statusCode).toBe(403);
    expect((await a.post(`/api/orgs/mine/members/${admin.id}/role`, { role: 'member' })).statusCode).toBe(403);
    expect(await membershipOf(member.id)).toMatchObject({ role: 'member' });
    expect(await membershipOf(admin.id)).toMatchObject({ role: 'admin' });

    const l = await as(t, legal);
    const self = await l.post(`/api/orgs/mine/members/${legal.id}/role`, { role: 'member' });
    expect(self.statusCode).toBe(422);
    expect(self.data.error.fields.role).toBeTruthy();
    expect(await membershipOf(legal.id)).toMatchObject({ role: 'legal' });

    const foreign = await l.post(`/api/orgs/mine/members/${outsider.id}/role`, { role: 'admin' });
    expect(foreign.statusCode).toBe(404);
    expect(await membershipOf(outsider.id)).toMatchObject({ orgId: other.id, role: 'member' });
    const denied = await db()
      .selectFrom('auditLog')
      .selectAll()
      .where('action', '=', 'permission.denied')
      .where('subjectId', '=', outsider.id)
      .execute();
    expect(denied).toHaveLength(1);
    expect((await l.post(`/api/orgs/mine/members/${unbound.id}/role`, { role: 'admin' })).statusCode).toBe(404);
    expect(await membershipOf(unbound.id)).toBeUndefined();
    expect((await l.post(`/api/orgs/mine/members/${member.id}/role`, { role: 'legal' })).statusCode).toBe(400);
    expect(await membershipOf(member.id)).toMatchObject({ role: 'member' });
  });

  it('an admin of org A neither sees nor decides org B’s requests, and the attempt is recorded', async () => {
    const { org: a } = await makeOrg(t);
    const { org: b, legal: legalB } = await makeOrg(t);
    const adminA = await addMember(t, a.id, 'admin');
    const person = await makeUser(t);
    const id = (await (await as(t, person)).post('/api/binding/requests', { orgId: b.id })).data.id as string;

    const ca = await as(t, adminA);
    const list = await ca.get('/api/orgs/mine/binding-requests');
    expect(list.statusCode).toBe(200);
    expect(list.data.items.map((i: { id: string }) => i.id)).not.toContain(id);
    expect(list.data.total).toBe(0);
    const members = await ca.get('/api/orgs/mine/members');
    expect(members.data.items.every((m: { userId: string }) => m.userId !== legalB.id)).toBe(true);

    for (const body of [{ action: 'approve' }, { action: 'reject', reason: '无' }]) {
      const res = await ca.post(`/api/orgs/mine/binding-requests/${id}/decision`, body);
      expect(res.statusCode).toBe(404);
    }
    const unknown = await ca.post(`/api/orgs/mine/binding-requests/${newId()}/decision`, { action: 'approve' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.data.error.message).toBe(
      (await ca.post(`/api/orgs/mine/binding-requests/${id}/decision`, { action: 'approve' })).data.error.message,
    );

    expect(await requestRow(id)).toMatchObject({ state: 'pending', decidedBy: null, orgId: b.id });
    expect(await membershipOf(person.id)).toBeUndefined();
    const denied = (await auditOf(id)).filter((e) => e.action === 'permission.denied');
    expect(denied).toHaveLength(3);
    expect(denied[0].actorId).toBe(adminA.id);

    // B's own legal representative still can
    expect(
      (await (await as(t, legalB)).post(`/api/orgs/mine/binding-requests/${id}/decision`, { action: 'approve' }))
        .statusCode,
    ).toBe(200);
    expect(await membershipOf(person.id)).toMatchObject({ orgId: b.id });
  });

  it('lists requests newest first, paged and filtered, only of the own organisation', async () => {
    const { org, legal } = await makeOrg(t);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const p = await makeUser(t);
      ids.push((await (await as(t, p)).post('/api/binding/requests', { orgId: org.id })).data.id);
      t.clock.advance(1000);
    }
    const l = await as(t, legal);
    await l.post(`/api/orgs/mine/binding-requests/${ids[0]}/decision`, { action: 'reject', reason: '不符合' });
    const page1 = await l.get('/api/orgs/mine/binding-requests?page=1&pageSize=2');
    expect(page1.data.total).toBe(3);
    expect(page1.data.items.map((i: { id: string }) => i.id)).toEqual([ids[2], ids[1]]);
    const page2 = await l.get('/api/orgs/mine/binding-requests?page=2&pageSize=2');
    expect(page2.data.items.map((i: { id: string }) => i.id)).toEqual([ids[0]]);
    expect(page2.data.items[0]).toMatchObject({ state: 'rejected', reason: '不符合', decidedByName: legal.realName });
    const pending = await l.get('/api/orgs/mine/binding-requests?state=pending');
    expect(pending.data.total).toBe(2);
    expect((await l.get('/api/orgs/mine/binding-requests?state=nonsense')).statusCode).toBe(400);
  });
});
