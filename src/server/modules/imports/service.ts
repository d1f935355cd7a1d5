/**
 * 上传仪器: bulk listing from the Excel template.
 *
 * The request checks the file (content, size when unpacked, rows, header) and answers at once with a job; the job
 * checks every row against the database and writes drafts in the background, reporting progress in import_jobs.
 *  - mode `all`: every row is checked first (in a few queries, whatever the number of rows); if any has a problem nothing is written, otherwise all rows are written
 *    in one transaction together with the job's result.
 *  - mode `valid`: every row is checked first, then the valid rows are written in chunks of 200, one transaction per chunk.
 */
import type { FastifyRequest } from 'fastify';
import type { InstrumentFieldsT } from '../../../contracts/instruments';
import { IMPORT_LIMITS, IMPORT_STATE_LABEL, type ImportErrorT, type ImportModeT } from '../../../contracts/imports';
import { DomainError, notFound, ruleBroken, conflict, type FieldErrors } from '../../../domain/errors';
import { isUniqueViolation, type Db } from '../../db/connect';
import { newId } from '../../db/ids';
import type { ImportJobsTable } from '../../db/types';
import type { Deps } from '../../deps';
import type { Actor } from '../../http/actor';
import type { Clock } from '../../platform/clock';
import { auditCtx } from '../../http/session';
import { DEFAULT_LIMITS, inspectXlsx, readXlsx, writeXlsx, XlsxRejected, type XlsxProblem } from '../../platform/excel';
import { record, type AuditContext } from '../audit/service';
import { checkInstrumentFieldsMany, insertDraft, insertDrafts } from '../instruments/service';
import { labelOf } from './columns';
import { dataSheet, HeaderProblem, readHeader, readRows, TooManyRows, type CandidateRow } from './parse';
import { buildReport, buildTemplate, type TemplateRef } from './template';

export const MAX_ROWS = IMPORT_LIMITS.maxRows;
export const CHUNK = 200;
/** Errors kept for the report; the count is always exact. */
export const MAX_STORED_ERRORS = 10_000;
const ERRORS_SHOWN = 200;
/** A job still "running" after this long was cut off (the process stopped); it is shown as failed. */
const STALE_MS = 10 * 60_000;
const SUBJECT = 'import_job';

// ------------------------------------------------------------------ access

/** The actor's organisation, which must have joined the platform. */
function ownApprovedOrg(actor: Actor): string {
  const org = actor.org!;
  if (org.state !== 'approved') throw ruleBroken('ORG_NOT_APPROVED', '单位入网审核通过后才能批量导入仪器');
  return org.id;
}

async function loadReference(db: Db): Promise<TemplateRef> {
  const cats = await db
    .selectFrom('categories')
    .select(['code', 'name'])
    .where('isEnabled', '=', true)
    .orderBy('sort')
    .orderBy('code')
    .execute();
  const fields = await db
    .selectFrom('serviceFields')
    .select(['code', 'name'])
    .where('isEnabled', '=', true)
    .orderBy('sort')
    .execute();
  const cities = await db
    .selectFrom('cities')
    .select(['code', 'name', 'isInProvince'])
    .where('isEnabled', '=', true)
    .orderBy('sort')
    .execute();
  return {
    categories: new Map(cats.map((c) => [c.code, c.name])),
    serviceFields: fields,
    cities: cities.map((c) => ({ code: c.code, name: c.name })),
    provinceCities: cities.filter((c) => c.isInProvince).map((c) => c.name),
  };
}

// ------------------------------------------------------------------ template

/** The template only changes with the reference data it lists; building it costs more than reading that data. */
let cachedTemplate: { key: string; data: Buffer } | null = null;

export async function template(deps: Deps, actor: Actor): Promise<Buffer> {
  ownApprovedOrg(actor);
  const ref = await loadReference(deps.database.db);
  const key = JSON.stringify([[...ref.categories], ref.serviceFields, ref.cities, ref.provinceCities]);
  if (cachedTemplate?.key !== key) cachedTemplate = { key, data: await writeXlsx(await buildTemplate(ref, MAX_ROWS)) };
  return cachedTemplate.data;
}

