import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, Client, type TestApp } from '../../test/harness';
import { addMember, as, deptUser, makeInstrument, makeOrg } from '../../test/factories';
import { pdf, upload } from '../files/testing';

let t: TestApp;
let owner: Client; // admin of an enterprise in 济南
let ownerUser: { username: string | null };
let member: Client; // a plain member of it
let other: Client; // admin of another organisation
let jinan: Client;
let qingdao: Client;
let visitor: Client;
let orgId: string;
let univ: string;

const day = (offset: number) =>
  new Date(t.clock.now().getTime() + 8 * 3600_000 + offset * 86_400_000).toISOString().slice(0, 10);
const body = (o: Record<string, unknown> = {}) => ({
  kind: 'demand',
  title: '求购扫描电镜检测服务',
  content: '我公司需对一批铝合金样品进行扫描电镜形貌观察及能谱分析，约 20 个样品，要求两周内出具报告。',
  categories: ['010102'],
  fields: ['F03'],
  amountFen: 500_000,
  amountNote: '可议',
  contactName: '王经理',
  contactPhone: '13900001111',
  contactEmail: 'wang@example.com',
  validUntil: day(30),
  ...o,
});

beforeAll(async () => {
  t = await createTestApp();
  const a = await makeOrg(t, { name: '济南新材科技有限公司', cityCode: '370100' });
  orgId = a.org.id;
  ownerUser = await addMember(t, orgId, 'admin');
  owner = await as(t, ownerUser);
  member = await as(t, await addMember(t, orgId, 'member'));
  const b = await makeOrg(t, { name: '山东理工大学', cityCode: '370300', type: 'university' });
  univ = b.org.id;
  other = await as(t, await addMember(t, univ, 'admin'));
  await makeInstrument(t, univ, { name: '场发射扫描电子显微镜', categoryCode: '010102', serviceFields: ['F03'] });
  await makeInstrument(t, univ, { name: 'X射线衍射仪', categoryCode: '010301', serviceFields: ['F02'] });
  jinan = await as(t, await deptUser(t, '370100'));
  qingdao = await as(t, await deptUser(t, '370200'));
  visitor = new Client(t.app);
});
afterAll(async () => {
  await t?.close();
});

const stored = (id: string) =>
  t.database.db.selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const publicIds = async (c: Client = visitor, q = '') =>
  (await c.get(`/api/posts?pageSize=100${q}`)).data.items.map((i: any) => i.id);
async function approve(id: string, reviewer = jinan) {
  const r = await t.database.db
    .selectFrom('reviews')
    .select('id')
    .where('subjectKind', '=', 'post')
    .where('subjectId', '=', id)
    .where('state', '=', 'pending')
    .executeTakeFirstOrThrow();
  return reviewer.post(`/api/reviews/${r.id}/decision`, { action: 'approve' });
}

