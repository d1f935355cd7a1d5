import type ExcelJS from 'exceljs';
import { Inflate, unzipSync } from 'fflate';

/**
 * Excel adapter: writing workbooks (exceljs), and checking uploaded ones without trusting them.
 *
 * An .xlsx is a zip of XML parts. Before anything reads an upload's cells (`xlsx-read.ts`), `inspectXlsx` checks it:
 *  - the content, not the name: zip magic, `[Content_Types].xml` naming a spreadsheet, `xl/workbook.xml`;
 *  - the central directory (read with fflate): declared unpacked size and compression ratio;
 *  - the real unpacked size: every part is inflated in small steps and stopped as soon as it outgrows what the
 *    directory declared or the total limit, so a directory that lies cannot smuggle a bomb past the first check;
 *  - the shape of the sheets: rows and cells are counted in the XML, so that 100,000 rows are refused before
 *    anything reads them;
 *  - defined names whose ranges would make exceljs walk millions of cells (were the workbook read by exceljs).
 */

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface XlsxLimits {
  /** Total unpacked size of all parts. */
  maxUnpackedBytes: number;
  /** Unpacked ÷ packed, over the whole archive. */
  maxRatio: number;
  /** Rows that hold a value, per worksheet. */
  maxValuedRows: number;
  /** `<row>` elements per worksheet, empty formatted ones included. */
  maxRowElements: number;
  /** `<c>` elements per worksheet. */
  maxCells: number;
  maxEntries: number;
}

export const DEFAULT_LIMITS: XlsxLimits = {
  maxUnpackedBytes: 50 * 1024 * 1024,
  maxRatio: 100,
  maxValuedRows: 100_000,
  maxRowElements: 200_000,
  maxCells: 2_000_000,
  maxEntries: 2_000,
};

export type XlsxProblem =
  | { kind: 'not_xlsx'; reason: 'not_zip' | 'legacy_or_encrypted' | 'not_spreadsheet' | 'bad_zip' }
  | { kind: 'too_large'; unpackedBytes: number; ratio: number }
  | { kind: 'too_many_rows'; sheet: string; valuedRows: number }
  | { kind: 'too_many_cells'; sheet: string }
  | { kind: 'unsupported'; reason: string }
  | { kind: 'unreadable' };

export class XlsxRejected extends Error {
  constructor(readonly problem: XlsxProblem) {
    super(`xlsx rejected: ${JSON.stringify(problem)}`);
  }
}

export interface SheetStats {
  name: string;
  path: string;
  rowElements: number;
  /** Rows with at least one value, formula or inline string. */
  valuedRows: number;
  cells: number;
}

export interface XlsxInspection {
  unpackedBytes: number;
  packedBytes: number;
  sheets: SheetStats[];
}