// ------------------------------------------------------------------ upload

const fileField = (message: string) => ({ file: message });

/** What the file checks found, as the API's errors: nothing has been written when one of these is thrown. */
function refusal(p: XlsxProblem): DomainError {
  switch (p.kind) {
    case 'not_xlsx': {
      const message =
        p.reason === 'legacy_or_encrypted'
          ? '不支持 .xls 格式或加密的文件，请在 Excel 中另存为 .xlsx（不设密码）后上传'
          : '文件不是有效的 .xlsx 表格，请下载模板填写后上传';
      return new DomainError(415, 'NOT_XLSX', message, fileField(message));
    }
    case 'too_large': {
      const message = '文件解压后过大，已拒绝（可能是压缩炸弹），请检查文件后重新上传';
      return new DomainError(413, 'XLSX_TOO_LARGE', message, fileField('文件解压后过大'));
    }
    case 'too_many_rows': {
      const message = `单次最多导入 ${MAX_ROWS} 行，请拆分为多个文件上传`;
      return ruleBroken('TOO_MANY_ROWS', message, fileField(message));
    }
    case 'too_many_cells': {
      const message = `工作表“${p.sheet}”的单元格过多，请只保留模板中的列后重新上传`;
      return ruleBroken('TOO_MANY_CELLS', message, fileField(message));
    }
    case 'unsupported': {
      const message = '文件结构不受支持，请下载模板，将数据粘贴为数值后重新上传';
      return ruleBroken('XLSX_UNSUPPORTED', message, fileField(message));
    }
    case 'unreadable': {
      const message = '文件已损坏，无法读取，请检查后重新上传';
      return ruleBroken('XLSX_UNREADABLE', message, fileField(message));
    }
  }
}

/** The limits of the upload: the data sheet holds the header, an example row and at most MAX_ROWS rows. */
const UPLOAD_LIMITS = {
  ...DEFAULT_LIMITS,
  maxValuedRows: MAX_ROWS + 2,
  maxRowElements: 20_000,
  maxCells: (MAX_ROWS + 2) * 60,
};

/** Reads and checks the file; every refusal here happens before anything is written. */
async function readUpload(db: Db, data: Buffer): Promise<CandidateRow[]> {
  let wb;
  try {
    inspectXlsx(data, UPLOAD_LIMITS);
    wb = await readXlsx(data);
  } catch (e) {
    if (e instanceof XlsxRejected) throw refusal(e.problem);
    throw e;
  }
  const ws = dataSheet(wb);
  if (!ws) throw ruleBroken('IMPORT_NO_SHEET', '文件中没有工作表', fileField('文件中没有工作表'));
  let rows: CandidateRow[];
  try {
    const header = readHeader(ws);
    rows = readRows(ws, header, await loadReference(db), MAX_ROWS);
  } catch (e) {
    if (e instanceof HeaderProblem) {
      const message = `表头与模板不一致，缺少以下列：${e.missing.join('、')}。请下载最新模板填写`;
      throw new DomainError(422, 'IMPORT_HEADER', message, fileField(message), { missing: e.missing });
    }
    if (e instanceof TooManyRows) throw refusal({ kind: 'too_many_rows', sheet: ws.name, valuedRows: e.rows });
    throw e;
  }
  if (!rows.length)
    throw ruleBroken('IMPORT_EMPTY', '文件中没有可导入的数据（示例行不会导入）', fileField('没有可导入的数据'));
  return rows;
}

/** The name as shown back to the user: no path, no control characters, at most 200 characters. */
const safeFileName = (name: string) =>
  [...(name.split(/[\\/]/).pop() ?? '')]
    .filter((ch) => ch >= ' ' && ch !== '\u007f')
    .join('')
    .slice(0, 200) || '未命名.xlsx';

