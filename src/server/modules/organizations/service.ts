import type { FastifyRequest } from 'fastify';
import { badInput, conflict, forbidden, notFound, ruleBroken, type FieldErrors } from '../../../domain/errors';
import {
  canSubmit,
  mustRefreshInfo,
  ORG_STATE_LABEL,
  REVIEWED_FIELDS,
  voucherQuestionApplies,
  type OrgState,
} from '../../../domain/organization';
import { cityName, ORG_TYPES, PROVINCE } from '../../../domain/reference';
import { isValidUscc } from '../../../domain/uscc';
import type { OrgFieldsT } from '../../../contracts/organizations';
import { isUniqueViolation, type Db } from '../../db/connect';
import { newId } from '../../db/ids';
import type { OrganizationsTable } from '../../db/types';
import type { Deps } from '../../deps';
import type { Actor } from '../../http/actor';
import { auditCtx } from '../../http/session';
import { record, type AuditContext } from '../audit/service';
import * as reviews from '../reviews/service';
import { reindexOrganization } from '../catalogue/indexer';
import { assertIdentityOrg } from '../identity/service';

export const JOIN = 'organization';
export const CHANGE = 'organization_change';

type Row = OrganizationsTable;
type Fields = Omit<OrgFieldsT, 'commitmentAccepted'>;

/** Required for 提交, with the section they belong to. */
const REQUIRED_FOR_SUBMIT: [keyof Fields, string][] = [
  ['address', '详细地址'],
  ['legalPerson', '法定代表人'],
  ['phone', '单位电话'],
  ['intro', '单位简介'],
  ['bankName', '开户银行'],
  ['bankAccount', '银行账号'],
  ['bankAccountName', '账户名称'],
  ['liaisonName', '联络员姓名'],
  ['liaisonPhone', '联络员电话'],
  ['liaisonEmail', '联络员邮箱'],
  ['staffCount', '职工人数'],
  ['revenueFen', '上年营业收入'],
];

async function departmentFor(db: Db, cityCode: string, affiliation: 'city' | 'province'): Promise<string> {
  const city = await db
    .selectFrom('cities')
    .select(['code', 'isInProvince', 'isEnabled'])
    .where('code', '=', cityCode)
    .executeTakeFirst();
  if (!city || !city.isEnabled) throw badInput('UNKNOWN_CITY', '所在地市不存在', { cityCode: '请选择所在地市' });
  const code = affiliation === 'province' || !city.isInProvince ? PROVINCE.code : city.code;
  const d = await db.selectFrom('departments').select('id').where('code', '=', code).executeTakeFirstOrThrow();
  return d.id;
}

/** Checks that do not depend on state: USCC, the voucher rule, SME answers. */
function checkFields(f: Fields) {
  const errors: FieldErrors = {};
  if (!isValidUscc(f.uscc)) errors.uscc = '统一社会信用代码校验未通过，请核对';
  const applies = voucherQuestionApplies({
    cityCode: f.cityCode,
    staffCount: f.staffCount,
    revenueFen: f.revenueFen,
    type: f.type,
  });
  if (!applies && f.isVoucherApplicant)
    errors.isVoucherApplicant = '仅省内、500 人以下、上年营收 2 亿元以下的企业可申请创新券';
  if (f.type !== 'enterprise' && f.isSmallMicro) errors.isSmallMicro = '仅企业可填写是否小微企业';
  if (Object.keys(errors).length) throw ruleBroken('ORG_RULES', Object.values(errors)[0], errors);
  return {
    ...f,
    isVoucherApplicant: applies ? (f.isVoucherApplicant ?? null) : null,
    isSmallMicro: f.type === 'enterprise' ? (f.isSmallMicro ?? null) : null,
  };
}

function checkComplete(
  row: Pick<Row, keyof Fields> & {
    type: string;
    cityCode: string;
    staffCount: number | null;
    revenueFen: number | null;
  },
) {
  const errors: FieldErrors = {};
  for (const [k, label] of REQUIRED_FOR_SUBMIT) {
    const v = (row as Record<string, unknown>)[k];
    if (v === null || v === undefined || v === '') errors[k] = `请填写${label}`;
  }
  if (row.type === 'enterprise' && (row as Row).isSmallMicro == null) errors.isSmallMicro = '请选择是否小微企业';
  if (
    voucherQuestionApplies({ ...row, revenueFen: row.revenueFen, staffCount: row.staffCount }) &&
    (row as Row).isVoucherApplicant == null
  )
    errors.isVoucherApplicant = '请选择是否申请创新券';
  if (Object.keys(errors).length)
    throw badInput('ORG_INCOMPLETE', `请完善单位信息：${Object.values(errors).join('、')}`, errors);
}