interface Entry {
  name: string;
  method: number;
  packed: number;
  unpacked: number;
  localOffset: number;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const startsWith = (buf: Uint8Array, magic: number[]) =>
  buf.length >= magic.length && magic.every((b, i) => buf[i] === b);

/** The central directory as offsets, in the order fflate listed it; the minimum needed to find each part's data. */
function readDirectory(buf: Buffer): Entry[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new XlsxRejected({ kind: 'not_xlsx', reason: 'bad_zip' });
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  // ZIP64 markers: a spreadsheet of at most 20 MB never needs them
  if (count === 0xffff || p === 0xffffffff) throw new XlsxRejected({ kind: 'unsupported', reason: 'zip64' });
  const out: Entry[] = [];
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50)
      throw new XlsxRejected({ kind: 'not_xlsx', reason: 'bad_zip' });
    const method = buf.readUInt16LE(p + 10);
    const packed = buf.readUInt32LE(p + 20);
    const unpacked = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localOffset = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    if (packed === 0xffffffff || unpacked === 0xffffffff || localOffset === 0xffffffff)
      throw new XlsxRejected({ kind: 'unsupported', reason: 'zip64' });
    out.push({ name, method, packed, unpacked, localOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** Inflates one part in small steps; stops as soon as it outgrows its declared size or the budget left. */
function boundedInflate(buf: Buffer, e: Entry, budget: number, keep: boolean): { bytes: number; data: Buffer | null } {
  const h = e.localOffset;
  if (h + 30 > buf.length || buf.readUInt32LE(h) !== 0x04034b50)
    throw new XlsxRejected({ kind: 'not_xlsx', reason: 'bad_zip' });
  const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
  const end = start + e.packed;
  if (end > buf.length) throw new XlsxRejected({ kind: 'not_xlsx', reason: 'bad_zip' });
  const limit = Math.min(e.unpacked, budget);
  const tooLarge = (bytes: number) =>
    new XlsxRejected({ kind: 'too_large', unpackedBytes: bytes, ratio: bytes / Math.max(1, e.packed) });
  if (e.method === 0) {
    if (e.packed > limit) throw tooLarge(e.packed);
    return { bytes: e.packed, data: keep ? buf.subarray(start, end) : null };
  }
  if (e.method !== 8) throw new XlsxRejected({ kind: 'unsupported', reason: `compression ${e.method}` });
  let bytes = 0;
  const chunks: Uint8Array[] = [];
  const inflate = new Inflate((chunk) => {
    bytes += chunk.length;
    if (bytes > limit) throw tooLarge(bytes);
    if (keep) chunks.push(chunk);
  });
  // 16 KB of deflate data unpacks to at most about 16 MB: memory stays bounded even for a lying directory
  const STEP = 16 * 1024;
  try {
    for (let p = start; p < end; p += STEP) inflate.push(buf.subarray(p, Math.min(end, p + STEP)), p + STEP >= end);
    if (start === end) inflate.push(new Uint8Array(0), true);
  } catch (err) {
    if (err instanceof XlsxRejected) throw err;
    throw new XlsxRejected({ kind: 'not_xlsx', reason: 'bad_zip' });
  }
  return { bytes, data: keep ? Buffer.concat(chunks) : null };
}

const LT = 0x3c;
const isTagEnd = (b: number | undefined) =>
  b === 0x20 || b === 0x3e || b === 0x2f || b === 0x09 || b === 0x0a || b === 0x0d;

/** Counts rows, rows with values and cells of a worksheet's XML in one linear pass over the bytes. */
export function countSheet(xml: Uint8Array): { rowElements: number; valuedRows: number; cells: number } {
  let rowElements = 0,
    valuedRows = 0,
    cells = 0,
    valued = true;
  for (let i = 0, n = xml.length; i < n; i++) {
    if (xml[i] !== LT) continue;
    const a = xml[i + 1];
    if (a === 0x72 /* r */ && xml[i + 2] === 0x6f && xml[i + 3] === 0x77 && isTagEnd(xml[i + 4])) {
      rowElements++;
      valued = false;
    } else if (a === 0x63 /* c */ && isTagEnd(xml[i + 2])) cells++;
    else if (
      !valued &&
      (((a === 0x76 /* v */ || a === 0x66) /* f */ && isTagEnd(xml[i + 2])) ||
        (a === 0x69 /* i */ && xml[i + 2] === 0x73 && isTagEnd(xml[i + 3])))
    ) {
      valuedRows++;
      valued = true;
    }
  }
  return { rowElements, valuedRows, cells };
}

const decodeXml = (s: string) =>
  s.replace(/&(lt|gt|quot|apos|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);
const attr = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decodeXml(m[1]) : null;
};

/** Sheet names to part paths, from xl/workbook.xml and its relationships. */
function sheetPaths(workbook: string, rels: string): Map<string, string> {
  const targets = new Map<string, string>();
  for (const m of rels.matchAll(/<Relationship\b[^>]*>/g)) {
    const id = attr(m[0], 'Id');
    const target = attr(m[0], 'Target');
    if (id && target) targets.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`);
  }
  const out = new Map<string, string>();
  for (const m of workbook.matchAll(/<sheet\b[^>]*>/g)) {
    const name = attr(m[0], 'name');
    const rid = attr(m[0], 'r:id');
    const path = rid ? targets.get(rid) : undefined;
    if (name && path) out.set(path, name);
  }
  return out;
}

const COL = (s: string) => [...s.toUpperCase()].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);

/** exceljs expands every defined name into one object per cell; refuse names that would cover millions of cells. */
function checkDefinedNames(workbook: string) {
  let cells = 0;
  for (const m of workbook.matchAll(/<definedName\b[^>]*>([^<]*)<\/definedName>/g)) {
    for (const r of m[1].matchAll(/\$([A-Za-z]{1,3})\$(\d{1,7}):\$([A-Za-z]{1,3})\$(\d{1,7})/g)) {
      cells += (Math.abs(COL(r[3]) - COL(r[1])) + 1) * (Math.abs(Number(r[4]) - Number(r[2])) + 1);
    }
  }
  if (cells > 1_000_000) throw new XlsxRejected({ kind: 'unsupported', reason: 'defined names cover too many cells' });
}

/** Checks an uploaded workbook before anything parses it. Throws `XlsxRejected`. */
export function inspectXlsx(buf: Buffer, limits: XlsxLimits = DEFAULT_LIMITS): XlsxInspection {
  if (startsWith(buf, OLE_MAGIC)) throw new XlsxRejected({ kind: 'not_xlsx', reason: 'legacy_or_encrypted' });
  if (!startsWith(buf, ZIP_MAGIC)) throw new XlsxRejected({ kind: 'not_xlsx', reason: 'not_zip' });

  // 1. the central directory, as fflate reads it: declared sizes only, nothing is unpacked (the filter says no)
  const listed: { name: string; packed: number; unpacked: number; compression: number }[] = [];
  try {
    unzipSync(buf, {
      filter: (f) => {
        listed.push({ name: f.name, packed: f.size, unpacked: f.originalSize, compression: f.compression });
        if (listed.length > limits.maxEntries)
          throw new XlsxRejected({ kind: 'unsupported', reason: 'too many parts' });
        return false;
      },
    });
  } catch (err) {
    if (err instanceof XlsxRejected) throw err;
    throw new XlsxRejected({ kind: 'not_xlsx', reason: 'bad_zip' });
  }
  const names = new Set(listed.map((e) => e.name));
  if (!names.has('[Content_Types].xml') || !names.has('xl/workbook.xml'))
    throw new XlsxRejected({ kind: 'not_xlsx', reason: 'not_spreadsheet' });
  const declared = listed.reduce((n, e) => n + e.unpacked, 0);
  const packed = listed.reduce((n, e) => n + e.packed, 0);
  const ratio = declared / Math.max(1, packed);
  if (declared > limits.maxUnpackedBytes || ratio > limits.maxRatio)
    throw new XlsxRejected({ kind: 'too_large', unpackedBytes: declared, ratio });

  // 2. the real sizes: inflate every part within what was declared, keeping the XML needed to count rows
  const entries = readDirectory(buf);
  if (entries.length !== listed.length || entries.some((e, i) => e.name !== listed[i].name))
    throw new XlsxRejected({ kind: 'not_xlsx', reason: 'bad_zip' });
  // a worksheet's rows are counted as soon as it is unpacked and its XML let go: the sheets are never all in memory
  const kept = new Map<string, Buffer>();
  const counted = new Map<string, ReturnType<typeof countSheet>>();
  let total = 0;
  for (const e of entries) {
    const sheet = /^xl\/worksheets\/[^/]+\.xml$/.test(e.name);
    const keep =
      sheet ||
      e.name === '[Content_Types].xml' ||
      e.name === 'xl/workbook.xml' ||
      e.name === 'xl/_rels/workbook.xml.rels';
    const { bytes, data } = boundedInflate(buf, e, limits.maxUnpackedBytes - total, keep);
    total += bytes;
    if (data && sheet) counted.set(e.name, countSheet(data));
    else if (data) kept.set(e.name, data);
  }

  const contentTypes = kept.get('[Content_Types].xml')?.toString('utf8') ?? '';
  if (!/spreadsheetml|ms-excel/i.test(contentTypes))
    throw new XlsxRejected({ kind: 'not_xlsx', reason: 'not_spreadsheet' });
  const workbook = kept.get('xl/workbook.xml')?.toString('utf8') ?? '';
  checkDefinedNames(workbook);

  // 3. the sheets' shape
  const paths = sheetPaths(workbook, kept.get('xl/_rels/workbook.xml.rels')?.toString('utf8') ?? '');
  const sheets: SheetStats[] = [];
  for (const [path, counts] of counted) {
    const name = paths.get(path) ?? path;
    const s = { name, path, ...counts };
    if (s.valuedRows > limits.maxValuedRows || s.rowElements > limits.maxRowElements)
      throw new XlsxRejected({ kind: 'too_many_rows', sheet: name, valuedRows: s.valuedRows });
    if (s.cells > limits.maxCells) throw new XlsxRejected({ kind: 'too_many_cells', sheet: name });
    sheets.push(s);
  }
  return { unpackedBytes: total, packedBytes: packed, sheets };
}

/**
 * A new workbook. exceljs is loaded on first use, not at start: it is ≈ 25 MB of memory that a server which never
 * reads or writes a workbook does not need (the memory target of docs/decisions/0002-live-catalogue.md).
 */
export async function newWorkbook(): Promise<ExcelJS.Workbook> {
  const { default: excel } = await import('exceljs');
  return new excel.Workbook();
}

export async function writeXlsx(wb: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** `Content-Disposition` for a download with a Chinese name (RFC 6266 / 5987), with an ASCII fallback. */
export function attachment(fileName: string, asciiFallback: string): string {
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${asciiFallback}"; filename*=UTF-8''${encoded}`;
}

/** A cell's content, reduced to what an importer cares about (read by `xlsx-read.ts`). */
export type CellContent =
  | { kind: 'empty' }
  | { kind: 'text'; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'date'; value: Date }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'formula' }
  | { kind: 'error'; text: string };

export type { ExcelJS };
