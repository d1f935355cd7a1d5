/**
 * 供需发布: an organisation's supply and demand posts, reviewed by its department through the one review mechanism,
 * and the public 供需信息 list. The owner edits a working copy; each approval copies it to `published_json`, which is
 * what the public sees, so an edit under review never changes what is shown.
 */
import type { FastifyRequest } from 'fastify';
import { categoryPrefix } from '../../../domain/categories';
import { badInput, conflict, DomainError, notFound } from '../../../domain/errors';
import { shanghaiDate } from '../../../domain/instrument';
import {
  isPublicPost,
  nextPostStep,
  POST_KIND_LABEL,
  POST_STATE_LABEL,
  postActions,
  postRefusal,
  type PostAction,
  type PostPosition,
} from '../../../domain/post';
import { cityName } from '../../../domain/reference';
import type { PostFieldsT } from '../../../contracts/posts';
import type { Db } from '../../db/connect';
import { newId } from '../../db/ids';
import type { PostsTable } from '../../db/types';
import type { Deps } from '../../deps';
import type { Actor } from '../../http/actor';
import { auditCtx, refuse } from '../../http/session';
import { record, type AuditContext } from '../audit/service';
import * as files from '../files/service';
import * as reviews from '../reviews/service';
import type { ReviewSubject } from '../reviews/subjects';
import { contains } from '../../db/like';

export const KIND = 'post';
export const ATTACHMENT = 'post_attachment';
type Row = PostsTable;

const arr = (v: unknown): string[] => (v == null ? [] : typeof v === 'string' ? JSON.parse(v) : (v as string[]));
const clean = (v: string | null | undefined) => (v && v.trim() ? v.trim() : null);
const position = (r: Row): PostPosition => ({
  state: r.state,
  isVisible: !!r.isVisible,
  everPublished: r.publishedJson != null,
});

/** The content of a post (the working copy or the published one) in the form's shape. */
function content(
  r: Pick<
    Row,
    | 'kind'
    | 'title'
    | 'content'
    | 'categoriesJson'
    | 'fieldsJson'
    | 'amountFen'
    | 'amountNote'
    | 'contactName'
    | 'contactPhone'
    | 'contactEmail'
    | 'validUntil'
  >,
): PostFieldsT {
  return {
    kind: r.kind,
    title: r.title,
    content: r.content,
    categories: arr(r.categoriesJson),
    fields: arr(r.fieldsJson),
    amountFen: r.amountFen == null ? null : Number(r.amountFen),
    amountNote: r.amountNote,
    contactName: r.contactName,
    contactPhone: r.contactPhone,
    contactEmail: r.contactEmail,
    validUntil: r.validUntil,
  };
}
const published = (r: Row): PostFieldsT | null =>
  r.publishedJson == null
    ? null
    : ((typeof r.publishedJson === 'string' ? JSON.parse(r.publishedJson) : r.publishedJson) as PostFieldsT);

const columns = (f: PostFieldsT) => ({
  kind: f.kind,
  title: f.title.trim(),
  content: f.content.trim(),
  categoriesJson: JSON.stringify([...new Set(f.categories)]),
  fieldsJson: JSON.stringify([...new Set(f.fields)]),
  amountFen: f.amountFen ?? null,
  amountNote: clean(f.amountNote),
  contactName: f.contactName.trim(),
  contactPhone: f.contactPhone.trim(),
  contactEmail: clean(f.contactEmail),
  validUntil: f.validUntil,
});

/** Category and service-field codes must exist and be enabled; valid-until not in the past. */
async function check(db: Db, f: PostFieldsT, today: string) {
  const errors: Record<string, string> = {};
  if (f.validUntil < today) errors.validUntil = '有效期不能早于今天';
  if (f.categories.length) {
    const ok = await db
      .selectFrom('categories')
      .select('code')
      .where('code', 'in', f.categories)
      .where('isEnabled', '=', true)
      .execute();
    const missing = f.categories.filter((c) => !ok.some((o) => o.code === c));
    if (missing.length) errors.categories = `仪器分类不存在或已停用：${missing.join('、')}`;
  }
  if (f.fields.length) {
    const ok = await db
      .selectFrom('serviceFields')
      .select('code')
      .where('code', 'in', f.fields)
      .where('isEnabled', '=', true)
      .execute();
    const missing = f.fields.filter((c) => !ok.some((o) => o.code === c));
    if (missing.length) errors.fields = `服务领域不存在或已停用：${missing.join('、')}`;
  }
  if (Object.keys(errors).length) throw badInput('POST_INVALID', '请检查标注的项目', errors);
}

