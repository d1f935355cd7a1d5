import type { FastifyRequest } from 'fastify';
import { PostgresAdapter, sql } from 'kysely';
import { badInput, conflict, notFound, ruleBroken, type FieldErrors } from '../../../domain/errors';
import {
  ATTACHMENT_MAX_BYTES,
  INSTRUMENT_FIELD_LABELS,
  instrumentStateLabel,
  isBookable,
  MAX_ATTACHMENTS,
  MAX_PICTURES,
  missingForSubmit,
  nextInstrumentPosition,
  PICTURE_MAX_BYTES,
  recordRuleErrors,
  refusalMessage,
  shanghaiDate,
  type InstrumentAction,
  type InstrumentState,
} from '../../../domain/instrument';
import { cityName } from '../../../domain/reference';
import type { InstrumentFieldsT, InstrumentViewT } from '../../../contracts/instruments';
import type { StoredFileT } from '../../../contracts/files';
import { isUniqueViolation, type Db, type Dialect } from '../../db/connect';
import { newId } from '../../db/ids';
import type { InstrumentsTable } from '../../db/types';
import type { Deps } from '../../deps';
import type { Actor } from '../../http/actor';
import { auditCtx, refuse } from '../../http/session';
import { record, recordMany, type AuditContext } from '../audit/service';
import { writeAtCommit } from '../../db/pg-trips';
import { catalogueChanged, mayShowInCatalogue, reindexInstrument, reindexInstruments } from '../catalogue/indexer';
import { buildSearchText } from '../catalogue/text';
import * as files from '../files/service';
import * as reviews from '../reviews/service';
import { mayManage, mayViewUnlisted } from './policy';
import { contains } from '../../db/like';

export const KIND = 'instrument';
export const PICTURE = 'instrument_picture';
export const ATTACHMENT = 'instrument_attachment';
export type FileSlot = 'picture' | 'attachment';

type Row = InstrumentsTable;

/** The dialect of a connection or transaction (the import module passes only its transaction). */
export const dialectOf = (db: Db): Dialect =>
  db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';

const clean = (v: string | null | undefined) => (v && v.trim() ? v.trim() : null);

/** The record's columns from the form; blank text is stored as null. */
const dbFields = (f: InstrumentFieldsT) => ({
  internalNo: f.internalNo.trim(),
  name: f.name.trim(),
  nameEn: clean(f.nameEn),
  categoryCode: f.categoryCode,
  model: clean(f.model),
  manufacturer: clean(f.manufacturer),
  country: clean(f.country),
  valueFen: f.valueFen ?? null,
  purchaseDate: f.purchaseDate ?? null,
  startUseDate: f.startUseDate ?? null,
  source: f.source ?? null,
  specs: clean(f.specs),
  functions: clean(f.functions),
  serviceContent: clean(f.serviceContent),
  feeStandard: clean(f.feeStandard),
  sharingMode: f.sharingMode ?? 'external',
  runStatus: f.runStatus ?? '正常',
  cityCode: f.cityCode ?? null,
  district: clean(f.district),
  street: clean(f.street),
  room: clean(f.room),
  contactName: clean(f.contactName),
  contactPhone: clean(f.contactPhone),
  contactEmail: clean(f.contactEmail),
  staffJson: JSON.stringify(f.staff ?? []),
});

const INTERNAL_NO_TAKEN = () =>
  conflict('INTERNAL_NO_TAKEN', '本单位已有相同内部编号的仪器', { internalNo: '本单位已有相同内部编号的仪器' });

export interface CheckOptions {
  exceptId?: string;
  now?: Date;
}

/** Query parameters per `in (…)` list: far below the limits of both databases. */
const IN_CHUNK = 1000;
const chunked = <T>(xs: T[], n: number) =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/** What the checks need from the database, read once for any number of records. */
interface CheckReference {
  /** code → enabled, for the codes the records name (a code not in the map does not exist) */
  categories: Map<string, boolean>;
  serviceFields: Map<string, boolean>;
  cities: Map<string, boolean>;
  /** internal numbers of the records already used by another instrument of the organisation */
  takenNos: Set<string>;
}

type ReferenceTable = 'categories' | 'serviceFields' | 'cities';