const dbFields = (f: ReturnType<typeof checkFields>) => ({
  name: f.name,
  uscc: f.uscc,
  type: f.type,
  cityCode: f.cityCode,
  affiliation: f.affiliation,
  district: f.district ?? null,
  address: f.address ?? null,
  postalCode: f.postalCode ?? null,
  legalPerson: f.legalPerson ?? null,
  phone: f.phone ?? null,
  foundedOn: f.foundedOn ?? null,
  website: f.website ?? null,
  intro: f.intro ?? null,
  bankName: f.bankName ?? null,
  bankAccount: f.bankAccount?.replace(/\s/g, '') ?? null,
  bankAccountName: f.bankAccountName ?? null,
  liaisonName: f.liaisonName ?? null,
  liaisonPhone: f.liaisonPhone ?? null,
  liaisonEmail: f.liaisonEmail ?? null,
  staffCount: f.staffCount ?? null,
  revenueFen: f.revenueFen ?? null,
  isSmallMicro: f.isSmallMicro,
  isVoucherApplicant: f.isVoucherApplicant,
});

async function usccTaken(db: Db, uscc: string, exceptId?: string) {
  let q = db.selectFrom('organizations').select('id').where('uscc', '=', uscc);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return !!(await q.executeTakeFirst());
}
const USCC_TAKEN = () =>
  conflict('USCC_TAKEN', '该统一社会信用代码已被其他单位注册', { uscc: '该统一社会信用代码已被注册' });

/** A person registers a new organisation and becomes its legal representative account. */
export async function create(deps: Deps, req: FastifyRequest, actor: Actor, body: OrgFieldsT) {
  if (actor.org) throw conflict('ALREADY_BOUND', '您已绑定单位，请先解除绑定后再注册新单位');
  const { db } = deps.database;
  const pending = await db
    .selectFrom('bindingRequests')
    .select('id')
    .where('userId', '=', actor.userId)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  if (pending) throw conflict('BINDING_PENDING', '您有待审核的绑定申请，请先撤回');
  const f = checkFields(body);
  await assertIdentityOrg(db, actor.userId, f);
  if (await usccTaken(db, f.uscc)) throw USCC_TAKEN();
  const now = deps.clock.now().toISOString();
  const id = newId();
  const departmentId = await departmentFor(db, f.cityCode, f.affiliation);
  try {
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('organizations')
        .values({
          id,
          ...dbFields(f),
          commitmentAcceptedAt: now,
          state: 'draft',
          rejectReason: null,
          departmentId,
          legalUserId: actor.userId,
          pendingChangeJson: null,
          infoUpdatedAt: null,
          submittedAt: null,
          approvedAt: null,
          createdAt: now,
          updatedAt: now,
        })
        .execute();
      await trx
        .insertInto('memberships')
        .values({ id: newId(), userId: actor.userId, orgId: id, role: 'legal', createdAt: now })
        .execute();
      await record(trx, auditCtx(deps, req), {
        action: 'organization.create',
        subjectKind: JOIN,
        subjectId: id,
        toState: 'draft',
        orgId: id,
      });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw USCC_TAKEN();
    throw e;
  }
  return { id, state: 'draft', appliedAt: now, changeSubmitted: false };
}

async function loadOwn(db: Db, actor: Actor): Promise<Row> {
  if (!actor.org) throw notFound('单位');
  const row = await db.selectFrom('organizations').selectAll().where('id', '=', actor.org.id).executeTakeFirst();
  if (!row) throw notFound('单位');
  return row;
}