const mayManage = (actor: Actor | null, orgId: string) =>
  actor?.kind === 'person' && actor.org?.id === orgId && (actor.org.role === 'admin' || actor.org.role === 'legal');

async function loadOwn(deps: Deps, req: FastifyRequest, id: string): Promise<Row> {
  const row = await deps.database.db.selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('供需信息');
  if (mayManage(req.actor, row.orgId)) return row;
  if (!isPublicPost(!!row.isVisible, row.validUntil, shanghaiDate(deps.clock.now()))) {
    await record(deps.database.db, auditCtx(deps, req), {
      action: 'permission.denied',
      subjectKind: KIND,
      subjectId: id,
      detail: { method: req.method, route: req.routeOptions.url },
    });
    throw notFound('供需信息');
  }
  return refuse(deps, req, KIND, id, '只能管理本单位发布的信息');
}

async function step(trx: Db, id: string, action: PostAction) {
  const row = await trx.selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('供需信息');
  const next = nextPostStep(position(row), action);
  if (!next)
    throw new DomainError(409, 'POST_WRONG_STATE', postRefusal(position(row), action), undefined, { state: row.state });
  return { row, next };
}

async function guarded(trx: Db, row: Row, set: Partial<Row>) {
  const res = await trx
    .updateTable('posts')
    .set(set)
    .where('id', '=', row.id)
    .where('state', '=', row.state)
    .where('updatedAt', '=', row.updatedAt)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw conflict('POST_CHANGED', '信息已被修改，请刷新后重试');
}

async function openReview(trx: Db, ctx: AuditContext, row: Row, title: string) {
  const org = await trx
    .selectFrom('organizations')
    .select(['departmentId', 'name'])
    .where('id', '=', row.orgId)
    .executeTakeFirstOrThrow();
  await reviews.submit(trx, ctx, {
    kind: KIND,
    subjectId: row.id,
    orgId: row.orgId,
    title: `供需发布（${POST_KIND_LABEL[row.kind]}）：${title}`,
    departments: [org.departmentId],
  });
}

const saveReply = (r: { id: string; state: Row['state'] }) => ({
  id: r.id,
  state: r.state,
  stateLabel: POST_STATE_LABEL[r.state],
});

export async function create(deps: Deps, req: FastifyRequest, f: PostFieldsT) {
  const ctx = auditCtx(deps, req);
  const actor = req.actor!;
  const org = await deps.database.db
    .selectFrom('organizations')
    .select('state')
    .where('id', '=', actor.org!.id)
    .executeTakeFirstOrThrow();
  if (org.state !== 'approved') throw new DomainError(422, 'ORG_NOT_APPROVED', '单位入网审核通过后才能发布供需信息');
  await check(deps.database.db, f, shanghaiDate(ctx.now));
  const id = newId();
  const now = ctx.now.toISOString();
  await deps.database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('posts')
      .values({
        id,
        orgId: actor.org!.id,
        ...columns(f),
        state: 'draft',
        isVisible: false,
        publishedJson: null,
        rejectReason: null,
        createdBy: actor.userId,
        createdAt: now,
        updatedAt: now,
        publishedAt: null,
      })
      .execute();
    await record(trx, ctx, {
      action: 'post.create',
      subjectKind: KIND,
      subjectId: id,
      toState: 'draft',
      orgId: actor.org!.id,
    });
  });
  return saveReply({ id, state: 'draft' });
}

/** 保存: a draft or rejected post keeps its state; a published one goes to review with its public version kept. */
export async function update(deps: Deps, req: FastifyRequest, id: string, f: PostFieldsT) {
  const ctx = auditCtx(deps, req);
  await loadOwn(deps, req, id);
  await check(deps.database.db, f, shanghaiDate(ctx.now));
  return deps.database.db.transaction().execute(async (trx) => {
    const { row, next } = await step(trx, id, 'save');
    if (next === 'gone') throw new Error('unreachable');
    await guarded(trx, row, {
      ...columns(f),
      state: next.state,
      isVisible: next.isVisible,
      updatedAt: ctx.now.toISOString(),
      ...(next.review ? { rejectReason: null } : {}),
    });
    if (next.review) await openReview(trx, ctx, row, f.title);
    await record(trx, ctx, {
      action: 'post.update',
      subjectKind: KIND,
      subjectId: id,
      fromState: row.state,
      toState: next.state,
      orgId: row.orgId,
    });
    return saveReply({ id, state: next.state });
  });
}

