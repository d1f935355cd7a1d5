/**
 * 上传仪器: bulk listing from the Excel template.
 *
 * The request checks the file (content, size when unpacked, rows, header) and answers at once with a job; the job
 * checks every row against the database and writes drafts in the background, reporting progress in import_jobs.
 *  - mode `all`: every row is checked first (in a few queries, whatever the number of rows); if any has a problem nothing is written, otherwise all rows are written
 *    in one transaction together with the job's result.
 *  - mode `valid`: every row is checked first, then the valid rows are written in chunks of 200, one transaction per chunk.
 * The file is checked and read in upload.ts, the job runs in job.ts; this file holds the requests.
 */
import type { FastifyRequest } from 'fastify';
import { IMPORT_STATE_LABEL, type ImportErrorT, type ImportModeT } from '../../../contracts/imports';
import { notFound, ruleBroken, conflict } from '../../../domain/errors';
import type { Db } from '../../db/connect';
import { newId } from '../../db/ids';
import type { ImportJobsTable } from '../../db/types';
import type { Deps } from '../../deps';
import type { Actor } from '../../http/actor';
import { auditCtx } from '../../http/session';
import { writeXlsx } from '../../platform/excel';
import { schedule } from './job';
import { buildReport, buildTemplate } from './template';
import { loadReference, MAX_ROWS, readUpload } from './upload';

export { CHUNK, drainImports, MAX_STORED_ERRORS } from './job';
export { MAX_ROWS } from './upload';
const ERRORS_SHOWN = 200;
/** A job still "running" after this long was cut off (the process stopped); it is shown as failed. */
const STALE_MS = 10 * 60_000;

// ------------------------------------------------------------------ access

/** The actor's organisation, which must have joined the platform. */
function ownApprovedOrg(actor: Actor): string {
  const org = actor.org!;
  if (org.state !== 'approved') throw ruleBroken('ORG_NOT_APPROVED', '单位入网审核通过后才能批量导入仪器');
  return org.id;
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