/** 保存: a draft or rejected organisation takes every field; an approved one applies plain fields at once and sends reviewed ones to review. */
export async function save(deps: Deps, req: FastifyRequest, actor: Actor, body: OrgFieldsT) {
  const { db } = deps.database;
  const f = checkFields(body);
  const ctx = auditCtx(deps, req);
  const now = ctx.now.toISOString();
  return db.transaction().execute(async (trx) => {
    const row = await loadOwn(trx, actor);
    if (row.state === 'pending') throw conflict('ORG_UNDER_REVIEW', '单位信息正在审核中，暂不能修改');
    await assertIdentityOrg(trx, actor.userId, f, row);
    if (f.uscc !== row.uscc && (await usccTaken(trx, f.uscc, row.id))) throw USCC_TAKEN();
    const departmentId = await departmentFor(trx, f.cityCode, f.affiliation);
    const next = dbFields(f);
    if (row.state !== 'approved') {
      await trx
        .updateTable('organizations')
        .set({ ...next, departmentId, commitmentAcceptedAt: now, updatedAt: now })
        .where('id', '=', row.id)
        .execute();
      await record(trx, ctx, {
        action: 'organization.save',
        subjectKind: JOIN,
        subjectId: row.id,
        fromState: row.state,
        toState: row.state,
      });
      return { id: row.id, state: row.state, appliedAt: now, changeSubmitted: false };
    }
    // approved: reviewed fields wait for review, the rest applies now
    if (f.uscc !== row.uscc)
      throw ruleBroken('USCC_LOCKED', '已入网单位不能修改统一社会信用代码', { uscc: '已入网单位不能修改' });
    const change: Record<string, unknown> = {};
    for (const k of REVIEWED_FIELDS) {
      if ((next as Record<string, unknown>)[k] !== (row as unknown as Record<string, unknown>)[k])
        change[k] = (next as Record<string, unknown>)[k];
    }
    const plain = Object.fromEntries(
      Object.entries(next).filter(([k]) => !(REVIEWED_FIELDS as readonly string[]).includes(k)),
    );
    checkComplete({ ...row, ...next } as never);
    const changeReview = await reviews.statusOf(trx, CHANGE, row.id);
    if (Object.keys(change).length && changeReview?.open)
      throw conflict('CHANGE_UNDER_REVIEW', '上次提交的单位信息变更仍在审核中，请等待审核结果');
    await trx
      .updateTable('organizations')
      .set({
        ...plain,
        departmentId,
        commitmentAcceptedAt: now,
        infoUpdatedAt: now,
        updatedAt: now,
        ...(Object.keys(change).length ? { pendingChangeJson: JSON.stringify(change) } : {}),
      })
      .where('id', '=', row.id)
      .execute();
    await record(trx, ctx, {
      action: 'organization.update',
      subjectKind: JOIN,
      subjectId: row.id,
      fromState: 'approved',
      toState: 'approved',
      detail: { reviewedChange: Object.keys(change) },
    });
    // the catalogue searches and shows the organisation's name and city with its instruments
    if (next.name !== row.name || next.cityCode !== row.cityCode)
      await reindexOrganization(trx, deps.database.dialect, row.id);
    if (Object.keys(change).length) {
      await reviews.submit(trx, ctx, {
        kind: CHANGE,
        subjectId: row.id,
        orgId: row.id,
        title: `单位信息变更：${f.name}`,
        departments: [departmentId],
      });
    }
    return { id: row.id, state: row.state, appliedAt: now, changeSubmitted: Object.keys(change).length > 0 };
  });
}

/** 提交: sends a draft or rejected organisation to its competent department. */
export async function submit(deps: Deps, req: FastifyRequest, actor: Actor) {
  const ctx = auditCtx(deps, req);
  return deps.database.db.transaction().execute(async (trx) => {
    const row = await loadOwn(trx, actor);
    if (!canSubmit(row.state))
      throw conflict(
        'ORG_NOT_SUBMITTABLE',
        row.state === 'pending' ? '已提交，请等待主管部门审核' : '单位已入网，无需再次提交',
      );
    checkComplete(row);
    const res = await trx
      .updateTable('organizations')
      .set({ state: 'pending', submittedAt: ctx.now.toISOString(), updatedAt: ctx.now.toISOString() })
      .where('id', '=', row.id)
      .where('state', '=', row.state)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw conflict('ORG_CHANGED', '单位状态已变化，请刷新');
    await record(trx, ctx, {
      action: 'organization.submit',
      subjectKind: JOIN,
      subjectId: row.id,
      fromState: row.state,
      toState: 'pending',
    });
    await reviews.submit(trx, ctx, {
      kind: JOIN,
      subjectId: row.id,
      orgId: row.id,
      title: `单位入网：${row.name}`,
      departments: [row.departmentId],
    });
    return { id: row.id, state: 'pending', appliedAt: null, changeSubmitted: false };
  });
}