/** 提交 / 停用 / 启用 / 删除. */
export async function act(
  deps: Deps,
  req: FastifyRequest,
  id: string,
  action: 'submit' | 'disable' | 'enable' | 'delete',
) {
  const ctx = auditCtx(deps, req);
  await loadOwn(deps, req, id);
  const keys = await deps.database.db.transaction().execute(async (trx) => {
    const { row, next } = await step(trx, id, action);
    if (action === 'submit' && row.validUntil < shanghaiDate(ctx.now))
      throw badInput('POST_EXPIRED', '有效期已过，请修改有效期后再提交', { validUntil: '有效期已过' });
    if (next === 'gone') {
      const links = await trx.selectFrom('postFiles').select('fileId').where('postId', '=', id).execute();
      await trx.deleteFrom('postFiles').where('postId', '=', id).execute();
      await trx.deleteFrom('posts').where('id', '=', id).execute();
      await record(trx, ctx, {
        action: 'post.delete',
        subjectKind: KIND,
        subjectId: id,
        fromState: row.state,
        orgId: row.orgId,
      });
      return files.deleteRows(
        trx,
        links.map((l) => l.fileId),
      );
    }
    // 停用 while an edit waits for review: the review is withdrawn, so it cannot publish the post later
    if (action === 'disable' && row.state === 'pending') await reviews.withdraw(trx, ctx, KIND, id);
    await guarded(trx, row, {
      state: next.state,
      isVisible: next.isVisible,
      updatedAt: ctx.now.toISOString(),
      ...(next.review ? { rejectReason: null } : {}),
    });
    if (next.review) await openReview(trx, ctx, row, row.title);
    await record(trx, ctx, {
      action: `post.${action}`,
      subjectKind: KIND,
      subjectId: id,
      fromState: row.state,
      toState: next.state,
      orgId: row.orgId,
    });
    return [] as string[];
  });
  await files.removeStored(deps, keys);
  if (action === 'delete') return null;
  return saveReply({
    id,
    state: (await deps.database.db.selectFrom('posts').select('state').where('id', '=', id).executeTakeFirstOrThrow())
      .state,
  });
}

// ------------------------------------------------------------------ attachments

export async function addAttachment(deps: Deps, req: FastifyRequest, id: string) {
  const row = await loadOwn(deps, req, id);
  if (row.state === 'pending') throw new DomainError(409, 'POST_WRONG_STATE', postRefusal(position(row), 'save'));
  const n = await deps.database.db
    .selectFrom('postFiles')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('postId', '=', id)
    .executeTakeFirstOrThrow();
  if (Number(n.n) >= 5) throw new DomainError(422, 'TOO_MANY_FILES', '附件最多 5 个', { file: '最多 5 个' });
  const stored = await files.storeUpload(deps, req, {
    purpose: ATTACHMENT,
    orgId: row.orgId,
    allowed: ['document', 'image'],
    maxBytes: 20 * 1024 * 1024,
  });
  const ctx = auditCtx(deps, req);
  await deps.database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('postFiles')
      .values({ postId: id, fileId: stored.id, sort: Number(n.n) })
      .execute();
    await record(trx, ctx, {
      action: 'post.attach',
      subjectKind: KIND,
      subjectId: id,
      orgId: row.orgId,
      detail: { fileId: stored.id, name: stored.name },
    });
  });
  const { row: _r, ...out } = stored;
  return out;
}

export async function removeAttachment(deps: Deps, req: FastifyRequest, id: string, fileId: string) {
  const row = await loadOwn(deps, req, id);
  if (row.state === 'pending') throw new DomainError(409, 'POST_WRONG_STATE', postRefusal(position(row), 'save'));
  const ctx = auditCtx(deps, req);
  const keys = await deps.database.db.transaction().execute(async (trx) => {
    const res = await trx
      .deleteFrom('postFiles')
      .where('postId', '=', id)
      .where('fileId', '=', fileId)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) !== 1) throw notFound('附件');
    await record(trx, ctx, {
      action: 'post.detach',
      subjectKind: KIND,
      subjectId: id,
      orgId: row.orgId,
      detail: { fileId },
    });
    return files.deleteRows(trx, [fileId]);
  });
  await files.removeStored(deps, keys);
  return { ok: true as const };
}