describe('post states and public visibility', () => {
  it('draft → pending → published: only then public, with contacts for logged-in users only', async () => {
    const created = await owner.post('/api/posts', body());
    expect(created.statusCode).toBe(201);
    const id = created.data.id;
    expect(await publicIds()).not.toContain(id);
    expect((await visitor.get(`/api/posts/${id}`)).statusCode).toBe(404);
    expect((await owner.post(`/api/posts/${id}/submit`)).data.state).toBe('pending');
    // the review is in the 济南 bureau's queue, not in 青岛's
    const todo = (await jinan.get('/api/reviews?scope=todo&kind=post')).data.items.map((i: any) => i.subjectId);
    expect(todo).toContain(id);
    expect(
      (await qingdao.get('/api/reviews?scope=todo&kind=post')).data.items.map((i: any) => i.subjectId),
    ).not.toContain(id);
    // the 济南 reviewers are told in the message centre; 青岛's are not
    const told = (await jinan.get('/api/messages')).data.items.find((m: any) => m.title === '待审核：供需发布');
    expect(told.link).toMatch(/^\/review\//);
    expect((await qingdao.get('/api/messages')).data.items.filter((m: any) => m.title === '待审核：供需发布')).toEqual(
      [],
    );
    expect((await approve(id, qingdao)).statusCode).toBe(403);
    expect((await approve(id)).statusCode).toBe(200);
    expect(await stored(id)).toMatchObject({ state: 'published' });
    expect(await publicIds()).toContain(id);
    const anon = (await visitor.get(`/api/posts/${id}`)).data;
    expect(anon).toMatchObject({
      title: '求购扫描电镜检测服务',
      contact: null,
      contactHidden: true,
      kindLabel: '需求',
    });
    expect(JSON.stringify(anon)).not.toContain('13900001111');
    const logged = (await other.get(`/api/posts/${id}`)).data;
    expect(logged.contact).toEqual({ name: '王经理', phone: '13900001111', email: 'wang@example.com' });
    // matching: the listed instruments whose category or field fits
    const m = (await visitor.get(`/api/posts/${id}/matches`)).data;
    expect(m.basis).toBe('category_or_field');
    expect(m.items.map((i: any) => i.name)).toEqual(['场发射扫描电子显微镜']);
  });

  it('editing a published post sends it back to review; the published version stays until approved', async () => {
    const id = (await owner.post('/api/posts', body({ title: '需要 X 射线衍射物相分析' }))).data.id;
    await owner.post(`/api/posts/${id}/submit`);
    await approve(id);
    const edit = await owner.put(`/api/posts/${id}`, body({ title: '需要 X 射线衍射物相分析（加急）' }));
    expect(edit.data.state).toBe('pending');
    expect((await visitor.get(`/api/posts/${id}`)).data.title).toBe('需要 X 射线衍射物相分析');
    const own = (await owner.get(`/api/posts/${id}/edit`)).data;
    expect(own).toMatchObject({
      state: 'pending',
      isVisible: true,
      draft: { title: '需要 X 射线衍射物相分析（加急）' },
      published: { title: '需要 X 射线衍射物相分析' },
    });
    await approve(id);
    expect((await visitor.get(`/api/posts/${id}`)).data.title).toBe('需要 X 射线衍射物相分析（加急）');
  });

  it('a rejected edit keeps the published version; the reason is shown to the owner', async () => {
    const id = (await owner.post('/api/posts', body({ title: '提供材料力学性能测试服务', kind: 'supply' }))).data.id;
    await owner.post(`/api/posts/${id}/submit`);
    await approve(id);
    await owner.put(`/api/posts/${id}`, body({ title: '提供材料力学性能测试服务（含广告链接）', kind: 'supply' }));
    const r = await t.database.db
      .selectFrom('reviews')
      .select('id')
      .where('subjectId', '=', id)
      .where('state', '=', 'pending')
      .executeTakeFirstOrThrow();
    expect(
      (await jinan.post(`/api/reviews/${r.id}/decision`, { action: 'reject', reason: '内容含有广告信息' })).statusCode,
    ).toBe(200);
    expect(await stored(id)).toMatchObject({ state: 'rejected', rejectReason: '内容含有广告信息' });
    expect((await visitor.get(`/api/posts/${id}`)).data.title).toBe('提供材料力学性能测试服务');
    const m = (await visitor.get(`/api/posts/${id}/matches`)).data;
    expect(m.basis).toBe('organization');
  });

  it('停用 hides it; 启用 sends it to review, hidden until approved', async () => {
    const id = (await owner.post('/api/posts', body({ title: '寻求液相色谱检测合作' }))).data.id;
    await owner.post(`/api/posts/${id}/submit`);
    await approve(id);
    expect(await publicIds()).toContain(id);
    expect((await owner.post(`/api/posts/${id}/disable`)).data.state).toBe('disabled');
    expect(await publicIds()).not.toContain(id);
    expect((await visitor.get(`/api/posts/${id}`)).statusCode).toBe(404);
    expect((await owner.post(`/api/posts/${id}/disable`)).statusCode).toBe(409);
    expect((await owner.post(`/api/posts/${id}/enable`)).data.state).toBe('pending');
    expect(await publicIds()).not.toContain(id);
    await approve(id);
    expect(await publicIds()).toContain(id);
  });

  it('a post past its valid-until day disappears from public lists by itself', async () => {
    const id = (await owner.post('/api/posts', body({ title: '短期检测需求：三天内有效', validUntil: day(2) }))).data
      .id;
    await owner.post(`/api/posts/${id}/submit`);
    await approve(id);
    expect(await publicIds()).toContain(id);
    t.clock.advanceDays(3);
    try {
      expect(await publicIds()).not.toContain(id);
      expect((await visitor.get(`/api/posts/${id}`)).statusCode).toBe(404);
      // three days on, the owner logs in again and sees it as expired in 我的需求
      const later = await as(t, ownerUser);
      const mine = (await later.get('/api/posts/mine?pageSize=100')).data.items.find((i: any) => i.id === id);
      expect(mine).toMatchObject({ state: 'published', isExpired: true });
    } finally {
      t.clock.advanceDays(-3);
    }
    owner = await as(t, ownerUser);
  });

  it('filters: type, keyword, category, service field, city', async () => {
    const all = await publicIds();
    expect(all.length).toBeGreaterThan(2);
    const supply = (await visitor.get('/api/posts?kind=supply')).data.items;
    expect(supply.every((i: any) => i.kind === 'supply')).toBe(true);
    expect(
      (await visitor.get(`/api/posts?q=${encodeURIComponent('求购')}`)).data.items.map((i: any) => i.title),
    ).toEqual(['求购扫描电镜检测服务']);
    expect((await visitor.get('/api/posts?category=0101')).data.total).toBeGreaterThan(0);
    expect((await visitor.get('/api/posts?category=0203')).data.total).toBe(0);
    expect((await visitor.get('/api/posts?field=F03')).data.total).toBeGreaterThan(0);
    expect((await visitor.get('/api/posts?city=370200')).data.total).toBe(0);
    expect((await visitor.get('/api/posts?city=370100')).data.total).toBe(all.length);
    // in 我的需求 a typed % or _ matches itself, not everything
    expect((await owner.get('/api/posts/mine?q=%25')).data.total).toBe(0);
    expect((await owner.get('/api/posts/mine?q=_')).data.total).toBe(0);
    expect((await owner.get(`/api/posts/mine?q=${encodeURIComponent('求购')}`)).data.total).toBe(1);
  });

  it('refuses bad input naming the field, other organisations, and plain members', async () => {
    const bad = await owner.post('/api/posts', body({ validUntil: day(-1), categories: ['999999'] }));
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.data.error.fields).sort()).toEqual(['categories', 'validUntil']);
    expect((await member.post('/api/posts', body())).statusCode).toBe(403);
    const id = (await owner.post('/api/posts', body({ title: '仅本单位可管理的草稿' }))).data.id;
    const before = await stored(id);
    expect((await other.put(`/api/posts/${id}`, body({ title: '被他人修改' }))).statusCode).toBe(404);
    expect((await other.post(`/api/posts/${id}/submit`)).statusCode).toBe(404);
    expect((await other.get(`/api/posts/${id}/edit`)).statusCode).toBe(404);
    expect(await stored(id)).toEqual(before);
    expect((await other.get('/api/posts/mine')).data.items.map((i: any) => i.id)).not.toContain(id);
  });

  it('attachments: checked by content, public with the post, deleted with a draft', async () => {
    const id = (await owner.post('/api/posts', body({ title: '带附件的需求说明' }))).data.id;
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]);
    expect((await upload(owner, `/api/posts/${id}/attachments`, exe, 'spec.pdf', 'application/pdf')).statusCode).toBe(
      415,
    );
    const ok = await upload(owner, `/api/posts/${id}/attachments`, pdf('spec'), '需求说明.pdf', 'application/pdf');
    expect(ok.statusCode).toBe(201);
    expect((await visitor.get(`/api/files/${ok.data.id}`)).statusCode).toBe(404); // not public yet
    expect((await owner.get(`/api/files/${ok.data.id}`)).statusCode).toBe(200);
    expect((await owner.del(`/api/posts/${id}`)).statusCode).toBe(200);
    expect(
      await t.database.db.selectFrom('files').select('id').where('id', '=', ok.data.id).executeTakeFirst(),
    ).toBeUndefined();
    // a post that was published once cannot be deleted, only disabled
    const pub = (await owner.post('/api/posts', body({ title: '发布后不可删除的信息' }))).data.id;
    await owner.post(`/api/posts/${pub}/submit`);
    await approve(pub);
    expect((await owner.del(`/api/posts/${pub}`)).statusCode).toBe(409);
  });
});