export async function view(deps: Deps, actor: Actor) {
  const { db } = deps.database;
  const row = await loadOwn(db, actor);
  const dept = await db
    .selectFrom('departments')
    .select('name')
    .where('id', '=', row.departmentId)
    .executeTakeFirstOrThrow();
  const isAdmin = actor.org!.role !== 'member';
  const pending = typeof row.pendingChangeJson === 'string' ? JSON.parse(row.pendingChangeJson) : row.pendingChangeJson;
  return {
    ...row,
    // bank details are for the organisation's admins only
    bankName: isAdmin ? row.bankName : null,
    bankAccount: isAdmin ? row.bankAccount : null,
    bankAccountName: isAdmin ? row.bankAccountName : null,
    typeLabel: ORG_TYPES[row.type as keyof typeof ORG_TYPES] ?? row.type,
    cityName: cityName(row.cityCode),
    stateLabel: ORG_STATE_LABEL[row.state as OrgState],
    departmentName: dept.name,
    mustRefresh: row.state === 'approved' && mustRefreshInfo(row.infoUpdatedAt, deps.clock.now()),
    voucherQuestionApplies: voucherQuestionApplies(row),
    pendingChange: pending ?? null,
    joinReview: await reviews.statusOf(db, JOIN, row.id),
    changeReview: await reviews.statusOf(db, CHANGE, row.id),
    myRole: actor.org!.role,
  };
}

export async function search(db: Db, q: string, page: number, pageSize: number) {
  let query = db.selectFrom('organizations').where('state', '=', 'approved');
  if (q) query = query.where((eb) => eb.or([eb('name', 'like', `%${q}%`), eb('uscc', '=', q.toUpperCase())]));
  const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await query
    .select(['id', 'name', 'uscc', 'type', 'cityCode'])
    .orderBy('name')
    .orderBy('id')
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  return { items: rows.map(publicShape), total: Number(total.n), page, pageSize };
}

const publicShape = (r: { id: string; name: string; uscc: string; type: string; cityCode: string }) => ({
  id: r.id,
  name: r.name,
  uscc: r.uscc,
  typeLabel: ORG_TYPES[r.type as keyof typeof ORG_TYPES] ?? r.type,
  cityName: cityName(r.cityCode),
});

export async function profile(db: Db, id: string) {
  const r = await db
    .selectFrom('organizations')
    .select([
      'id',
      'name',
      'uscc',
      'type',
      'cityCode',
      'address',
      'website',
      'intro',
      'liaisonName',
      'liaisonPhone',
      'liaisonEmail',
    ])
    .where('id', '=', id)
    .where('state', '=', 'approved')
    .executeTakeFirst();
  if (!r) throw notFound('单位');
  // the public page's figures: its listed instruments, the services they gave and their ratings
  const stats = await db
    .selectFrom('instruments')
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      eb.fn.coalesce(eb.fn.sum<number>('serviceCount'), eb.lit(0)).as('services'),
      eb.fn.coalesce(eb.fn.sum<number>('ratingSum'), eb.lit(0)).as('ratingSum'),
      eb.fn.coalesce(eb.fn.sum<number>('ratingCount'), eb.lit(0)).as('ratingCount'),
    ])
    .where('orgId', '=', id)
    .where('state', '=', 'listed')
    .executeTakeFirstOrThrow();
  const ratingCount = Number(stats.ratingCount);
  return {
    ...publicShape(r),
    instrumentCount: Number(stats.n),
    serviceCount: Number(stats.services),
    ratingAverage: ratingCount ? Math.round((Number(stats.ratingSum) / ratingCount) * 10) / 10 : null,
    ratingCount,
    address: r.address,
    website: r.website,
    intro: r.intro,
    liaisonName: r.liaisonName,
    liaisonPhone: r.liaisonPhone,
    liaisonEmail: r.liaisonEmail,
  };
}