/** Whether each code exists and is enabled, in the three reference tables at once (one statement, not three). */
async function enabledByCode(
  db: Db,
  wanted: Record<ReferenceTable, Set<string>>,
): Promise<Record<ReferenceTable, Map<string, boolean>>> {
  const out: Record<ReferenceTable, Map<string, boolean>> = {
    categories: new Map(),
    serviceFields: new Map(),
    cities: new Map(),
  };
  const parts = (Object.keys(out) as ReferenceTable[]).flatMap((table) =>
    chunked([...wanted[table]], IN_CHUNK).map((codes) => ({ table, codes })),
  );
  for (const group of chunked(parts, 3)) {
    const [first, ...rest] = group.map(({ table, codes }) =>
      db
        .selectFrom(table)
        .select([sql<ReferenceTable>`${sql.lit(table)}`.as('inTable'), 'code', 'isEnabled'])
        .where('code', 'in', codes),
    );
    const rows = await rest.reduce((q, next) => q.unionAll(next), first).execute();
    for (const r of rows) out[r.inTable].set(r.code, !!r.isEnabled);
  }
  return out;
}

async function loadCheckReference(
  db: Db,
  orgId: string,
  rows: InstrumentFieldsT[],
  exceptId?: string,
): Promise<CheckReference> {
  const cats = new Set<string>();
  const fields = new Set<string>();
  const cities = new Set<string>();
  const nos = new Set<string>();
  for (const f of rows) {
    cats.add(f.categoryCode);
    for (const c of f.serviceFields ?? []) fields.add(c);
    if (f.cityCode) cities.add(f.cityCode);
    nos.add(f.internalNo.trim());
  }
  const takenNos = new Set<string>();
  const taken = async () => {
    for (const part of chunked([...nos], IN_CHUNK)) {
      let dup = db
        .selectFrom('instruments')
        .select('internalNo')
        .where('orgId', '=', orgId)
        .where('internalNo', 'in', part);
      if (exceptId) dup = dup.where('id', '!=', exceptId);
      for (const r of await dup.execute()) takenNos.add(r.internalNo);
    }
  };
  // side by side: on PostgreSQL two connections of the pool, so the caller waits for one trip instead of two
  const [enabled] = await Promise.all([
    enabledByCode(db, { categories: cats, serviceFields: fields, cities }),
    taken(),
  ]);
  return { ...enabled, takenNos };
}

/** The rules themselves, for one record: the single and the bulk check both come here. */
function fieldErrors(ref: CheckReference, f: InstrumentFieldsT, today: string): FieldErrors {
  const errors: FieldErrors = {};
  if (!ref.categories.get(f.categoryCode)) errors.categoryCode = '仪器分类不存在，请从分类中选择';
  const codes = [...new Set(f.serviceFields ?? [])];
  const unknown = codes.filter((c) => !ref.serviceFields.get(c));
  if (unknown.length) errors.serviceFields = `服务领域不存在：${unknown.join('、')}`;
  if (f.cityCode && !ref.cities.get(f.cityCode)) errors.cityCode = '所在地市不存在，请重新选择';
  Object.assign(errors, recordRuleErrors(f, today));
  if (ref.takenNos.has(f.internalNo.trim())) errors.internalNo = '本单位已有相同内部编号的仪器';
  return errors;
}

/**
 * Checks of a record against the database and between its fields: category, service fields and city exist and are
 * enabled, dates are real and in order, the internal number is not used by another instrument of the organisation.
 * Returns {} when all is well.
 */
export async function checkInstrumentFields(
  db: Db,
  orgId: string,
  f: InstrumentFieldsT,
  o: CheckOptions = {},
): Promise<FieldErrors> {
  const ref = await loadCheckReference(db, orgId, [f], o.exceptId);
  return fieldErrors(ref, f, shanghaiDate(o.now ?? new Date()));
}

/**
 * `checkInstrumentFields` of many new records at once (the Excel import): the reference data and the organisation's
 * internal numbers are read in a few queries, then every record is checked by the same rules. Returns one FieldErrors
 * per record, in order. Repeats of a number inside `rows` are not looked for here (the import's parser does that).
 */
export async function checkInstrumentFieldsMany(
  db: Db,
  orgId: string,
  rows: InstrumentFieldsT[],
  now: Date = new Date(),
): Promise<FieldErrors[]> {
  if (!rows.length) return [];
  const ref = await loadCheckReference(db, orgId, rows);
  const today = shanghaiDate(now);
  return rows.map((f) => fieldErrors(ref, f, today));
}

/** A duplicate internal number alone is a conflict (409); anything else is bad input (400) naming every field. */
function throwIfErrors(errors: FieldErrors) {
  const keys = Object.keys(errors);
  if (!keys.length) return;
  if (keys.length === 1 && keys[0] === 'internalNo') throw INTERNAL_NO_TAKEN();
  const names = keys.map((k) => INSTRUMENT_FIELD_LABELS[k as keyof typeof INSTRUMENT_FIELD_LABELS] ?? k).join('、');
  throw badInput('INSTRUMENT_INVALID', `请检查以下信息：${names}`, errors);
}

