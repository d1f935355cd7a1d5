/** An import's upload: the file's checks, the data sheet read row by row, the rows checked without the database. */
import { IMPORT_LIMITS } from '../../../contracts/imports';
import { DomainError, ruleBroken } from '../../../domain/errors';
import type { Db } from '../../db/connect';
import { DEFAULT_LIMITS, inspectXlsx, XlsxRejected, type XlsxProblem } from '../../platform/excel';
import { openXlsx, readSheet, type XlsxBook } from '../../platform/xlsx-read';
import { dataSheet, HeaderProblem, readHeader, readRows, TooManyRows, type CandidateRow } from './parse';
import type { TemplateRef } from './template';

export const MAX_ROWS = IMPORT_LIMITS.maxRows;

export async function loadReference(db: Db): Promise<TemplateRef> {
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

/**
 * Reads and checks the file; every refusal here happens before anything is written. The data sheet is read one row
 * at a time (platform/xlsx-read.ts): the memory held is the sheet's XML and the candidate rows, not a cell object each.
 */
export async function readUpload(db: Db, data: Buffer): Promise<CandidateRow[]> {
  let book: XlsxBook;
  try {
    inspectXlsx(data, UPLOAD_LIMITS);
    book = openXlsx(data);
  } catch (e) {
    if (e instanceof XlsxRejected) throw refusal(e.problem);
    throw e;
  }
  const ws = dataSheet(book);
  if (!ws) throw ruleBroken('IMPORT_NO_SHEET', '文件中没有工作表', fileField('文件中没有工作表'));
  let rows: CandidateRow[];
  try {
    const sheetRows = readSheet(book, ws);
    const first = sheetRows.next();
    const header = readHeader(first.done ? undefined : first.value);
    rows = readRows(sheetRows, header, await loadReference(db), MAX_ROWS);
  } catch (e) {
    if (e instanceof XlsxRejected) throw refusal(e.problem);
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