/** Review hooks: the subject's state follows the review inside the same transaction. */
export const joinSubject = {
  kind: JOIN,
  label: '单位入网',
  async onApproved(trx: Db, id: string, ctx: AuditContext) {
    const now = ctx.now.toISOString();
    await trx
      .updateTable('organizations')
      .set({ state: 'approved', rejectReason: null, approvedAt: now, infoUpdatedAt: now, updatedAt: now })
      .where('id', '=', id)
      .execute();
    await record(trx, ctx, {
      action: 'organization.approved',
      subjectKind: JOIN,
      subjectId: id,
      fromState: 'pending',
      toState: 'approved',
    });
  },
  async onRejected(trx: Db, id: string, reason: string, ctx: AuditContext) {
    await trx
      .updateTable('organizations')
      .set({ state: 'rejected', rejectReason: reason, updatedAt: ctx.now.toISOString() })
      .where('id', '=', id)
      .execute();
    await record(trx, ctx, {
      action: 'organization.rejected',
      subjectKind: JOIN,
      subjectId: id,
      fromState: 'pending',
      toState: 'rejected',
      detail: { reason },
    });
  },
  async describe(db: Db, id: string) {
    const r = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const { pendingChangeJson: _p, ...rest } = r;
    return {
      ...rest,
      typeLabel: ORG_TYPES[r.type as keyof typeof ORG_TYPES] ?? r.type,
      cityName: cityName(r.cityCode),
      voucherQuestionApplies: voucherQuestionApplies(r),
    };
  },
};

export const changeSubject = {
  kind: CHANGE,
  label: '单位信息变更',
  async onApproved(trx: Db, id: string, ctx: AuditContext) {
    const r = await trx
      .selectFrom('organizations')
      .select(['pendingChangeJson', 'cityCode', 'type', 'staffCount', 'revenueFen', 'isVoucherApplicant'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const change =
      (typeof r.pendingChangeJson === 'string' ? JSON.parse(r.pendingChangeJson) : r.pendingChangeJson) ?? {};
    const merged = { ...r, ...change };
    // the voucher answer only survives while the rule still allows it
    const voucher = voucherQuestionApplies(merged) ? (merged.isVoucherApplicant ?? false) : null;
    await trx
      .updateTable('organizations')
      .set({
        ...change,
        isVoucherApplicant: voucher,
        pendingChangeJson: null,
        infoUpdatedAt: ctx.now.toISOString(),
        updatedAt: ctx.now.toISOString(),
      })
      .where('id', '=', id)
      .execute();
    await record(trx, ctx, {
      action: 'organization.change_approved',
      subjectKind: CHANGE,
      subjectId: id,
      toState: 'approved',
      detail: change,
    });
  },
  async onRejected(trx: Db, id: string, reason: string, ctx: AuditContext) {
    await trx
      .updateTable('organizations')
      .set({ pendingChangeJson: null, updatedAt: ctx.now.toISOString() })
      .where('id', '=', id)
      .execute();
    await record(trx, ctx, {
      action: 'organization.change_rejected',
      subjectKind: CHANGE,
      subjectId: id,
      toState: 'rejected',
      detail: { reason },
    });
  },
  async describe(db: Db, id: string) {
    const r = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const change =
      (typeof r.pendingChangeJson === 'string' ? JSON.parse(r.pendingChangeJson) : r.pendingChangeJson) ?? {};
    const diff = Object.fromEntries(
      Object.entries(change).map(([k, v]) => [k, { from: (r as Record<string, unknown>)[k], to: v }]),
    );
    return {
      id: r.id,
      name: r.name,
      uscc: r.uscc,
      typeLabel: ORG_TYPES[r.type as keyof typeof ORG_TYPES] ?? r.type,
      cityName: cityName(r.cityCode),
      staffCount: r.staffCount,
      revenueFen: r.revenueFen,
      isSmallMicro: r.isSmallMicro,
      isVoucherApplicant: r.isVoucherApplicant,
      changes: diff,
    };
  },
};

export function ensureSameOrg(actor: Actor, orgId: string) {
  if (actor.org?.id !== orgId) throw forbidden('无权访问其他单位的数据');
}