/** Attachments: public while the post is public; otherwise its organisation and the departments. */
export async function fileAccess(
  db: Db,
  actor: Actor | null,
  f: { id: string; orgId: string | null },
): Promise<files.Visibility> {
  const p = await db
    .selectFrom('postFiles')
    .innerJoin('posts', 'posts.id', 'postFiles.postId')
    .select(['posts.isVisible', 'posts.validUntil', 'posts.orgId'])
    .where('postFiles.fileId', '=', f.id)
    .executeTakeFirst();
  if (!p) return false;
  if (isPublicPost(!!p.isVisible, p.validUntil, shanghaiDate(new Date()))) return 'public';
  if (actor?.kind === 'person' && actor.org?.id === p.orgId) return 'private';
  if (actor?.kind === 'department') return 'private';
  return false;
}

// ------------------------------------------------------------------ reading

/** Names of category and service-field codes, read once per request (both tables are small reference data). */
async function namer(db: Db) {
  const [c, f] = await Promise.all([
    db.selectFrom('categories').select(['code', 'name']).execute(),
    db.selectFrom('serviceFields').select(['code', 'name']).execute(),
  ]);
  const cats = new Map(c.map((x) => [x.code, x.name]));
  const fields = new Map(f.map((x) => [x.code, x.name]));
  return (categories: string[], fieldCodes: string[]) => ({
    categoryNames: categories.map((k) => cats.get(k) ?? k),
    fieldNames: fieldCodes.map((k) => fields.get(k) ?? k),
  });
}
type Namer = Awaited<ReturnType<typeof namer>>;
const names = async (db: Db, categories: string[], fields: string[]) => (await namer(db))(categories, fields);

async function attachments(db: Db, id: string) {
  const rows = await db
    .selectFrom('postFiles')
    .innerJoin('files', 'files.id', 'postFiles.fileId')
    .select(['files.id', 'files.originalName', 'files.mime', 'files.size', 'files.thumbKey'])
    .where('postFiles.postId', '=', id)
    .orderBy('postFiles.sort')
    .execute();
  return rows.map((r) => files.toStored(r));
}

/** The owner's view (编辑): working copy, published version, state and buttons. */
export async function ownView(deps: Deps, req: FastifyRequest, id: string) {
  const { db } = deps.database;
  const row = await loadOwn(deps, req, id);
  const org = await db
    .selectFrom('organizations')
    .select(['name', 'cityCode'])
    .where('id', '=', row.orgId)
    .executeTakeFirstOrThrow();
  const draft = content(row);
  const pub = published(row);
  const today = shanghaiDate(deps.clock.now());
  return {
    id: row.id,
    orgId: row.orgId,
    orgName: org.name,
    cityName: cityName(org.cityCode),
    state: row.state,
    stateLabel: POST_STATE_LABEL[row.state],
    kindLabel: POST_KIND_LABEL[row.kind],
    isVisible: !!row.isVisible,
    isPublic: isPublicPost(!!row.isVisible, pub?.validUntil ?? row.validUntil, today),
    rejectReason: row.rejectReason,
    draft: { ...draft, ...(await names(db, draft.categories, draft.fields)) },
    published: pub ? { ...pub, ...(await names(db, pub.categories, pub.fields)) } : null,
    attachments: await attachments(db, id),
    actions: postActions(position(row)),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    publishedAt: row.publishedAt,
  };
}

export async function mine(
  deps: Deps,
  actor: Actor,
  q: { page: number; pageSize: number; state?: Row['state']; kind?: Row['kind']; q?: string },
) {
  const { db } = deps.database;
  let base = db.selectFrom('posts').where('orgId', '=', actor.org!.id);
  if (q.state) base = base.where('state', '=', q.state);
  if (q.kind) base = base.where('kind', '=', q.kind);
  if (q.q) base = base.where((eb) => eb.or([contains(eb.ref('title'), q.q!), contains(eb.ref('content'), q.q!)]));
  const [rows, total] = await Promise.all([
    base
      .selectAll()
      .orderBy('updatedAt', 'desc')
      .orderBy('id', 'desc')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const today = shanghaiDate(deps.clock.now());
  return {
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      kindLabel: POST_KIND_LABEL[r.kind],
      title: r.title,
      state: r.state,
      stateLabel: POST_STATE_LABEL[r.state],
      isVisible: !!r.isVisible,
      validUntil: r.validUntil,
      isExpired: r.validUntil < today,
      rejectReason: r.rejectReason,
      updatedAt: r.updatedAt,
      actions: postActions(position(r)),
    })),
    total: Number(total.n),
    page: q.page,
    pageSize: q.pageSize,
  };
}