/** An instrument's service fields replaced; nothing reads them back in the edit's transaction (sent at the commit). */
async function writeServiceFields(trx: Db, id: string, codes: string[] | undefined) {
  await writeAtCommit(trx, trx.deleteFrom('instrumentFields').where('instrumentId', '=', id));
  const unique = [...new Set(codes ?? [])];
  if (unique.length)
    await writeAtCommit(
      trx,
      trx.insertInto('instrumentFields').values(unique.map((fieldCode) => ({ instrumentId: id, fieldCode }))),
    );
}

/** Rows per multi-row INSERT: ~40 columns each stays far below SQLite's 32,766 parameters. */
export const INSERT_CHUNK = 200;

/**
 * Inserts drafts with their fields and service fields, indexes them and records each (`instrument.create`), inside
 * the caller's transaction: multi-row statements of INSERT_CHUNK rows and one reindex per chunk. The caller has run
 * `checkInstrumentFieldsMany`. Returns the new ids, in the order of `rows`. Shared with the Excel import.
 */
export async function insertDrafts(
  trx: Db,
  ctx: AuditContext,
  orgId: string,
  rows: InstrumentFieldsT[],
): Promise<string[]> {
  const now = ctx.now.toISOString();
  const dialect = dialectOf(trx);
  const ids: string[] = [];
  // the search text is written with the row (the reindex below then finds it current instead of updating row by row)
  const org = await trx.selectFrom('organizations').select('name').where('id', '=', orgId).executeTakeFirst();
  for (const part of chunked(rows, INSERT_CHUNK)) {
    const values = part.map((f) => {
      const fields = dbFields(f);
      return {
        id: newId(),
        orgId,
        ...fields,
        state: 'draft' as const,
        isDisabled: false,
        rejectReason: null,
        serviceCount: 0,
        ratingSum: 0,
        ratingCount: 0,
        searchText: buildSearchText({ ...fields, orgName: org?.name ?? null }),
        createdBy: ctx.actor?.userId ?? null,
        createdAt: now,
        updatedAt: now,
        listedAt: null,
      };
    });
    await trx.insertInto('instruments').values(values).execute();
    const partIds = values.map((v) => v.id);
    const links = part.flatMap((f, i) =>
      [...new Set(f.serviceFields ?? [])].map((fieldCode) => ({ instrumentId: partIds[i], fieldCode })),
    );
    for (const l of chunked(links, 1000)) await trx.insertInto('instrumentFields').values(l).execute();
    await reindexInstruments(trx, dialect, partIds);
    await recordMany(
      trx,
      ctx,
      partIds.map((id) => ({ action: 'instrument.create', subjectKind: KIND, subjectId: id, toState: 'draft', orgId })),
    );
    ids.push(...partIds);
  }
  return ids;
}

/** One draft: `insertDrafts` of one record. The caller has run `checkInstrumentFields`. Returns the new id. */
export async function insertDraft(trx: Db, ctx: AuditContext, orgId: string, f: InstrumentFieldsT): Promise<string> {
  const [id] = await insertDrafts(trx, ctx, orgId, [f]);
  return id;
}

const saveReply = (r: { id: string; state: InstrumentState; isDisabled: boolean }) => ({
  id: r.id,
  state: r.state,
  stateLabel: instrumentStateLabel(r.state, r.isDisabled),
  isDisabled: r.isDisabled,
});

/** 发布仪器 → 保存: a new draft of the actor's organisation, which must have joined. */
export async function create(deps: Deps, req: FastifyRequest, body: InstrumentFieldsT) {
  const { db } = deps.database;
  const ctx = auditCtx(deps, req);
  const orgId = req.actor!.org!.id;
  const org = await db.selectFrom('organizations').select(['state']).where('id', '=', orgId).executeTakeFirstOrThrow();
  if (org.state !== 'approved') throw ruleBroken('ORG_NOT_APPROVED', '单位入网审核通过后才能发布仪器');
  throwIfErrors(await checkInstrumentFields(db, orgId, body, { now: ctx.now }));
  try {
    const id = await db.transaction().execute((trx) => insertDraft(trx, ctx, orgId, body));
    return saveReply({ id, state: 'draft', isDisabled: false });
  } catch (e) {
    if (isUniqueViolation(e)) throw INTERNAL_NO_TAKEN();
    throw e;
  }
}

