/** The sheet 仪器信息 of an uploaded workbook → one candidate record per row, with the problems found without the database. */
import { InstrumentFields, type InstrumentFieldsT } from '../../../contracts/instruments';
import type { ImportErrorT } from '../../../contracts/imports';
import type { CellContent } from '../../platform/excel';
import { cellAt, type XlsxBook, type XlsxRow, type XlsxSheet } from '../../platform/xlsx-read';
import {
  COLUMNS,
  EXAMPLE_PREFIX,
  labelOf,
  normalizeHeader,
  RUN_STATUS_CHOICES,
  SHARING_CHOICES,
  SOURCE_CHOICES,
  type Column,
} from './columns';
import { isHostileText } from '../../http/hostile-text';
import { INVALID_TEXT } from '../../http/errors';
import {
  parseCategory,
  parseChoice,
  parseCity,
  parseDate,
  parseServiceFields,
  parseText,
  parseWan,
  type Parsed,
  type Ref,
} from './values';

export const DATA_SHEET = '仪器信息';

export interface Reference {
  /** code → name */
  categories: Map<string, string>;
  serviceFields: Ref[];
  cities: Ref[];
}

export interface CandidateRow {
  /** The Excel row number, as the user sees it. */
  row: number;
  internalNo: string | null;
  /** Set when the row passed every check that needs no database. */
  fields: InstrumentFieldsT | null;
  errors: ImportErrorT[];
}

export class HeaderProblem extends Error {
  constructor(readonly missing: string[]) {
    super(`missing columns: ${missing.join(', ')}`);
  }
}
export class TooManyRows extends Error {
  constructor(readonly rows: number) {
    super(`too many rows: ${rows}`);
  }
}

/** The sheet named 仪器信息, or the first visible worksheet of a file whose sheet was renamed. */
export function dataSheet(book: XlsxBook): XlsxSheet | undefined {
  return (
    book.sheets.find((s) => s.name === DATA_SHEET) ?? book.sheets.find((s) => s.state === 'visible') ?? book.sheets[0]
  );
}

/** Column positions by header (row 1, if it is the first row read); every template column is needed, in any order. */
export function readHeader(first: XlsxRow | undefined): Map<Column, number> {
  const found = new Map<string, number>();
  if (first?.row === 1)
    first.cells.forEach((c, col) => {
      if (c.kind === 'text') found.set(normalizeHeader(c.text), col);
    });
  const out = new Map<Column, number>();
  const missing: string[] = [];
  for (const c of COLUMNS) {
    const col = found.get(normalizeHeader(c.label));
    if (col === undefined) missing.push(c.label);
    else out.set(c, col);
  }
  if (missing.length) throw new HeaderProblem(missing);
  return out;
}

function convert(c: Column, cell: CellContent, ref: Reference): Parsed<unknown> {
  switch (c.kind) {
    case 'text':
      return parseText(cell);
    case 'wan':
      return parseWan(cell);
    case 'date':
      return parseDate(cell);
    case 'category':
      return parseCategory(cell, ref.categories);
    case 'serviceFields':
      return parseServiceFields(cell, ref.serviceFields);
    case 'sharingMode':
      return parseChoice(cell, SHARING_CHOICES, '内部共享、外部共享');
    case 'runStatus':
      return parseChoice(cell, RUN_STATUS_CHOICES, Object.keys(RUN_STATUS_CHOICES).join('、'));
    case 'source':
      return parseChoice(cell, SOURCE_CHOICES, Object.keys(SOURCE_CHOICES).join('、'));
    case 'city':
      return parseCity(cell, ref.cities);
  }
}

/**
 * Every non-blank row after the header (`rows`: the sheet's rows, read one at a time), except example rows (内部编号
 * starting with 示例). Each value is converted, then the whole row goes through the contract's schema; repeats of an
 * internal number inside the file are marked on every occurrence after the first.
 */
export function readRows(
  rows: Iterable<XlsxRow>,
  header: Map<Column, number>,
  ref: Reference,
  maxRows: number,
): CandidateRow[] {
  const out: CandidateRow[] = [];
  const firstRowOf = new Map<string, number>();
  for (const row of rows) {
    const r = row.row;
    if (r < 2) continue;
    const cells = new Map<Column, CellContent>();
    let blank = true;
    for (const [c, col] of header) {
      const content = cellAt(row, col);
      cells.set(c, content);
      if (content.kind !== 'empty') blank = false;
    }
    if (blank) continue;
    const no = cells.get(COLUMNS[0])!;
    if (no.kind === 'text' && no.text.trim().startsWith(EXAMPLE_PREFIX)) continue;
    if (out.length >= maxRows) throw new TooManyRows(out.length + 1);

    const errors: ImportErrorT[] = [];
    const failed = new Set<string>();
    const input: Record<string, unknown> = {};
    for (const [c, content] of cells) {
      // the one rule of hostile text (http/hostile-text.ts) holds for a cell too: Excel can encode U+0000 as _x0000_
      if (content.kind === 'text' && isHostileText(content.text)) {
        errors.push({ row: r, column: c.label, reason: INVALID_TEXT });
        failed.add(c.key);
        continue;
      }
      if (c.required && content.kind === 'empty') {
        errors.push({ row: r, column: c.label, reason: '必填' });
        failed.add(c.key);
        continue;
      }
      const v = convert(c, content, ref);
      if (!v.ok) {
        errors.push({ row: r, column: c.label, reason: v.reason });
        failed.add(c.key);
      } else if (v.value !== undefined) input[c.key] = v.value;
    }
    const internalNo = typeof input.internalNo === 'string' && input.internalNo !== '' ? input.internalNo : null;
    if (internalNo !== null) {
      const first = firstRowOf.get(internalNo);
      if (first !== undefined) {
        errors.push({ row: r, column: labelOf('internalNo'), reason: `与第 ${first} 行的内部编号重复` });
        failed.add('internalNo');
      } else firstRowOf.set(internalNo, r);
    }
    const parsed = InstrumentFields.safeParse({ ...input, staff: [] });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0] ?? '');
        if (failed.has(key)) continue;
        failed.add(key);
        errors.push({ row: r, column: labelOf(key), reason: issue.message });
      }
    }
    out.push({ row: r, internalNo, fields: errors.length === 0 && parsed.success ? parsed.data : null, errors });
  }
  return out;
}
