/**
 * The background job of an import: the rows read from the file are checked against the database and written as
 * drafts, with progress in import_jobs (the modes are described in service.ts).
 */
import type { InstrumentFieldsT } from '../../../contracts/instruments';
import type { ImportErrorT, ImportModeT } from '../../../contracts/imports';
import { DomainError, type FieldErrors } from '../../../domain/errors';
import { isUniqueViolation, type Db } from '../../db/connect';
import type { Deps } from '../../deps';
import type { Clock } from '../../platform/clock';
import { record, type AuditContext } from '../audit/service';
import { checkInstrumentFieldsMany, insertDraft, insertDrafts } from '../instruments/service';
import { labelOf } from './columns';
import type { CandidateRow } from './parse';

export const CHUNK = 200;
/** Errors kept for the report; the count is always exact. */
export const MAX_STORED_ERRORS = 10_000;
const SUBJECT = 'import_job';

export interface Job {
  id: string;
  orgId: string;
  mode: ImportModeT;
  rows: CandidateRow[];
  ctx: AuditContext;
  clock: Clock;
}

/** One import at a time per process: a job is CPU and write heavy, and SQLite has one writer anyway. */
let queue: Promise<void> = Promise.resolve();

/**
 * Resolves when every job scheduled so far has ended (the graceful shutdown waits for it before closing the
 * database).
 */
export async function drainImports(): Promise<void> {
  let seen: Promise<void>;
  do {
    seen = queue;
    await seen;
  } while (seen !== queue); // a job may schedule behind the one awaited
}

/**
 * After a job its workbook, rows and the upload's unpacked parts are garbage: where the process allows it (node
 * --expose-gc, as `npm start` and the benchmark run it), collect them at once, so that their memory is given back
 * before the next burst of work rather than when the heap next fills (issue 10: RSS under 400 MB at 100,000
 * instruments).
 */
const collect = () => (globalThis as { gc?: () => void }).gc?.();

export function schedule(deps: Deps, job: Job) {
  queue = queue
    .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
    .then(() => run(deps, job))
    .finally(collect)
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

  /**
   * Every row checked against the database at once; the file's problems and the database's are kept per row, in
   * row order.
   */
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

/**
 * One transaction for the chunk; if a row is refused while writing (a concurrent upload took its number), row by
 * row.
 */
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
