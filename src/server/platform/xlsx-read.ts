/**
 * Reads the cells of an uploaded .xlsx that `inspectXlsx` accepted, one row at a time, without a DOM and without an
 * object per cell of the whole sheet (exceljs builds one for every cell: ≈ 50 MB of heap for 10,000 rows).
 *
 * Only the parts needed are inflated (fflate): xl/workbook.xml and its relationships when the file is opened; the
 * shared strings, the styles and the chosen sheet when its rows are read; they are dropped when the rows are done.
 * Each part is scanned once from left to right with `indexOf` and byte loops; strings are decoded from the bytes
 * one text at a time, so that a kept value never holds on to a whole part (V8's sliced strings would).
 *
 * The cells mean what exceljs made of them (`CellContent`): shared strings (rich text runs joined, phonetic runs
 * left out), inline strings, t="str", t="b", t="e" (the error's text), a `<f>` with text or a type → formula,
 * numbers, and dates by the cell's number format (built-in ids 14–22, 27–36, 45–47, 50–58, and custom formats with
 * y, m, d, h, s or b outside quotes, brackets and escapes), in the 1900 system (Excel's serials 1–59, before the
 * fictitious 1900-02-29, are a day later than the arithmetic of later ones) or date1904. XML entities and Excel's
 * `_xHHHH_` escapes are decoded in every text; a text of white space only is empty; a cell without `r` is the column
 * after the previous one, a row without `r` the row after the previous one.
 */
import { unzipSync } from 'fflate';
import { XlsxRejected, type CellContent } from './excel';
import { Scanner, unescapeExcel } from './xlsx-read-xml';

export { decodeEntities, unescapeExcel } from './xlsx-read-xml';

export interface XlsxSheet {
  name: string;
  /** visible, hidden or veryHidden */
  state: string;
  /** The part, e.g. xl/worksheets/sheet1.xml */
  path: string;
}

export interface XlsxBook {
  /** The worksheets in the workbook's order (chart sheets and sheets whose part is missing are left out). */
  sheets: XlsxSheet[];
  date1904: boolean;
  /** Parts of the shared strings and the styles, when the workbook has them. */
  sharedStringsPath: string | null;
  stylesPath: string | null;
  buf: Buffer;
}

export interface XlsxRow {
  /** The row number as Excel shows it. */
  row: number;
  /** By column number (A = 1); a missing cell is a hole. */
  cells: CellContent[];
}

export const EMPTY_CELL: CellContent = Object.freeze({ kind: 'empty' }) as CellContent;
const FORMULA: CellContent = Object.freeze({ kind: 'formula' }) as CellContent;

const unreadable = () => new XlsxRejected({ kind: 'unreadable' });

// ------------------------------------------------------------------ parts

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** The named parts, inflated; the names of all parts in `names` when given. */
function inflate(buf: Buffer, wanted: (string | null)[], names?: Set<string>): Map<string, Buffer> {
  const want = new Set(wanted.filter((w): w is string => w !== null));
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(buf, {
      filter: (f) => {
        names?.add(f.name);
        return want.has(f.name);
      },
    });
  } catch {
    throw unreadable();
  }
  const out = new Map<string, Buffer>();
  for (const w of want) if (Object.hasOwn(files, w)) out.set(w, asBuffer(files[w]));
  return out;
}

