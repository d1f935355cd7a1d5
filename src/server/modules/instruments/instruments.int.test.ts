import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createTestApp, type TestApp } from '../../test/harness';
import { addMember, as, deptUser, instrumentBody, makeInstrument, makeOrg } from '../../test/factories';
import { checkInstrumentFields, checkInstrumentFieldsMany, insertDraft, insertDrafts } from './service';
import { png, upload } from '../files/testing';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const db = () => t.database.db;
const row = (id: string) => db().selectFrom('instruments').selectAll().where('id', '=', id).executeTakeFirst();
const reviewsOf = (id: string) =>
  db()
    .selectFrom('reviews')
    .selectAll()
    .where('subjectKind', '=', 'instrument')
    .where('subjectId', '=', id)
    .orderBy('submittedAt')
    .orderBy('id')
    .execute();
const auditOf = async (id: string) =>
  (
    await db().selectFrom('auditLog').select('action').where('subjectId', '=', id).orderBy('at').orderBy('id').execute()
  ).map((r) => r.action);
const count = async (table: 'instruments' | 'reviews' | 'files' | 'instrumentFiles') =>
  Number(
    (
      await db()
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** An approved organisation (Jinan unless said otherwise) with an org admin and a plain member, logged in. */
async function org(o: Parameters<typeof makeOrg>[1] = {}) {
  const made = await makeOrg(t, o);
  const admin = await as(t, await addMember(t, made.org.id, 'admin'));
  const member = await as(t, await addMember(t, made.org.id, 'member'));
  return { ...made, admin, member };
}

async function decide(reviewer: Client, instrumentId: string, action: 'approve' | 'reject', reason?: string) {
  const open = (await reviewsOf(instrumentId)).find((r) => r.state === 'pending');
  expect(open, 'an open review').toBeTruthy();
  return reviewer.post(`/api/reviews/${open!.id}/decision`, reason ? { action, reason } : { action });
}

describe('listing an instrument', () => {
  it('保存 keeps a draft; 提交 sends it to the city bureau; approved, it is listed and public', async () => {
    const a = await org({ cityCode: '370100' });
    const body = instrumentBody();
    const created = await a.admin.post('/api/instruments', body);
    expect(created.statusCode).toBe(201);
    expect(created.data).toMatchObject({ state: 'draft', stateLabel: '草稿', isDisabled: false });
    const id = created.data.id as string;
    const stored = (await row(id))!;
    expect(stored).toMatchObject({
      orgId: a.org.id,
      state: 'draft',
      internalNo: body.internalNo,
      model: 'SU8010',
      valueFen: 380_000_000,
      purchaseDate: '2018-05-10',
      cityCode: '370100',
    });
    expect(stored.staffJson).toEqual(body.staff);
    expect(stored.searchText).toContain('su8010');
    expect(stored.searchText).toContain(a.org.name.toLowerCase());
    const fields = await db()
      .selectFrom('instrumentFields')
      .select('fieldCode')
      .where('instrumentId', '=', id)
      .orderBy('fieldCode')
      .execute();
    expect(fields.map((f) => f.fieldCode)).toEqual(['F02', 'F03']);

    const visitor = new Client(t.app);
    expect((await visitor.get(`/api/instruments/${id}`)).statusCode).toBe(404);
    expect((await a.member.get(`/api/instruments/${id}`)).data.state).toBe('draft');

    const sub = await a.admin.post(`/api/instruments/${id}/submit`);
    expect(sub.statusCode).toBe(200);
    expect(sub.data).toMatchObject({ state: 'pending', stateLabel: '待审核' });
    expect((await row(id))!.state).toBe('pending');
    const [review] = await reviewsOf(id);
    const jinanDept = await db()
      .selectFrom('departments')
      .select('id')
      .where('code', '=', '370100')
      .executeTakeFirstOrThrow();
    expect(review).toMatchObject({
      state: 'pending',
      orgId: a.org.id,
      departmentId: jinanDept.id,
      title: '仪器入网：场发射扫描电子显微镜',
    });
    expect((await a.admin.post(`/api/instruments/${id}/submit`)).statusCode).toBe(409);

    // the Qingdao bureau is not in charge; the Jinan bureau is, and sees the whole record
    const qingdao = await as(t, await deptUser(t, '370200'));
    expect((await decide(qingdao, id, 'approve')).statusCode).toBe(403);
    const jinan = await as(t, await deptUser(t, '370100'));
    const detail = await jinan.get(`/api/reviews/${review.id}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.data.subject).toMatchObject({
      id,
      name: body.name,
      internalNo: body.internalNo,
      orgName: a.org.name,
      specs: body.specs,
    });
    expect(detail.data.actions).toContain('approve');
    expect((await jinan.get('/api/reviews/kinds')).data).toContainEqual({ kind: 'instrument', label: '仪器入网' });

    expect((await decide(jinan, id, 'approve')).statusCode).toBe(200);
    const listed = (await row(id))!;
    expect(listed.state).toBe('listed');
    expect(listed.listedAt).toBeTruthy();
    expect(await auditOf(id)).toEqual(
      expect.arrayContaining([
        'instrument.create',
        'instrument.submit',
        'review.submit',
        'review.approve',
        'instrument.approved',
      ]),
    );

    const pub = await visitor.get(`/api/instruments/${id}`);
    expect(pub.statusCode).toBe(200);
    expect(pub.data).toMatchObject({
      id,
      state: 'listed',
      stateLabel: '已入网',
      isBookable: true,
      canManage: false,
      orgName: a.org.name,
      orgCityName: '济南',
      cityName: '济南',
      categoryName: '扫描电镜',
      categoryPath: ['分析仪器', '电子光学仪器', '扫描电镜'],
      serviceFieldNames: ['高端装备', '新能源新材料'],
      internalNo: body.internalNo,
      contactPhone: body.contactPhone,
      feeStandard: body.feeStandard,
      valueFen: 380_000_000,
      staff: body.staff,
    });
    expect(pub.data).not.toHaveProperty('createdBy');
    expect(pub.data).not.toHaveProperty('searchText');
    expect((await a.admin.get(`/api/instruments/${id}`)).data.canManage).toBe(true);
    const hist = await a.member.get(`/api/instruments/${id}/history`);
    expect(hist.data.map((e: { action: string }) => e.action)).toEqual(['submit', 'approve']);
  });

  it('an instrument of a provincial unit is reviewed by the province', async () => {
    const p = await org({ cityCode: '370200', affiliation: 'province' });
    const id = (await p.admin.post('/api/instruments', instrumentBody({ cityCode: '370200' }))).data.id;
    expect((await p.admin.post(`/api/instruments/${id}/submit`)).statusCode).toBe(200);
    const province = await db()
      .selectFrom('departments')
      .select('id')
      .where('code', '=', '370000')
      .executeTakeFirstOrThrow();
    expect((await reviewsOf(id))[0].departmentId).toBe(province.id);
    expect((await decide(await as(t, await deptUser(t, '370200')), id, 'approve')).statusCode).toBe(403);
    expect((await decide(await as(t, await deptUser(t, '370000')), id, 'approve')).statusCode).toBe(200);
    expect((await row(id))!.state).toBe('listed');
  });

  it('rejected with a reason, it can be edited and resubmitted; under review it cannot be changed', async () => {
    const a = await org();
    const id = (await a.admin.post('/api/instruments', instrumentBody())).data.id;
    await a.admin.post(`/api/instruments/${id}/submit`);

    const pendingEdit = await a.admin.put(`/api/instruments/${id}`, instrumentBody({ name: '审核中改名' }));
    expect(pendingEdit.statusCode).toBe(409);
    expect(pendingEdit.data.error.message).toContain('审核中');
    expect((await row(id))!.name).toBe('场发射扫描电子显微镜');
    expect(
      (await upload(a.admin, `/api/instruments/${id}/pictures`, await png(60, 40), 'p.png', 'image/png')).statusCode,
    ).toBe(409);

    const jinan = await as(t, await deptUser(t, '370100'));
    expect((await decide(jinan, id, 'reject')).statusCode).toBe(400);
    expect((await decide(jinan, id, 'reject', '技术指标填写不完整，请补充分辨率')).statusCode).toBe(200);
    let r = (await row(id))!;
    expect(r).toMatchObject({ state: 'rejected', rejectReason: '技术指标填写不完整，请补充分辨率' });
    const list = await a.member.get('/api/instruments/mine?state=rejected');
    expect(list.data.items.find((i: { id: string }) => i.id === id)).toMatchObject({
      stateLabel: '未通过',
      rejectReason: '技术指标填写不完整，请补充分辨率',
    });

    const edit = await a.admin.put(
      `/api/instruments/${id}`,
      instrumentBody({ internalNo: r.internalNo, specs: '二次电子分辨率 0.8 nm（15 kV）' }),
    );
    expect(edit.statusCode).toBe(200);
    expect(edit.data.state).toBe('rejected');
    expect((await row(id))!.specs).toBe('二次电子分辨率 0.8 nm（15 kV）');

    expect((await a.admin.post(`/api/instruments/${id}/submit`)).statusCode).toBe(200);
    r = (await row(id))!;
    expect(r).toMatchObject({ state: 'pending', rejectReason: null });
    const all = await reviewsOf(id);
    expect(all.map((x) => x.state)).toEqual(['rejected', 'pending']);
    expect((await decide(jinan, id, 'approve')).statusCode).toBe(200);
    expect((await row(id))!.state).toBe('listed');
    const hist = (await a.member.get(`/api/instruments/${id}/history`)).data;
    expect(hist.map((e: { action: string }) => e.action)).toEqual(['submit', 'reject', 'submit', 'approve']);
    expect(hist[1].reason).toBe('技术指标填写不完整，请补充分辨率');
  });

  it('edits of a listed instrument apply at once, without review', async () => {
    const a = await org();
    const inst = await makeInstrument(t, a.org.id);
    const res = await a.admin.put(
      `/api/instruments/${inst.id}`,
      instrumentBody({
        internalNo: inst.internalNo,
        name: '冷场发射扫描电子显微镜',
        model: 'Regulus8100',
        serviceFields: ['F01'],
      }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.data.state).toBe('listed');
    const r = (await row(inst.id))!;
    expect(r).toMatchObject({ state: 'listed', name: '冷场发射扫描电子显微镜', model: 'Regulus8100' });
    expect(r.searchText).toContain('regulus8100');
    expect(r.searchText).not.toContain('su8010');
    expect(await reviewsOf(inst.id)).toEqual([]);
    expect(
      (await db().selectFrom('instrumentFields').select('fieldCode').where('instrumentId', '=', inst.id).execute()).map(
        (f) => f.fieldCode,
      ),
    ).toEqual(['F01']);
    expect((await new Client(t.app).get(`/api/instruments/${inst.id}`)).data.name).toBe('冷场发射扫描电子显微镜');
    const submit = await a.admin.post(`/api/instruments/${inst.id}/submit`);
    expect(submit.statusCode).toBe(409);
    expect(submit.data.error.message).toContain('无需再次提交');
    const audit = await db()
      .selectFrom('auditLog')
      .select('detailJson')
      .where('subjectId', '=', inst.id)
      .where('action', '=', 'instrument.update')
      .executeTakeFirstOrThrow();
    expect((audit.detailJson as { changed: string[] }).changed).toEqual(expect.arrayContaining(['name', 'model']));
  });

  it('an edit of a listed instrument may not blank a field that 提交 required', async () => {
    const a = await org();
    const inst = await makeInstrument(t, a.org.id);
    const res = await a.admin.put(
      `/api/instruments/${inst.id}`,
      instrumentBody({ internalNo: inst.internalNo, model: '', contactPhone: null }),
    );
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.data.error.fields)).toEqual(expect.arrayContaining(['model', 'contactPhone']));
    expect((await row(inst.id))!.model).toBe(inst.model);
  });

  it('停用 and 启用 a listed instrument; a disabled one shows as disabled and cannot be booked', async () => {
    const a = await org();
    const inst = await makeInstrument(t, a.org.id);
    const draft = await makeInstrument(t, a.org.id, { state: 'draft' });
    expect((await a.member.post(`/api/instruments/${inst.id}/disable`)).statusCode).toBe(403);
    const off = await a.admin.post(`/api/instruments/${inst.id}/disable`);
    expect(off.statusCode).toBe(200);
    expect(off.data).toMatchObject({ state: 'listed', isDisabled: true, stateLabel: '已停用' });
    expect((await row(inst.id))!.isDisabled).toBe(true);
    expect((await a.admin.post(`/api/instruments/${inst.id}/disable`)).statusCode).toBe(409);
    const pub = (await new Client(t.app).get(`/api/instruments/${inst.id}`)).data;
    expect(pub).toMatchObject({ isDisabled: true, isBookable: false, stateLabel: '已停用' });
    const ids = async (state: string) =>
      (await a.member.get(`/api/instruments/mine?state=${state}`)).data.items.map((i: { id: string }) => i.id);
    expect(await ids('disabled')).toEqual([inst.id]);
    expect(await ids('listed')).not.toContain(inst.id);

    const on = await a.admin.post(`/api/instruments/${inst.id}/enable`);
    expect(on.data).toMatchObject({ isDisabled: false, stateLabel: '已入网' });
    expect((await row(inst.id))!.isDisabled).toBe(false);
    expect((await a.admin.post(`/api/instruments/${inst.id}/enable`)).statusCode).toBe(409);
    expect(await auditOf(inst.id)).toEqual(['instrument.disable', 'instrument.enable']);

    const d = await a.admin.post(`/api/instruments/${draft.id}/disable`);
    expect(d.statusCode).toBe(409);
    expect(d.data.error.message).toBe('仅已入网的仪器可以停用');
  });

  it('refuses a duplicate internal number in the same organisation (409), not in another', async () => {
    const a = await org();
    const b = await org();
    const first = await a.admin.post('/api/instruments', instrumentBody({ internalNo: 'SDU-2018-001' }));
    expect(first.statusCode).toBe(201);
    const before = await count('instruments');
    const dup = await a.admin.post('/api/instruments', instrumentBody({ internalNo: ' SDU-2018-001 ' }));
    expect(dup.statusCode).toBe(409);
    expect(dup.data.error.fields.internalNo).toBeTruthy();
    expect(await count('instruments')).toBe(before);
    expect((await b.admin.post('/api/instruments', instrumentBody({ internalNo: 'SDU-2018-001' }))).statusCode).toBe(
      201,
    );

    const second = await a.admin.post('/api/instruments', instrumentBody({ internalNo: 'SDU-2018-002' }));
    const clash = await a.admin.put(
      `/api/instruments/${second.data.id}`,
      instrumentBody({ internalNo: 'SDU-2018-001' }),
    );
    expect(clash.statusCode).toBe(409);
    expect(clash.data.error.fields.internalNo).toBeTruthy();
    expect((await row(second.data.id))!.internalNo).toBe('SDU-2018-002');
    // saving with its own number is no conflict
    expect(
      (
        await a.admin.put(
          `/api/instruments/${second.data.id}`,
          instrumentBody({ internalNo: 'SDU-2018-002', room: 'B202' }),
        )
      ).statusCode,
    ).toBe(200);
  });

  it('names unknown categories, service fields and cities, and impossible dates, writing nothing', async () => {
    const a = await org();
    const before = await count('instruments');
    const cases: [Record<string, unknown>, string][] = [
      [{ categoryCode: '019999' }, 'categoryCode'],
      [{ serviceFields: ['F03', 'F99'] }, 'serviceFields'],
      [{ cityCode: '379999' }, 'cityCode'],
      [{ purchaseDate: '2023-02-30' }, 'purchaseDate'],
      [{ purchaseDate: '2020-05-01', startUseDate: '2019-01-01' }, 'startUseDate'],
    ];
    for (const [override, field] of cases) {
      const res = await a.admin.post('/api/instruments', instrumentBody(override));
      expect(res.statusCode, field).toBe(400);
      expect(res.data.error.fields[field], field).toBeTruthy();
      expect(res.data.error.message).toMatch(/^请检查以下信息：/);
    }
    const bad = await a.admin.post(
      '/api/instruments',
      instrumentBody({ valueFen: 12.5, source: '捡来', sharingMode: 'public' }),
    );
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.data.error.fields)).toEqual(expect.arrayContaining(['valueFen', 'source', 'sharingMode']));
    expect(await count('instruments')).toBe(before);
  });

  it('only an approved organisation may publish instruments', async () => {
    const p = await makeOrg(t, { state: 'pending' });
    const c = await as(t, p.legal);
    const res = await c.post('/api/instruments', instrumentBody());
    expect(res.statusCode).toBe(422);
    expect(res.data.error.message).toBe('单位入网审核通过后才能发布仪器');
    expect(await db().selectFrom('instruments').select('id').where('orgId', '=', p.org.id).execute()).toEqual([]);
  });

  it('提交 names the missing fields; a picture is not required', async () => {
    const a = await org();
    const id = (
      await a.admin.post('/api/instruments', instrumentBody({ model: null, contactPhone: null, feeStandard: '  ' }))
    ).data.id;
    const res = await a.admin.post(`/api/instruments/${id}/submit`);
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.data.error.fields).sort()).toEqual(['contactPhone', 'feeStandard', 'model']);
    expect(res.data.error.message).toContain('规格型号');
    expect((await row(id))!.state).toBe('draft');
    expect(await reviewsOf(id)).toEqual([]);
    // completed, without any picture, it goes
    expect(
      (await a.admin.put(`/api/instruments/${id}`, instrumentBody({ internalNo: (await row(id))!.internalNo })))
        .statusCode,
    ).toBe(200);
    expect((await a.admin.post(`/api/instruments/${id}/submit`)).statusCode).toBe(200);
  });

  it('删除 removes a draft with its pictures, and nothing else', async () => {
    const a = await org();
    const id = (await a.admin.post('/api/instruments', instrumentBody())).data.id;
    const pic = await upload(a.admin, `/api/instruments/${id}/pictures`, await png(120, 80), 'p.png', 'image/png');
    expect(pic.statusCode).toBe(201);
    const file = await db().selectFrom('files').selectAll().where('id', '=', pic.data.id).executeTakeFirstOrThrow();
    expect((await t.deps.storage.get(file.storageKey)).length).toBe(file.size);
    expect((await a.member.del(`/api/instruments/${id}`)).statusCode).toBe(403);
    expect((await a.admin.del(`/api/instruments/${id}`)).statusCode).toBe(200);
    expect(await row(id)).toBeUndefined();
    expect(await db().selectFrom('files').select('id').where('id', '=', file.id).execute()).toEqual([]);
    await expect(t.deps.storage.get(file.storageKey)).rejects.toThrow();
    await expect(t.deps.storage.get(file.thumbKey!)).rejects.toThrow();
    expect(await auditOf(id)).toContain('instrument.delete');

    const listed = await makeInstrument(t, a.org.id);
    const refused = await a.admin.del(`/api/instruments/${listed.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.data.error.message).toBe('仅草稿状态的仪器可以删除');
    expect(await row(listed.id)).toBeTruthy();
  });
});

describe('organisations are isolated', () => {
  it('an admin of org A can neither read, edit, submit nor delete the draft of org B', async () => {
    const a = await org({ cityCode: '370100' });
    const b = await org({ cityCode: '370100' });
    const id = (await b.admin.post('/api/instruments', instrumentBody())).data.id as string;
    const before = await row(id);
    const denialsBefore = Number(
      (
        await db()
          .selectFrom('auditLog')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('action', '=', 'permission.denied')
          .where('subjectId', '=', id)
          .executeTakeFirstOrThrow()
      ).n,
    );

    expect((await a.admin.get(`/api/instruments/${id}`)).statusCode).toBe(404);
    expect((await a.admin.get(`/api/instruments/${id}/history`)).statusCode).toBe(404);
    expect((await a.admin.put(`/api/instruments/${id}`, instrumentBody({ name: '甲单位篡改' }))).statusCode).toBe(404);
    expect((await a.admin.post(`/api/instruments/${id}/submit`)).statusCode).toBe(404);
    expect((await a.admin.del(`/api/instruments/${id}`)).statusCode).toBe(404);
    expect(
      (await upload(a.admin, `/api/instruments/${id}/pictures`, await png(60, 40), 'x.png', 'image/png')).statusCode,
    ).toBe(404);
    expect((await a.admin.get('/api/instruments/mine')).data.items.map((i: { id: string }) => i.id)).not.toContain(id);
    expect(await row(id)).toEqual(before);
    expect(await reviewsOf(id)).toEqual([]);
    const denials = Number(
      (
        await db()
          .selectFrom('auditLog')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('action', '=', 'permission.denied')
          .where('subjectId', '=', id)
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(denials - denialsBefore).toBe(4);

    // B's own member reads it; reviewers: the bureau in charge and the province, not another city
    expect((await b.member.get(`/api/instruments/${id}`)).statusCode).toBe(200);
    expect((await (await as(t, await deptUser(t, '370100'))).get(`/api/instruments/${id}`)).statusCode).toBe(200);
    expect((await (await as(t, await deptUser(t, '370000'))).get(`/api/instruments/${id}`)).statusCode).toBe(200);
    expect((await (await as(t, await deptUser(t, '370200'))).get(`/api/instruments/${id}`)).statusCode).toBe(404);

    // a listed instrument of B is visible to A, but A may not change it
    const listed = await makeInstrument(t, b.org.id);
    const put = await a.admin.put(
      `/api/instruments/${listed.id}`,
      instrumentBody({ internalNo: listed.internalNo, name: '甲单位篡改' }),
    );
    expect(put.statusCode).toBe(403);
    expect((await a.admin.post(`/api/instruments/${listed.id}/disable`)).statusCode).toBe(403);
    expect((await row(listed.id))!).toMatchObject({ name: listed.name, isDisabled: false });
  });
});

describe('我的仪器', () => {
  it('filters by state, searches name, model and internal number, and pages', async () => {
    const a = await org();
    const other = await org();
    await makeInstrument(t, other.org.id, { name: '透射电子显微镜（他单位）' });
    const made = [
      await makeInstrument(t, a.org.id, {
        name: '透射电子显微镜',
        model: 'JEM-2100F',
        internalNo: 'TEM-01',
        state: 'draft',
      }),
      await makeInstrument(t, a.org.id, {
        name: '液相色谱-质谱联用仪',
        model: 'Agilent 6545',
        internalNo: 'LCMS-01',
        state: 'pending',
      }),
      await makeInstrument(t, a.org.id, { name: 'X射线衍射仪', model: 'SmartLab', internalNo: 'XRD-01' }),
      await makeInstrument(t, a.org.id, {
        name: '核磁共振波谱仪',
        model: 'AVANCE III 600',
        internalNo: 'NMR_01',
        isDisabled: true,
      }),
      await makeInstrument(t, a.org.id, {
        name: '气相色谱仪',
        model: '7890B',
        internalNo: 'GC-01',
        state: 'rejected',
        rejectReason: '请补充图片',
      }),
    ];
    const get = async (qs: string) => (await a.member.get(`/api/instruments/mine?${qs}`)).data;
    const all = await get('');
    expect(all.total).toBe(5);
    expect(all.items.map((i: { id: string }) => i.id).sort()).toEqual(made.map((m) => m.id).sort());
    expect((await get('state=draft')).items.map((i: { name: string }) => i.name)).toEqual(['透射电子显微镜']);
    expect((await get('state=pending')).items.map((i: { name: string }) => i.name)).toEqual(['液相色谱-质谱联用仪']);
    expect((await get('state=listed')).items.map((i: { name: string }) => i.name)).toEqual(['X射线衍射仪']);
    expect((await get('state=disabled')).items.map((i: { name: string }) => i.name)).toEqual(['核磁共振波谱仪']);
    expect((await get('state=rejected')).items[0]).toMatchObject({
      name: '气相色谱仪',
      rejectReason: '请补充图片',
      stateLabel: '未通过',
    });
    expect((await get(`q=${encodeURIComponent('色谱')}`)).total).toBe(2);
    expect((await get('q=jem-2100f')).items.map((i: { internalNo: string }) => i.internalNo)).toEqual(['TEM-01']);
    expect((await get('q=xrd')).items.map((i: { name: string }) => i.name)).toEqual(['X射线衍射仪']);
    // % and _ are plain characters, not wildcards
    expect((await get(`q=${encodeURIComponent('%')}`)).total).toBe(0);
    expect((await get('q=NMR_')).total).toBe(1);
    expect((await get('q=_0')).total).toBe(1);
    const p1 = await get('pageSize=2&page=1');
    const p3 = await get('pageSize=2&page=3');
    expect(p1.items).toHaveLength(2);
    expect(p3.items).toHaveLength(1);
    expect(p3.total).toBe(5);
    expect((await a.member.get('/api/instruments/mine?state=gone')).statusCode).toBe(400);
  });
});

describe('shared with the Excel import', () => {
  it('checkInstrumentFields returns {} for a good record and names problems; insertDraft writes an indexed, audited draft', async () => {
    const a = await org();
    const f = instrumentBody({ internalNo: 'IMP-001' }) as never;
    expect(await checkInstrumentFields(db(), a.org.id, f)).toEqual({});
    const ctx = { actor: null, ip: '127.0.0.1', now: t.clock.now() };
    const id = await db()
      .transaction()
      .execute((trx) => insertDraft(trx, ctx, a.org.id, f));
    expect((await row(id))!).toMatchObject({ state: 'draft', internalNo: 'IMP-001', orgId: a.org.id });
    expect((await row(id))!.searchText).toContain('su8010');
    expect(await auditOf(id)).toEqual(['instrument.create']);
    const errors = await checkInstrumentFields(
      db(),
      a.org.id,
      instrumentBody({ internalNo: 'IMP-001', categoryCode: '999999' }) as never,
    );
    expect(Object.keys(errors).sort()).toEqual(['categoryCode', 'internalNo']);
  });

  it('the bulk check and insert give exactly what the single ones give: verdicts, stored fields, service fields, search text, audit', async () => {
    const a = await org();
    const ctx = { actor: null, ip: '127.0.0.1', now: t.clock.now() };
    const taken = instrumentBody({ internalNo: 'BULK-TAKEN' }) as never;
    await db()
      .transaction()
      .execute((trx) => insertDraft(trx, ctx, a.org.id, taken));
    const variants: Record<string, unknown>[] = [
      {},
      { serviceFields: [], cityCode: null, nameEn: '  ', model: null, specs: null },
      { serviceFields: ['F01', 'F01', 'F05'], valueFen: null, staff: [] },
      {
        name: '  X射线衍射仪 ',
        model: 'D8 ADVANCE',
        manufacturer: 'Bruker',
        sharingMode: 'internal',
        runStatus: '维修',
      },
    ];
    const bad: Record<string, unknown>[] = [
      { internalNo: 'BULK-TAKEN' },
      { internalNo: ' BULK-TAKEN ' },
      { categoryCode: '999999' },
      { serviceFields: ['F02', 'NOPE', 'ZZ'] },
      { cityCode: '999999' },
      { purchaseDate: '2019-02-30' },
      { purchaseDate: '2099-01-01' },
      { purchaseDate: '2020-01-01', startUseDate: '2019-01-01' },
      {
        internalNo: 'BULK-TAKEN',
        categoryCode: '999999',
        cityCode: '999999',
        serviceFields: ['NOPE'],
        startUseDate: '2099-01-01',
      },
    ];
    const checkRows = [...variants, ...bad].map((o, i) => instrumentBody({ internalNo: `BULK-C${i}`, ...o }) as never);
    const single = [];
    for (const f of checkRows) single.push(await checkInstrumentFields(db(), a.org.id, f, { now: ctx.now }));
    const many = await checkInstrumentFieldsMany(db(), a.org.id, checkRows, ctx.now);
    expect(many).toEqual(single);
    // key order too: the import's report lists a row's problems in this order
    expect(many.map((e) => Object.keys(e))).toEqual(single.map((e) => Object.keys(e)));
    expect(many.slice(0, variants.length)).toEqual(variants.map(() => ({})));
    expect(many.slice(variants.length).every((e) => Object.keys(e).length > 0)).toBe(true);

    // 250 records: more than one chunk of the bulk insert
    const records = Array.from({ length: 250 }, (_, i) => ({
      ...variants[i % variants.length],
      name: `仪器${i} ${variants[i % variants.length].name ?? ''}`.trim(),
    }));
    const oneIds: string[] = [];
    for (const [i, o] of records.entries())
      oneIds.push(
        await db()
          .transaction()
          .execute((trx) => insertDraft(trx, ctx, a.org.id, instrumentBody({ ...o, internalNo: `ONE-${i}` }) as never)),
      );
    const bulkIds = await db()
      .transaction()
      .execute((trx) =>
        insertDrafts(
          trx,
          ctx,
          a.org.id,
          records.map((o, i) => instrumentBody({ ...o, internalNo: `BULK-${i}` }) as never),
        ),
      );
    expect(bulkIds).toHaveLength(250);
    expect(new Set(bulkIds).size).toBe(250);
    const stored = async (ids: string[]) => {
      const rows = await db().selectFrom('instruments').selectAll().where('id', 'in', ids).execute();
      const fields = await db().selectFrom('instrumentFields').selectAll().where('instrumentId', 'in', ids).execute();
      const audit = await db()
        .selectFrom('auditLog')
        .select(['subjectId', 'action', 'toState', 'orgId', 'subjectKind'])
        .where('subjectId', 'in', ids)
        .execute();
      return ids.map((id) => {
        const { id: _id, internalNo, createdAt: _c, updatedAt: _u, ...rest } = rows.find((r) => r.id === id)!;
        return {
          ...rest,
          internalNo: internalNo.replace(/^(ONE|BULK)-/, ''),
          fields: fields
            .filter((f) => f.instrumentId === id)
            .map((f) => f.fieldCode)
            .sort(),
          audit: audit.filter((x) => x.subjectId === id).map(({ subjectId: _s, ...x }) => x),
        };
      });
    };
    const one = await stored(oneIds);
    const bulk = await stored(bulkIds);
    expect(bulk).toEqual(one);
    expect(bulk[3].searchText).toContain('d8 advance');
    expect(bulk[2].fields).toEqual(['F01', 'F05']);
    expect(bulk[0].audit).toEqual([
      { action: 'instrument.create', toState: 'draft', orgId: a.org.id, subjectKind: 'instrument' },
    ]);
  });
});