const isStale = (j: Pick<ImportJobsTable, 'state' | 'createdAt'>, now: Date) =>
  j.state === 'running' && now.getTime() - new Date(j.createdAt).getTime() > STALE_MS;

/** 上传: checks the file and starts the job. Answers with the job's id; the rows are checked and written in the background. */
export async function start(
  deps: Deps,
  req: FastifyRequest,
  upload: { fileName: string; data: Buffer },
  mode: ImportModeT,
) {
  const actor = req.actor!;
  const orgId = ownApprovedOrg(actor);
  const { db } = deps.database;
  const ctx = auditCtx(deps, req);
  const running = await db
    .selectFrom('importJobs')
    .select(['id', 'state', 'createdAt'])
    .where('orgId', '=', orgId)
    .where('state', '=', 'running')
    .execute();
  if (running.some((j) => !isStale(j, ctx.now)))
    throw conflict('IMPORT_RUNNING', '本单位有导入正在进行，请等待其完成后再上传');

  const rows = await readUpload(db, upload.data);
  const id = newId();
  await db
    .insertInto('importJobs')
    .values({
      id,
      orgId,
      createdBy: actor.userId,
      state: 'running',
      mode,
      fileName: safeFileName(upload.fileName),
      totalRows: rows.length,
      processedRows: 0,
      createdCount: 0,
      errorCount: 0,
      errorsJson: null,
      message: '等待处理',
      createdAt: ctx.now.toISOString(),
      finishedAt: null,
    })
    .execute();
  schedule(deps, { id, orgId, mode, rows, ctx, clock: deps.clock });
  return { jobId: id };
}

// ------------------------------------------------------------------ the job

interface Job {
  id: string;
  orgId: string;
  mode: ImportModeT;
  rows: CandidateRow[];
  ctx: AuditContext;
  clock: Clock;
}

/** One import at a time per process: a job is CPU and write heavy, and SQLite has one writer anyway. */
let queue: Promise<void> = Promise.resolve();

/** Resolves when every job scheduled so far has ended (the graceful shutdown waits for it before closing the database). */
export async function drainImports(): Promise<void> {
  let seen: Promise<void>;
  do {
    seen = queue;
    await seen;
  } while (seen !== queue); // a job may schedule behind the one awaited
}

function schedule(deps: Deps, job: Job) {
  queue = queue
    .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
    .then(() => run(deps, job))
    .catch(async (err) => {
      deps.log.error({ err, jobId: job.id }, 'import job failed');
      try {
        await deps.database.db
          .updateTable('importJobs')
          .set({
            state: 'failed',
            message: '导入失败：服务器内部错误，未导入的行请重新上传',
            finishedAt: deps.clock.now().toISOString(),
          })
          .where('id', '=', job.id)
          .where('state', '=', 'running')
          .execute();
      } catch {
        /* the database is gone (shutdown); the job shows as interrupted later */
      }
    });
}

const byRow = (a: ImportErrorT, b: ImportErrorT) => a.row - b.row;

/** FieldErrors of one row (keys are field names) → report lines. */
const rowErrors = (row: number, fe: FieldErrors): ImportErrorT[] =>
  Object.entries(fe).map(([key, reason]) => ({ row, column: labelOf(key), reason }));

/** An error of the database while writing one row: a duplicate internal number, or a rule of the instruments module. */
function writeError(row: CandidateRow, e: unknown): ImportErrorT[] | null {
  if (isUniqueViolation(e))
    return [{ row: row.row, column: labelOf('internalNo'), reason: '本单位已有相同内部编号的仪器' }];
  if (e instanceof DomainError)
    return e.fields ? rowErrors(row.row, e.fields) : [{ row: row.row, column: '—', reason: e.message }];
  return null;
}

/** An error that `writeError` names for a row: worth retrying row by row to find which. */
const isRowRefusal = (e: unknown) => isUniqueViolation(e) || e instanceof DomainError;

type Valid = { row: CandidateRow; fields: InstrumentFieldsT };