/** A relationship's target as a part name: relative to xl/, or absolute from the package's root. */
function resolveTarget(target: string): string {
  const parts = target.startsWith('/') ? [] : ['xl'];
  for (const seg of target.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

/** The parts `inspectXlsx` counted the rows of: only these may be read as a sheet. */
const WORKSHEET_PART = /^xl\/worksheets\/[^/]+\.xml$/;

/** Opens a workbook that `inspectXlsx` accepted: its sheets, their state and parts, and the date system. */
export function openXlsx(buf: Buffer): XlsxBook {
  const names = new Set<string>();
  const parts = inflate(buf, ['xl/workbook.xml', 'xl/_rels/workbook.xml.rels'], names);
  const wb = parts.get('xl/workbook.xml');
  if (!wb) throw unreadable();

  const targets = new Map<string, string>();
  let sharedStringsPath: string | null = null;
  let stylesPath: string | null = null;
  const rels = parts.get('xl/_rels/workbook.xml.rels');
  if (rels) {
    const sc = new Scanner(rels);
    while (sc.next()) {
      if (sc.closing || !sc.is('Relationship')) continue;
      const a = sc.attrs();
      if (!a.Id || !a.Target || a.TargetMode === 'External') continue;
      const path = resolveTarget(a.Target);
      targets.set(a.Id, path);
      if (a.Type?.endsWith('/sharedStrings')) sharedStringsPath = path;
      else if (a.Type?.endsWith('/styles')) stylesPath = path;
    }
  }

  const sheets: XlsxSheet[] = [];
  let date1904 = false;
  const sc = new Scanner(wb);
  while (sc.next()) {
    if (sc.closing) continue;
    if (sc.is('workbookPr')) {
      const v = sc.attrs().date1904;
      date1904 = v === '1' || v === 'true';
    } else if (sc.is('sheet')) {
      const a = sc.attrs();
      const rid = Object.keys(a).find((k) => k.endsWith(':id'));
      const path = rid ? targets.get(a[rid]) : undefined;
      if (a.name === undefined || !path || !WORKSHEET_PART.test(path) || !names.has(path)) continue;
      sheets.push({ name: a.name, state: a.state ?? 'visible', path });
    }
  }
  const present = (p: string) => (names.has(p) ? p : null);
  return {
    sheets,
    date1904,
    sharedStringsPath: present(sharedStringsPath ?? 'xl/sharedStrings.xml'),
    stylesPath: present(stylesPath ?? 'xl/styles.xml'),
    buf,
  };
}

/** Every `<si>` as one string: its `<t>` texts (rich text runs) joined, phonetic runs (`<rPh>`) left out. */
function readSharedStrings(x: Buffer): string[] {
  const out: string[] = [];
  const sc = new Scanner(x);
  let cur: string | null = null;
  let phonetic = 0;
  while (sc.next()) {
    if (sc.closing) {
      if (sc.is('si') && cur !== null) {
        out.push(cur);
        cur = null;
      } else if (sc.is('rPh')) phonetic = Math.max(0, phonetic - 1);
    } else if (sc.is('si')) {
      if (sc.selfClosing) out.push('');
      else cur = '';
    } else if (sc.is('rPh')) {
      if (!sc.selfClosing) phonetic++;
    } else if (sc.is('t') && cur !== null && !phonetic && !sc.selfClosing) {
      cur += unescapeExcel(sc.text());
    }
  }
  return out;
}

/** Excel's built-in number formats that show a date or a time (the East Asian ones included). */
const BUILTIN_DATE_FORMATS = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56,
  57, 58,
]);

/**
 * A custom number format shows a date or time when y, m, d, h, s or b (Buddhist year) is outside quotes, brackets
 * and escapes.
 */
export function isDateFormat(code: string): boolean {
  const bare = code
    .replace(/\[[^\]]*\]/g, '')
    .replace(/"[^"]*"/g, '')
    .replace(/[\\_*]./g, '');
  return /[ymdhsbYMDHS]/.test(bare);
}

/** Per style index (a cell's `s`), whether its number format is a date. */
function readDateStyles(x: Buffer): boolean[] {
  const custom = new Map<number, string>();
  const formats: number[] = [];
  const sc = new Scanner(x);
  let section: 'numFmts' | 'cellXfs' | null = null;
  while (sc.next()) {
    if (sc.closing) {
      if (sc.is('numFmts') || sc.is('cellXfs')) section = null;
    } else if (sc.is('numFmts') || sc.is('cellXfs')) {
      if (!sc.selfClosing) section = sc.is('numFmts') ? 'numFmts' : 'cellXfs';
    } else if (section === 'numFmts' && sc.is('numFmt')) {
      const a = sc.attrs();
      custom.set(Number.parseInt(a.numFmtId ?? '', 10), a.formatCode ?? '');
    } else if (section === 'cellXfs' && sc.is('xf')) {
      formats.push(Number.parseInt(sc.attrs().numFmtId ?? '0', 10));
    }
  }
  return formats.map((id) => {
    const code = custom.get(id);
    return code !== undefined ? isDateFormat(code) : BUILTIN_DATE_FORMATS.has(id);
  });
}

/** The column number of a cell reference such as `AB12`, or 0. */
function columnOf(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i) | 0x20; // lower case
    if (c < 0x61 || c > 0x7a) break;
    n = n * 26 + c - 0x60;
  }
  return n;
}

const MS_PER_DAY = 86_400_000;

/** Excel's serial day → Date (UTC), as Excel shows it. */
export function serialToDate(serial: number, date1904: boolean): CellContent {
  if (!Number.isFinite(serial)) return { kind: 'error', text: '#VALUE!' };
  // the 1900 system counts a 1900-02-29 that never was: the days before it (serials 1–59) are one day later than the
  // arithmetic; a time alone (serial 0.x) stays on 1899-12-30, as exceljs and most readers give it
  const days = date1904 ? serial + 1462 : serial >= 1 && serial < 60 ? serial + 1 : serial;
  const value = new Date(Math.round((days - 25_569) * MS_PER_DAY));
  return Number.isNaN(value.getTime()) ? { kind: 'error', text: '#VALUE!' } : { kind: 'date', value };
}

const textCell = (text: string): CellContent => (text.trim() === '' ? EMPTY_CELL : { kind: 'text', text });

interface Context {
  strings: string[] | null;
  dateStyles: boolean[];
  date1904: boolean;
}