interface PublicRow {
  id: string;
  orgId: string;
  orgName: string;
  cityCode: string;
  publishedAt: string | null;
  post: PostFieldsT;
}

/** Every public post: visible, with a published version whose valid-until day has not passed. */
async function publicRows(db: Db, today: string): Promise<PublicRow[]> {
  const rows = await db
    .selectFrom('posts')
    .innerJoin('organizations', 'organizations.id', 'posts.orgId')
    .select([
      'posts.id',
      'posts.orgId',
      'organizations.name as orgName',
      'organizations.cityCode',
      'posts.publishedAt',
      'posts.publishedJson',
    ])
    .where('posts.isVisible', '=', true)
    .where('posts.publishedJson', 'is not', null)
    .orderBy('posts.publishedAt', 'desc')
    .orderBy('posts.id', 'desc')
    .execute();
  return rows
    .map((r) => ({
      id: r.id,
      orgId: r.orgId,
      orgName: r.orgName,
      cityCode: r.cityCode,
      publishedAt: r.publishedAt,
      post: (typeof r.publishedJson === 'string' ? JSON.parse(r.publishedJson) : r.publishedJson) as PostFieldsT,
    }))
    .filter((r) => r.post.validUntil >= today);
}

const summary = (s: string) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 120 ? `${t.slice(0, 120)}…` : t;
};

function publicItem(name: Namer, r: PublicRow) {
  const n = name(r.post.categories, r.post.fields);
  return {
    id: r.id,
    kind: r.post.kind,
    kindLabel: POST_KIND_LABEL[r.post.kind],
    title: r.post.title,
    summary: summary(r.post.content),
    orgName: r.orgName,
    cityName: cityName(r.cityCode),
    ...n,
    amountFen: r.post.amountFen ?? null,
    amountNote: r.post.amountNote ?? null,
    validUntil: r.post.validUntil,
    publishedAt: r.publishedAt,
  };
}

/**
 * 供需信息. Filtering happens over the published versions in memory: a province has hundreds of live posts, not
 * millions, and the published version is a JSON snapshot (the working copy may differ while an edit is reviewed).
 */
export async function publicList(
  deps: Deps,
  q: {
    page: number;
    pageSize: number;
    kind?: Row['kind'];
    q?: string;
    category?: string;
    field?: string;
    city?: string;
  },
) {
  const { db } = deps.database;
  let rows = await publicRows(db, shanghaiDate(deps.clock.now()));
  if (q.kind) rows = rows.filter((r) => r.post.kind === q.kind);
  if (q.category) rows = rows.filter((r) => r.post.categories.some((c) => c.startsWith(q.category!)));
  if (q.field) rows = rows.filter((r) => r.post.fields.includes(q.field!));
  if (q.city) rows = rows.filter((r) => r.cityCode === q.city || cityName(r.cityCode) === q.city);
  if (q.q) {
    const t = q.q.toLowerCase();
    rows = rows.filter((r) => `${r.post.title} ${r.post.content} ${r.orgName}`.toLowerCase().includes(t));
  }
  const page = rows.slice((q.page - 1) * q.pageSize, q.page * q.pageSize);
  const name = await namer(db);
  return { items: page.map((r) => publicItem(name, r)), total: rows.length, page: q.page, pageSize: q.pageSize };
}

/** A public post; contacts only for logged-in users. */
export async function publicDetail(deps: Deps, actor: Actor | null, id: string) {
  const { db } = deps.database;
  const r = (await publicRows(db, shanghaiDate(deps.clock.now()))).find((x) => x.id === id);
  if (!r) throw notFound('供需信息');
  const shown = !!actor;
  return {
    ...publicItem(await namer(db), r),
    content: r.post.content,
    orgId: r.orgId,
    attachments: await attachments(db, id),
    contact: shown
      ? { name: r.post.contactName, phone: r.post.contactPhone, email: r.post.contactEmail ?? null }
      : null,
    contactHidden: !shown,
  };
}