async function run(deps: Deps, job: Job) {
  const { db } = deps.database;
  const errors: ImportErrorT[] = [];
  let processed = 0;
  let created = 0;
  const progress = (message: string) =>
    db
      .updateTable('importJobs')
      .set({ processedRows: processed, createdCount: created, errorCount: errors.length, message })
      .where('id', '=', job.id)
      .execute();

  /** Every row checked against the database at once; the file's problems and the database's are kept per row, in row order. */
  const candidates = job.rows.filter((r) => r.fields);
  const verdicts = await checkInstrumentFieldsMany(
    db,
    job.orgId,
    candidates.map((r) => r.fields!),
    job.ctx.now,
  );
  const dbErrors = new Map(candidates.map((r, i) => [r, verdicts[i]]));
  /** Rows of a chunk that pass the database checks too. */
  const check = (chunk: CandidateRow[]) => {
    const ok: Valid[] = [];
    for (const r of chunk) {
      errors.push(...r.errors);
      if (!r.fields) continue;
      const fe = dbErrors.get(r)!;
      if (Object.keys(fe).length) errors.push(...rowErrors(r.row, fe));
      else ok.push({ row: r, fields: r.fields });
    }
    return ok;
  };

  if (job.mode === 'valid') {
    for (let i = 0; i < job.rows.length; i += CHUNK) {
      const valid = check(job.rows.slice(i, i + CHUNK));
      created += await writeChunk(db, job, valid, errors);
      processed = Math.min(job.rows.length, i + CHUNK);
      await progress('正在导入');
      await yieldToOthers();
    }
    errors.sort(byRow);
    const badRows = new Set(errors.map((e) => e.row)).size;
    const message = `已导入 ${created} 台仪器（草稿）${badRows ? `，${badRows} 行有问题未导入，详见错误报告` : ''}`;
    await finish(db, job, created, errors, message);
    return;
  }

  const valid = check(job.rows);
  processed = job.rows.length;
  errors.sort(byRow);
  if (errors.length) {
    await finish(db, job, 0, errors, `发现 ${errors.length} 处问题，未导入任何仪器；请按错误报告修改后重新上传`);
    return;
  }
  await progress('正在写入');
  // the row being written when the database refuses one: the whole file stays unwritten and that row is reported
  const at: { row: CandidateRow | null } = { row: null };
  const writeAll = (oneByOne: boolean) =>
    db.transaction().execute(async (trx) => {
      if (oneByOne) {
        for (const v of valid) {
          at.row = v.row;
          await insertDraft(trx, job.ctx, job.orgId, v.fields);
        }
        at.row = null;
      } else {
        await insertDrafts(
          trx,
          job.ctx,
          job.orgId,
          valid.map((v) => v.fields),
        );
      }
      await finish(trx, job, valid.length, [], `已导入 ${valid.length} 台仪器（草稿）`);
    });
  try {
    await writeAll(false);
  } catch (e) {
    if (!isRowRefusal(e)) throw e;
    // a row was refused (a concurrent upload took its number): once more row by row, to name it
    try {
      await writeAll(true);
    } catch (e2) {
      const found = at.row ? writeError(at.row, e2) : null;
      if (!found) throw e2;
      await finish(db, job, 0, found, '写入时发现问题，未导入任何仪器；请按错误报告修改后重新上传');
    }
  }
}

/** One transaction for the chunk; if a row is refused while writing (a concurrent upload took its number), row by row. */
async function writeChunk(db: Db, job: Job, valid: Valid[], errors: ImportErrorT[]): Promise<number> {
  if (!valid.length) return 0;
  try {
    await db.transaction().execute((trx) =>
      insertDrafts(
        trx,
        job.ctx,
        job.orgId,
        valid.map((v) => v.fields),
      ),
    );
    return valid.length;
  } catch (e) {
    if (!isRowRefusal(e)) throw e;
  }
  let n = 0;
  for (const v of valid) {
    try {
      await db.transaction().execute((trx) => insertDraft(trx, job.ctx, job.orgId, v.fields));
      n++;
    } catch (e) {
      const found = writeError(v.row, e);
      if (!found) throw e;
      errors.push(...found);
    }
  }
  return n;
}