/** The content of the `<c>` the scanner is on (not self-closing), up to its `</c>`. */
function readCell(sc: Scanner, type: string | undefined, style: number, ctx: Context): CellContent {
  let formula = false;
  let value: string | null = null;
  let inline = false;
  let phonetic = 0;
  while (sc.next()) {
    if (sc.closing) {
      if (sc.is('c')) break;
      if (sc.is('is')) inline = false;
      else if (sc.is('rPh')) phonetic = Math.max(0, phonetic - 1);
      continue;
    }
    if (sc.is('f')) {
      // exceljs: a formula has text, or a type (a shared formula's follower is an empty <f t="shared" si="0"/>)
      const typed = sc.attrs().t !== undefined;
      formula ||= typed || (!sc.selfClosing && sc.text() !== '');
    } else if (sc.is('v')) {
      if (!sc.selfClosing) value = (value ?? '') + sc.text();
    } else if (sc.is('is')) inline = !sc.selfClosing;
    else if (sc.is('rPh')) {
      if (!sc.selfClosing) phonetic++;
    } else if (sc.is('t') && inline && !phonetic && !sc.selfClosing) {
      value = (value ?? '') + sc.text();
    }
  }
  if (formula) return FORMULA;
  if (!value) return EMPTY_CELL;
  switch (type) {
    case 's': {
      const s = ctx.strings?.[Number.parseInt(value, 10)];
      if (s === undefined) throw unreadable();
      return textCell(s);
    }
    case 'str':
    case 'inlineStr':
      return textCell(unescapeExcel(value));
    case 'b':
      return { kind: 'boolean', value: Number.parseInt(value, 10) !== 0 };
    case 'e':
      return { kind: 'error', text: value };
    default: {
      const n = Number.parseFloat(value);
      if (ctx.dateStyles[style]) return serialToDate(n, ctx.date1904);
      return Number.isFinite(n) ? { kind: 'number', value: n } : { kind: 'error', text: String(n) };
    }
  }
}

/** The rows of `<sheetData>`, each with its cells, one at a time. */
function* sheetRows(x: Buffer, ctx: Context): Generator<XlsxRow> {
  const sc = new Scanner(x);
  while (sc.next() && !(sc.is('sheetData') && !sc.closing)) {
    /* up to the data */
  }
  if (sc.selfClosing) return;
  let rowNo = 0;
  let col = 0;
  let cells: CellContent[] | null = null;
  while (sc.next()) {
    if (sc.closing) {
      if (sc.is('row') && cells) {
        const done = cells;
        cells = null;
        if (done.length) yield { row: rowNo, cells: done };
      } else if (sc.is('sheetData')) break;
    } else if (sc.is('row')) {
      const r = Number.parseInt(sc.attrs().r ?? '', 10);
      rowNo = r > 0 ? r : rowNo + 1;
      col = 0;
      cells = sc.selfClosing ? null : [];
    } else if (sc.is('c')) {
      const a = sc.attrs();
      const c = a.r ? columnOf(a.r) : 0;
      col = c > 0 ? c : col + 1;
      const style = a.s ? Number.parseInt(a.s, 10) : 0;
      const content = sc.selfClosing ? EMPTY_CELL : readCell(sc, a.t, style, ctx);
      if (cells && content !== EMPTY_CELL) cells[col] = content;
    }
  }
}

/**
 * The rows of a sheet of `book` that hold at least one non-empty cell, in the order of the file. The shared strings,
 * styles and the sheet are inflated on the first step and let go when the rows are done.
 */
export function* readSheet(book: XlsxBook, sheet: XlsxSheet): Generator<XlsxRow> {
  const { xml, ctx } = load(book, sheet);
  yield* sheetRows(xml, ctx);
}

/** The sheet's XML and what its cells refer to; the XML of the shared strings and the styles is garbage on return. */
function load(book: XlsxBook, sheet: XlsxSheet): { xml: Buffer; ctx: Context } {
  const parts = inflate(book.buf, [book.sharedStringsPath, book.stylesPath, sheet.path]);
  const xml = parts.get(sheet.path);
  if (!xml) throw unreadable();
  try {
    const sst = book.sharedStringsPath ? parts.get(book.sharedStringsPath) : undefined;
    const styles = book.stylesPath ? parts.get(book.stylesPath) : undefined;
    const ctx = {
      strings: sst ? readSharedStrings(sst) : null,
      dateStyles: styles ? readDateStyles(styles) : [],
      date1904: book.date1904,
    };
    return { xml, ctx };
  } catch (e) {
    if (e instanceof XlsxRejected) throw e;
    throw unreadable();
  }
}

/** A cell of a row, empty when the row has none there. */
export const cellAt = (row: XlsxRow, col: number): CellContent => row.cells[col] ?? EMPTY_CELL;