/** 匹配提示: a demand shows listed instruments whose category or service field fits; a supply, its organisation's. */
export async function matches(deps: Deps, id: string) {
  const { db } = deps.database;
  const r = (await publicRows(db, shanghaiDate(deps.clock.now()))).find((x) => x.id === id);
  if (!r) throw notFound('供需信息');
  let q = db
    .selectFrom('instruments')
    .innerJoin('organizations', 'organizations.id', 'instruments.orgId')
    .innerJoin('categories', 'categories.code', 'instruments.categoryCode')
    .select([
      'instruments.id',
      'instruments.name',
      'instruments.model',
      'organizations.name as orgName',
      'instruments.cityCode',
      'organizations.cityCode as orgCity',
      'instruments.serviceCount',
      'categories.name as categoryName',
    ])
    .where('instruments.state', '=', 'listed')
    .where('instruments.isDisabled', '=', false);
  let basis: 'category_or_field' | 'organization' = 'organization';
  if (r.post.kind === 'supply') q = q.where('instruments.orgId', '=', r.orgId);
  else {
    basis = 'category_or_field';
    const cats = r.post.categories;
    const fields = r.post.fields;
    if (!cats.length && !fields.length) return { basis, items: [] };
    q = q.where((eb) =>
      eb.or([
        ...cats.map((c) => eb('instruments.categoryCode', 'like', `${categoryPrefix(c)}%`)),
        ...(fields.length
          ? [
              eb.exists(
                eb
                  .selectFrom('instrumentFields')
                  .select('instrumentFields.instrumentId')
                  .whereRef('instrumentFields.instrumentId', '=', 'instruments.id')
                  .where('instrumentFields.fieldCode', 'in', fields),
              ),
            ]
          : []),
      ]),
    );
  }
  const rows = await q.orderBy('instruments.serviceCount', 'desc').orderBy('instruments.id').limit(8).execute();
  return {
    basis,
    items: rows.map((i) => ({
      id: i.id,
      name: i.name,
      model: i.model,
      orgName: i.orgName,
      cityName: cityName(i.cityCode ?? i.orgCity),
      serviceCount: Number(i.serviceCount),
      categoryName: i.categoryName,
    })),
  };
}

// ------------------------------------------------------------------ review hooks

export const postSubject: ReviewSubject = {
  kind: KIND,
  label: '供需发布',
  async onApproved(trx, id, ctx) {
    const row = await trx.selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const now = ctx.now.toISOString();
    await trx
      .updateTable('posts')
      .set({
        state: 'published',
        isVisible: true,
        publishedJson: JSON.stringify(content(row)),
        rejectReason: null,
        publishedAt: now,
        updatedAt: now,
      })
      .where('id', '=', id)
      .execute();
    await record(trx, ctx, {
      action: 'post.approved',
      subjectKind: KIND,
      subjectId: id,
      fromState: row.state,
      toState: 'published',
      orgId: row.orgId,
    });
  },
  async onRejected(trx, id, reason, ctx) {
    const row = await trx.selectFrom('posts').select(['orgId', 'state']).where('id', '=', id).executeTakeFirstOrThrow();
    await trx
      .updateTable('posts')
      .set({ state: 'rejected', rejectReason: reason, updatedAt: ctx.now.toISOString() })
      .where('id', '=', id)
      .execute();
    await record(trx, ctx, {
      action: 'post.rejected',
      subjectKind: KIND,
      subjectId: id,
      fromState: row.state,
      toState: 'rejected',
      orgId: row.orgId,
      detail: { reason },
    });
  },
  async describe(db, id) {
    const row = await db
      .selectFrom('posts')
      .innerJoin('organizations', 'organizations.id', 'posts.orgId')
      .selectAll('posts')
      .select('organizations.name as orgName')
      .where('posts.id', '=', id)
      .executeTakeFirstOrThrow();
    const c = content(row);
    const n = await names(db, c.categories, c.fields);
    return {
      postKind: POST_KIND_LABEL[c.kind],
      title: c.title,
      content: c.content,
      orgName: row.orgName,
      categories: n.categoryNames.join('、'),
      fields: n.fieldNames.join('、'),
      amountFen: c.amountFen,
      amountNote: c.amountNote,
      contactName: c.contactName,
      contactPhone: c.contactPhone,
      contactEmail: c.contactEmail,
      validUntil: c.validUntil,
      isEdit: row.publishedJson != null,
      attachments: await attachments(db, id),
    };
  },
};
