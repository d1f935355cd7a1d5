import { z } from 'zod';

/** 上传: `all` applies the file only when every row is valid; `valid` applies the valid rows and reports the others. */
export const ImportMode = z.enum(['all', 'valid']);
export type ImportModeT = z.infer<typeof ImportMode>;

export const ImportQuery = z.strictObject({
  mode: ImportMode.default('all'),
});

export const ImportStartReply = z.object({ jobId: z.string() });

/** One problem of the file: the Excel row number, the column's header (Chinese) and the reason. */
export const ImportError = z.object({ row: z.number(), column: z.string(), reason: z.string() });
export type ImportErrorT = z.infer<typeof ImportError>;

export const IMPORT_STATE_LABEL = { running: '导入中', done: '已完成', failed: '失败' } as const;
export type ImportState = keyof typeof IMPORT_STATE_LABEL;

export const ImportJobSummary = z.object({
  id: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  stateLabel: z.string(),
  mode: ImportMode,
  fileName: z.string(),
  totalRows: z.number(),
  processedRows: z.number(),
  createdCount: z.number(),
  errorCount: z.number(),
  message: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

export const ImportJobView = ImportJobSummary.extend({
  /** The first 200 problems; the report has all of them. */
  errors: z.array(ImportError),
  errorsTruncated: z.boolean(),
});

export const ImportJobList = z.object({ items: z.array(ImportJobSummary) });

/** Limits the web form states next to the upload button. */
export const IMPORT_LIMITS = { maxRows: 10_000, maxFileMb: 20 } as const;