/**
 * The instrument an org admin wants to change. Someone who may not even see it learns nothing (404); someone who
 * may see it but not change it (another organisation, a listed instrument) is refused (403). Both are recorded.
 * Runs outside any transaction: the refusal is written on the main connection.
 */
async function loadForWrite(deps: Deps, req: FastifyRequest, id: string): Promise<Row> {
  const { db } = deps.database;
  const row = await db.selectFrom('instruments').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('仪器');
  if (mayManage(req.actor, row.orgId)) return row;
  if (row.state !== 'listed') {
    await record(db, auditCtx(deps, req), {
      action: 'permission.denied',
      subjectKind: KIND,
      subjectId: id,
      detail: { method: req.method, route: req.routeOptions.url },
    });
    throw notFound('仪器');
  }
  return refuse(deps, req, KIND, id, '只能管理本单位的仪器');
}

/** The row again inside the transaction (with its organisation's name), with the machine's verdict on the action. */
async function step(trx: Db, id: string, action: InstrumentAction) {
  const row = await trx
    .selectFrom('instruments')
    .innerJoin('organizations', 'organizations.id', 'instruments.orgId')
    .selectAll('instruments')
    .select('organizations.name as orgName')
    .where('instruments.id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('仪器');
  const next = nextInstrumentPosition(row, action);
  if (!next) throw conflict('INSTRUMENT_WRONG_STATE', refusalMessage(row, action));
  return { row, next };
}

/** Optimistic write: the row must still be in the position it was read in. */
async function guardedUpdate(trx: Db, row: Row, set: Partial<Row>) {
  const res = await trx
    .updateTable('instruments')
    .set(set)
    .where('id', '=', row.id)
    .where('state', '=', row.state)
    .where('isDisabled', '=', row.isDisabled)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw conflict('INSTRUMENT_CHANGED', '仪器状态已变化，请刷新后重试');
}

/** 保存 of an existing instrument: a draft or rejected one keeps its state; a listed one changes at once, without review. */
export async function update(deps: Deps, req: FastifyRequest, id: string, body: InstrumentFieldsT) {
  const ctx = auditCtx(deps, req);
  const current = await loadForWrite(deps, req, id);
  if (!nextInstrumentPosition(current, 'save'))
    throw conflict('INSTRUMENT_WRONG_STATE', refusalMessage(current, 'save'));
  throwIfErrors(await checkInstrumentFields(deps.database.db, current.orgId, body, { exceptId: id, now: ctx.now }));
  // a listed instrument stays complete: edits apply without review, so they may not blank what 提交 required
  if (current.state === 'listed') {
    const missing = missingForSubmit(body);
    if (Object.keys(missing).length)
      throw badInput(
        'INSTRUMENT_INCOMPLETE',
        `已入网仪器不能清空必填信息：${Object.values(missing).join('、')}`,
        missing,
      );
  }
  try {
    return await deps.database.db.transaction().execute(async (trx) => {
      const { row, next } = await step(trx, id, 'save');
      const fields = dbFields(body);
      const changed = Object.keys(fields).filter(
        (k) =>
          k !== 'staffJson' &&
          (fields as Record<string, unknown>)[k] !== (row as unknown as Record<string, unknown>)[k],
      );
      // the search text with the fields, in the same statement (reindexInstrument would read the row back)
      const searchText = buildSearchText({ ...row, ...fields });
      await guardedUpdate(trx, row, { ...fields, searchText, updatedAt: ctx.now.toISOString() });
      await writeServiceFields(trx, id, body.serviceFields);
      if (mayShowInCatalogue(row)) await catalogueChanged(trx, [id]);
      await record(trx, ctx, {
        action: 'instrument.update',
        subjectKind: KIND,
        subjectId: id,
        fromState: row.state,
        toState: row.state,
        orgId: row.orgId,
        detail: { changed },
      });
      return saveReply({ id, ...(next as { state: InstrumentState; isDisabled: boolean }) });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw INTERNAL_NO_TAKEN();
    throw e;
  }
}

/** 提交: a complete draft (or a rejected instrument, edited) goes to the department in charge of the organisation. */
export async function submit(deps: Deps, req: FastifyRequest, id: string) {
  const ctx = auditCtx(deps, req);
  await loadForWrite(deps, req, id);
  return deps.database.db.transaction().execute(async (trx) => {
    const { row } = await step(trx, id, 'submit');
    const org = await trx
      .selectFrom('organizations')
      .select(['state', 'departmentId'])
      .where('id', '=', row.orgId)
      .executeTakeFirstOrThrow();
    if (org.state !== 'approved') throw ruleBroken('ORG_NOT_APPROVED', '单位入网审核通过后才能提交仪器');
    const missing = missingForSubmit(row);
    if (Object.keys(missing).length) {
      throw badInput(
        'INSTRUMENT_INCOMPLETE',
        `请完善以下信息后提交：${Object.keys(missing)
          .map((k) => INSTRUMENT_FIELD_LABELS[k as keyof typeof INSTRUMENT_FIELD_LABELS])
          .join('、')}`,
        missing,
      );
    }
    const now = ctx.now.toISOString();
    await guardedUpdate(trx, row, { state: 'pending', rejectReason: null, updatedAt: now });
    await record(trx, ctx, {
      action: 'instrument.submit',
      subjectKind: KIND,
      subjectId: id,
      fromState: row.state,
      toState: 'pending',
      orgId: row.orgId,
    });
    await reviews.submit(trx, ctx, {
      kind: KIND,
      subjectId: id,
      orgId: row.orgId,
      title: `仪器入网：${row.name}`,
      departments: [org.departmentId],
    });
    await reindexInstrument(trx, dialectOf(trx), id);
    return saveReply({ id, state: 'pending', isDisabled: false });
  });
}

/** 停用 / 启用 of a listed instrument. A disabled one stays listed but cannot be booked. */
export async function setDisabled(deps: Deps, req: FastifyRequest, id: string, disabled: boolean) {
  const ctx = auditCtx(deps, req);
  const action = disabled ? 'disable' : 'enable';
  await loadForWrite(deps, req, id);
  return deps.database.db.transaction().execute(async (trx) => {
    const { row } = await step(trx, id, action);
    await guardedUpdate(trx, row, { isDisabled: disabled, updatedAt: ctx.now.toISOString() });
    await record(trx, ctx, {
      action: `instrument.${action}`,
      subjectKind: KIND,
      subjectId: id,
      orgId: row.orgId,
      fromState: row.isDisabled ? 'disabled' : 'listed',
      toState: disabled ? 'disabled' : 'listed',
    });
    // the search text is what it was: the catalogue is only told that the instrument changed
    await catalogueChanged(trx, [id]);
    return saveReply({ id, state: 'listed', isDisabled: disabled });
  });
}

/** Deletes a draft with its pictures and attachments. */
export async function remove(deps: Deps, req: FastifyRequest, id: string) {
  const ctx = auditCtx(deps, req);
  await loadForWrite(deps, req, id);
  const keys = await deps.database.db.transaction().execute(async (trx) => {
    const { row } = await step(trx, id, 'delete');
    const links = await trx.selectFrom('instrumentFiles').select('fileId').where('instrumentId', '=', id).execute();
    await trx.deleteFrom('instrumentFiles').where('instrumentId', '=', id).execute();
    await trx.deleteFrom('instrumentFields').where('instrumentId', '=', id).execute();
    await trx.deleteFrom('instruments').where('id', '=', id).where('state', '=', 'draft').execute();
    const removed = await files.deleteRows(
      trx,
      links.map((l) => l.fileId),
    );
    // the index forgets an instrument that no longer exists
    await reindexInstrument(trx, dialectOf(trx), id);
    await record(trx, ctx, {
      action: 'instrument.delete',
      subjectKind: KIND,
      subjectId: id,
      fromState: row.state,
      toState: null,
      orgId: row.orgId,
      detail: { internalNo: row.internalNo, name: row.name, files: links.length },
    });
    return removed;
  });
  await files.removeStored(deps, keys);
  return { ok: true as const };
}

// ------------------------------------------------------------------ pictures and attachments

const SLOT = {
  picture: {
    purpose: PICTURE,
    allowed: ['image' as const],
    maxBytes: PICTURE_MAX_BYTES,
    max: MAX_PICTURES,
    tooMany: `每台仪器最多上传 ${MAX_PICTURES} 张图片`,
  },
  attachment: {
    purpose: ATTACHMENT,
    allowed: ['document' as const],
    maxBytes: ATTACHMENT_MAX_BYTES,
    max: MAX_ATTACHMENTS,
    tooMany: `每台仪器最多上传 ${MAX_ATTACHMENTS} 个附件`,
  },
};

async function countFiles(db: Db, id: string, slot: FileSlot) {
  const r = await db
    .selectFrom('instrumentFiles')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('sort').as('maxSort')])
    .where('instrumentId', '=', id)
    .where('kind', '=', slot)
    .executeTakeFirstOrThrow();
  return { n: Number(r.n), maxSort: r.maxSort == null ? -1 : Number(r.maxSort) };
}

/** Adds a picture or an attachment (multipart upload) to a draft, rejected or listed instrument. */
export async function addFile(deps: Deps, req: FastifyRequest, id: string, slot: FileSlot): Promise<StoredFileT> {
  const ctx = auditCtx(deps, req);
  const s = SLOT[slot];
  const current = await loadForWrite(deps, req, id);
  if (!nextInstrumentPosition(current, 'attach'))
    throw conflict('INSTRUMENT_WRONG_STATE', refusalMessage(current, 'attach'));
  if ((await countFiles(deps.database.db, id, slot)).n >= s.max)
    throw ruleBroken('TOO_MANY_FILES', s.tooMany, { file: s.tooMany });
  const stored = await files.storeUpload(deps, req, {
    purpose: s.purpose,
    orgId: current.orgId,
    allowed: s.allowed,
    maxBytes: s.maxBytes,
  });
  try {
    await deps.database.db.transaction().execute(async (trx) => {
      const { row } = await step(trx, id, 'attach');
      const { n, maxSort } = await countFiles(trx, id, slot);
      if (n >= s.max) throw ruleBroken('TOO_MANY_FILES', s.tooMany, { file: s.tooMany });
      await trx
        .insertInto('instrumentFiles')
        .values({ instrumentId: id, fileId: stored.id, kind: slot, sort: maxSort + 1 })
        .execute();
      await trx.updateTable('instruments').set({ updatedAt: ctx.now.toISOString() }).where('id', '=', id).execute();
      // the catalogue shows the first picture
      if (slot === 'picture') await catalogueChanged(trx, [id]);
      await record(trx, ctx, {
        action: `instrument.${slot}_add`,
        subjectKind: KIND,
        subjectId: id,
        fromState: row.state,
        toState: row.state,
        orgId: row.orgId,
        detail: { fileId: stored.id, name: stored.name, size: stored.size, mime: stored.mime },
      });
    });
  } catch (e) {
    await files.discard(deps, stored.id);
    throw e;
  }
  const { row: _row, ...reply } = stored;
  return reply;
}

/** Removes one picture or attachment. */
export async function removeFile(deps: Deps, req: FastifyRequest, id: string, fileId: string) {
  const ctx = auditCtx(deps, req);
  await loadForWrite(deps, req, id);
  const keys = await deps.database.db.transaction().execute(async (trx) => {
    const link = await trx
      .selectFrom('instrumentFiles')
      .select(['kind'])
      .where('instrumentId', '=', id)
      .where('fileId', '=', fileId)
      .executeTakeFirst();
    if (!link) throw notFound('文件');
    const { row } = await step(trx, id, 'attach');
    await trx.deleteFrom('instrumentFiles').where('instrumentId', '=', id).where('fileId', '=', fileId).execute();
    const removed = await files.deleteRows(trx, [fileId]);
    await trx.updateTable('instruments').set({ updatedAt: ctx.now.toISOString() }).where('id', '=', id).execute();
    if (link.kind === 'picture') await catalogueChanged(trx, [id]);
    await record(trx, ctx, {
      action: `instrument.${link.kind}_remove`,
      subjectKind: KIND,
      subjectId: id,
      fromState: row.state,
      toState: row.state,
      orgId: row.orgId,
      detail: { fileId },
    });
    return removed;
  });
  await files.removeStored(deps, keys);
  return { ok: true as const };
}

/** Who may read a picture or attachment: anyone when its instrument is listed, else those who may see the instrument. */
export const fileAccess: files.FileAccessCheck = async (db, actor, f) => {
  const links = await db
    .selectFrom('instrumentFiles')
    .innerJoin('instruments', 'instruments.id', 'instrumentFiles.instrumentId')
    .innerJoin('organizations', 'organizations.id', 'instruments.orgId')
    .select(['instruments.state', 'instruments.orgId', 'organizations.departmentId'])
    .where('instrumentFiles.fileId', '=', f.id)
    .execute();
  if (links.some((l) => l.state === 'listed')) return 'public';
  if (links.some((l) => mayViewUnlisted(actor, l))) return 'private';
  // uploaded but not attached (a failed attach): its organisation only
  if (!links.length && f.orgId && actor?.kind === 'person' && actor.org?.id === f.orgId) return 'private';
  return false;
};

// ------------------------------------------------------------------ reading

function categoryPath(code: string) {
  const codes = [`${code.slice(0, 2)}0000`, `${code.slice(0, 4)}00`, code];
  return [...new Set(codes)];
}

/** The whole record as the detail page (and the reviewer) sees it; only created_by stays inside. */
async function buildView(
  db: Db,
  actor: Actor | null,
  row: Row & { orgName: string; orgCityCode: string },
): Promise<InstrumentViewT> {
  const path = categoryPath(row.categoryCode);
  const [cats, fields, fileRows] = await Promise.all([
    db.selectFrom('categories').select(['code', 'name']).where('code', 'in', path).execute(),
    db
      .selectFrom('instrumentFields')
      .innerJoin('serviceFields', 'serviceFields.code', 'instrumentFields.fieldCode')
      .select(['serviceFields.code', 'serviceFields.name'])
      .where('instrumentFields.instrumentId', '=', row.id)
      .orderBy('serviceFields.sort')
      .execute(),
    db
      .selectFrom('instrumentFiles')
      .innerJoin('files', 'files.id', 'instrumentFiles.fileId')
      .select(['instrumentFiles.kind', 'files.id', 'files.originalName', 'files.mime', 'files.size', 'files.thumbKey'])
      .where('instrumentFiles.instrumentId', '=', row.id)
      .orderBy('instrumentFiles.sort')
      .orderBy('files.id')
      .execute(),
  ]);
  const names = path.map((c) => cats.find((x) => x.code === c)?.name).filter((n): n is string => !!n);
  const staff = (typeof row.staffJson === 'string' ? JSON.parse(row.staffJson) : row.staffJson) ?? [];
  return {
    id: row.id,
    orgId: row.orgId,
    orgName: row.orgName,
    orgCityName: cityName(row.orgCityCode),
    internalNo: row.internalNo,
    name: row.name,
    nameEn: row.nameEn,
    categoryCode: row.categoryCode,
    categoryName: names[names.length - 1] ?? row.categoryCode,
    categoryPath: names,
    serviceFields: fields.map((f) => f.code),
    serviceFieldNames: fields.map((f) => f.name),
    model: row.model,
    manufacturer: row.manufacturer,
    country: row.country,
    valueFen: row.valueFen == null ? null : Number(row.valueFen),
    purchaseDate: row.purchaseDate,
    startUseDate: row.startUseDate,
    source: row.source as InstrumentViewT['source'],
    specs: row.specs,
    functions: row.functions,
    serviceContent: row.serviceContent,
    feeStandard: row.feeStandard,
    sharingMode: row.sharingMode,
    runStatus: row.runStatus as InstrumentViewT['runStatus'],
    cityCode: row.cityCode,
    cityName: row.cityCode ? cityName(row.cityCode) : null,
    district: row.district,
    street: row.street,
    room: row.room,
    contactName: row.contactName,
    contactPhone: row.contactPhone,
    contactEmail: row.contactEmail,
    staff,
    state: row.state,
    stateLabel: instrumentStateLabel(row.state, row.isDisabled),
    isDisabled: row.isDisabled,
    rejectReason: row.rejectReason,
    serviceCount: row.serviceCount,
    ratingAverage: row.ratingCount ? Math.round((row.ratingSum / row.ratingCount) * 10) / 10 : null,
    ratingCount: row.ratingCount,
    pictures: fileRows.filter((f) => f.kind === 'picture').map(files.toStored),
    attachments: fileRows.filter((f) => f.kind === 'attachment').map(files.toStored),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    listedAt: row.listedAt,
    isBookable: isBookable(row.state, row.isDisabled),
    canManage: mayManage(actor, row.orgId),
  };
}

async function loadWithOrg(db: Db, id: string) {
  return db
    .selectFrom('instruments')
    .innerJoin('organizations', 'organizations.id', 'instruments.orgId')
    .selectAll('instruments')
    .select(['organizations.name as orgName', 'organizations.cityCode as orgCityCode', 'organizations.departmentId'])
    .where('instruments.id', '=', id)
    .executeTakeFirst();
}

/** 查看详情: a listed instrument for everyone; any other only for its organisation and its reviewers (else 404). */
export async function view(db: Db, actor: Actor | null, id: string) {
  const row = await loadWithOrg(db, id);
  if (!row || (row.state !== 'listed' && !mayViewUnlisted(actor, row))) throw notFound('仪器');
  return buildView(db, actor, row);
}

/** The review history of an instrument, for its organisation. */
export async function history(db: Db, actor: Actor, id: string) {
  const row = await db.selectFrom('instruments').select(['orgId']).where('id', '=', id).executeTakeFirst();
  if (!row || row.orgId !== actor.org?.id) throw notFound('仪器');
  return reviews.history(db, KIND, id);
}

export interface MineFilter {
  state?: 'draft' | 'pending' | 'listed' | 'rejected' | 'disabled';
  q?: string;
  page: number;
  pageSize: number;
}

/** 我的仪器: the organisation's instruments with state filters, a search over name, model and internal number, and paging. */
export async function mine(db: Db, actor: Actor, f: MineFilter) {
  let q = db
    .selectFrom('instruments')
    .innerJoin('categories', 'categories.code', 'instruments.categoryCode')
    .where('instruments.orgId', '=', actor.org!.id);
  if (f.state === 'disabled')
    q = q.where('instruments.state', '=', 'listed').where('instruments.isDisabled', '=', true);
  else if (f.state === 'listed')
    q = q.where('instruments.state', '=', 'listed').where('instruments.isDisabled', '=', false);
  else if (f.state) q = q.where('instruments.state', '=', f.state);
  if (f.q) {
    const term = f.q.toLowerCase();
    q = q.where((eb) =>
      eb.or(
        (['instruments.name', 'instruments.model', 'instruments.internalNo'] as const).map((c) =>
          contains(sql`lower(${eb.ref(c)})`, term),
        ),
      ),
    );
  }
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await q
    .select([
      'instruments.id',
      'instruments.internalNo',
      'instruments.name',
      'instruments.model',
      'categories.name as categoryName',
      'instruments.valueFen',
      'instruments.state',
      'instruments.isDisabled',
      'instruments.rejectReason',
      'instruments.serviceCount',
      'instruments.updatedAt',
      'instruments.listedAt',
    ])
    .orderBy('instruments.updatedAt', 'desc')
    .orderBy('instruments.id', 'desc')
    .limit(f.pageSize)
    .offset((f.page - 1) * f.pageSize)
    .execute();
  const ids = rows.map((r) => r.id);
  const links = ids.length
    ? await db
        .selectFrom('instrumentFiles')
        .innerJoin('files', 'files.id', 'instrumentFiles.fileId')
        .select([
          'instrumentFiles.instrumentId',
          'instrumentFiles.kind',
          'instrumentFiles.sort',
          'files.id',
          'files.thumbKey',
        ])
        .where('instrumentFiles.instrumentId', 'in', ids)
        .orderBy('instrumentFiles.sort')
        .execute()
    : [];
  return {
    items: rows.map((r) => {
      const mineLinks = links.filter((l) => l.instrumentId === r.id);
      const pictures = mineLinks.filter((l) => l.kind === 'picture');
      return {
        ...r,
        valueFen: r.valueFen == null ? null : Number(r.valueFen),
        stateLabel: instrumentStateLabel(r.state, r.isDisabled),
        pictureUrl: pictures[0] ? `${files.fileUrl(pictures[0].id)}${pictures[0].thumbKey ? '/thumb' : ''}` : null,
        pictureCount: pictures.length,
        attachmentCount: mineLinks.length - pictures.length,
      };
    }),
    total: Number(total.n),
    page: f.page,
    pageSize: f.pageSize,
  };
}

// ------------------------------------------------------------------ review hooks

/** The instrument's state follows its listing review, inside the review's transaction. */
export const instrumentSubject = {
  kind: KIND,
  label: '仪器入网',
  async onApproved(trx: Db, id: string, ctx: AuditContext) {
    const now = ctx.now.toISOString();
    const row = await trx
      .selectFrom('instruments')
      .select(['orgId', 'listedAt'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('instruments')
      .set({ state: 'listed', rejectReason: null, listedAt: row.listedAt ?? now, updatedAt: now })
      .where('id', '=', id)
      .execute();
    await reindexInstrument(trx, dialectOf(trx), id);
    await record(trx, ctx, {
      action: 'instrument.approved',
      subjectKind: KIND,
      subjectId: id,
      fromState: 'pending',
      toState: 'listed',
      orgId: row.orgId,
    });
  },
  async onRejected(trx: Db, id: string, reason: string, ctx: AuditContext) {
    const row = await trx.selectFrom('instruments').select(['orgId']).where('id', '=', id).executeTakeFirstOrThrow();
    await trx
      .updateTable('instruments')
      .set({ state: 'rejected', rejectReason: reason, updatedAt: ctx.now.toISOString() })
      .where('id', '=', id)
      .execute();
    await reindexInstrument(trx, dialectOf(trx), id);
    await record(trx, ctx, {
      action: 'instrument.rejected',
      subjectKind: KIND,
      subjectId: id,
      fromState: 'pending',
      toState: 'rejected',
      orgId: row.orgId,
      detail: { reason },
    });
  },
  async describe(db: Db, id: string) {
    const row = await loadWithOrg(db, id);
    if (!row) throw notFound('仪器');
    const { canManage: _c, ...rest } = await buildView(db, null, row);
    return rest as Record<string, unknown>;
  },
};