/** Lets requests waiting for the event loop (and the single SQLite connection) run between chunks. */
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

async function finish(db: Db, job: Job, created: number, errors: ImportErrorT[], message: string) {
  await db
    .updateTable('importJobs')
    .set({
      state: 'done',
      processedRows: job.rows.length,
      createdCount: created,
      errorCount: errors.length,
      errorsJson: JSON.stringify(errors.slice(0, MAX_STORED_ERRORS)),
      message,
      finishedAt: job.clock.now().toISOString(),
    })
    .where('id', '=', job.id)
    .execute();
  await record(db, job.ctx, {
    action: 'instrument.import',
    subjectKind: SUBJECT,
    subjectId: job.id,
    toState: 'done',
    orgId: job.orgId,
    detail: { mode: job.mode, rows: job.rows.length, created, errors: errors.length },
  });
}

// ------------------------------------------------------------------ reading jobs

type JobRow = ImportJobsTable;

function summary(j: JobRow, now: Date) {
  const stale = isStale(j, now);
  const state = stale ? 'failed' : j.state;
  return {
    id: j.id,
    state,
    stateLabel: IMPORT_STATE_LABEL[state],
    mode: j.mode,
    fileName: j.fileName,
    totalRows: j.totalRows,
    processedRows: j.processedRows,
    createdCount: j.createdCount,
    errorCount: j.errorCount,
    message: stale ? '导入已中断，请重新上传' : j.message,
    createdAt: j.createdAt,
    finishedAt: j.finishedAt,
  };
}

const storedErrors = (j: JobRow): ImportErrorT[] => {
  const v = typeof j.errorsJson === 'string' ? JSON.parse(j.errorsJson) : j.errorsJson;
  return Array.isArray(v) ? (v as ImportErrorT[]) : [];
};

/** A job of the actor's organisation; another organisation's job does not exist for this actor. */
async function loadOwn(db: Db, actor: Actor, id: string): Promise<JobRow> {
  const j = await db
    .selectFrom('importJobs')
    .selectAll()
    .where('id', '=', id)
    .where('orgId', '=', actor.org!.id)
    .executeTakeFirst();
  if (!j) throw notFound('导入任务');
  return j;
}

export async function view(deps: Deps, actor: Actor, id: string) {
  ownApprovedOrg(actor);
  const j = await loadOwn(deps.database.db, actor, id);
  const errors = storedErrors(j);
  return {
    ...summary(j, deps.clock.now()),
    errors: errors.slice(0, ERRORS_SHOWN),
    errorsTruncated: j.errorCount > ERRORS_SHOWN,
  };
}

export async function list(deps: Deps, actor: Actor) {
  const orgId = ownApprovedOrg(actor);
  const rows = await deps.database.db
    .selectFrom('importJobs')
    .selectAll()
    .where('orgId', '=', orgId)
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(20)
    .execute();
  const now = deps.clock.now();
  return { items: rows.map((j) => summary(j, now)) };
}

/** 错误报告 (.xlsx): every problem kept for the job, with row, column and reason. */
export async function report(deps: Deps, actor: Actor, id: string): Promise<{ data: Buffer; fileName: string }> {
  ownApprovedOrg(actor);
  const j = await loadOwn(deps.database.db, actor, id);
  if (j.state === 'running' && !isStale(j, deps.clock.now()))
    throw conflict('IMPORT_RUNNING', '导入尚未完成，请稍后下载错误报告');
  const errors = storedErrors(j);
  const wb = await buildReport(errors, j.fileName, j.errorCount > errors.length ? j.errorCount : null);
  const base = j.fileName.replace(/\.xlsx$/i, '');
  return { data: await writeXlsx(wb), fileName: `${base}-错误报告.xlsx` };
}
