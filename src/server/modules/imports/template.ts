/** 模板下载: the workbook an organisation fills in to list many instruments at once. */
import type { ImportErrorT } from '../../../contracts/imports';
import { REQUIRED_FOR_SUBMIT, RUN_STATUSES, SHARING_MODES, SOURCES } from '../../../domain/instrument';
import { newWorkbook, type ExcelJS } from '../../platform/excel';
import { COLUMNS, EXAMPLE_PREFIX, headerText, isStarred, type Column } from './columns';
import { DATA_SHEET, type Reference } from './parse';

export const LISTS_SHEET = '分类';
export const GUIDE_SHEET = '填写说明';
/** Validations and formats reach this far: the header, the example row and the largest file accepted. */
const LAST_ROW = (maxRows: number) => maxRows + 2;

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDCE6F1' } };
const EXAMPLE_FONT: Partial<ExcelJS.Font> = { italic: true, color: { argb: 'FF808080' } };
const colLetter = (n: number) => {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
};

function exampleValue(c: Column): ExcelJS.CellValue {
  if (c.kind === 'date' && typeof c.example === 'string') {
    const [y, m, d] = c.example.split('-').map(Number);
    return new Date(Date.UTC(y, m - 1, d));
  }
  return c.example;
}

/** A list validation; `formula` is either a quoted inline list or a range on the lists sheet. */
function listValidation(formula: string, title: string, prompt: string, strict = true): ExcelJS.DataValidation {
  return {
    type: 'list',
    allowBlank: true,
    formulae: [formula],
    showInputMessage: true,
    promptTitle: title,
    prompt,
    // a warning lets a typed value through (a category may be given by its code alone); a stop does not
    showErrorMessage: true,
    errorStyle: strict ? 'stop' : 'warning',
    errorTitle: title,
    error: strict ? `请从下拉列表中选择${title}` : `建议从下拉列表中选择${title}；也可填写 6 位分类代码`,
  };
}

export interface TemplateRef extends Reference {
  provinceCities: string[];
}

export async function buildTemplate(ref: TemplateRef, maxRows: number): Promise<ExcelJS.Workbook> {
  const wb = await newWorkbook();
  wb.creator = '大型科学仪器设备协作共用网';
  wb.created = new Date();

  // --- 仪器信息: header, example row, formats, drop-downs
  const ws = wb.addWorksheet(DATA_SHEET, { views: [{ state: 'frozen', xSplit: 0, ySplit: 1, activeCell: 'A3' }] });
  ws.columns = COLUMNS.map((c) => ({
    key: c.key,
    width: c.width,
    style: c.kind === 'date' ? { numFmt: 'yyyy-mm-dd' } : c.kind === 'wan' ? { numFmt: '0.00####' } : { numFmt: '@' },
  }));
  const header = ws.getRow(1);
  COLUMNS.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = headerText(c);
    cell.font = { bold: true, color: { argb: isStarred(c) ? 'FFC00000' : 'FF1F1F1F' } };
    cell.fill = HEADER_FILL;
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
    cell.border = { bottom: { style: 'thin', color: { argb: 'FF8EA9C8' } } };
    cell.note = `${c.required ? '必填。' : isStarred(c) ? '提交审核前需填写。' : ''}${c.hint}`;
  });
  header.height = 30;
  const example = ws.getRow(2);
  COLUMNS.forEach((c, i) => {
    const cell = example.getCell(i + 1);
    cell.value = exampleValue(c);
    cell.font = EXAMPLE_FONT;
  });

  // --- 分类 (hidden): the lists the drop-downs read
  const lists = wb.addWorksheet(LISTS_SHEET, { state: 'hidden' });
  lists.columns = [
    { header: '分类（代码 名称）', key: 'category', width: 32 },
    { header: '分类代码', key: 'code', width: 10 },
    { header: '分类名称', key: 'name', width: 24 },
    { header: '服务领域', key: 'field', width: 16 },
    { header: '所在地市', key: 'city', width: 10 },
  ];
  const cats = [...ref.categories];
  const height = Math.max(cats.length, ref.serviceFields.length, ref.provinceCities.length);
  for (let i = 0; i < height; i++) {
    lists.addRow({
      category: cats[i] ? `${cats[i][0]} ${cats[i][1]}` : null,
      code: cats[i]?.[0] ?? null,
      name: cats[i]?.[1] ?? null,
      field: ref.serviceFields[i]?.name ?? null,
      city: ref.provinceCities[i] ?? null,
    });
  }
  lists.getColumn('code').numFmt = '@';

  const last = LAST_ROW(maxRows);
  const dv = (ws as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } })
    .dataValidations;
  const range = (key: string) => {
    const col = colLetter(COLUMNS.findIndex((c) => c.key === key) + 1);
    return `${col}2:${col}${last}`;
  };
  const inline = (items: readonly string[]) => `"${items.join(',')}"`;
  dv.add(
    range('categoryCode'),
    listValidation(`'${LISTS_SHEET}'!$A$2:$A$${cats.length + 1}`, '仪器分类', '选择分类，或填写 6 位分类代码', false),
  );
  dv.add(
    range('cityCode'),
    listValidation(`'${LISTS_SHEET}'!$E$2:$E$${ref.provinceCities.length + 1}`, '所在地市', '选择山东省的地市'),
  );
  dv.add(range('sharingMode'), listValidation(inline(Object.values(SHARING_MODES)), '共享模式', '内部共享或外部共享'));
  dv.add(range('runStatus'), listValidation(inline(RUN_STATUSES), '运行状态', RUN_STATUSES.join('、')));
  dv.add(range('source'), listValidation(inline(SOURCES), '仪器来源', SOURCES.join('、')));
  // several service fields fit one cell, so a list cannot check them: a prompt names the choices instead
  dv.add(range('serviceFields'), {
    type: 'custom',
    allowBlank: true,
    formulae: ['TRUE'],
    showInputMessage: true,
    promptTitle: '服务领域',
    prompt: `可填多个，用“、”分隔：${ref.serviceFields.map((f) => f.name).join('、')}`.slice(0, 255),
  });
  ws.autoFilter = { from: 'A1', to: { row: 1, column: COLUMNS.length } };

  // --- 填写说明
  const guide = wb.addWorksheet(GUIDE_SHEET);
  guide.columns = [
    { key: 'a', width: 18 },
    { key: 'b', width: 16 },
    { key: 'c', width: 70 },
    { key: 'd', width: 36 },
  ];
  const title = guide.addRow(['仪器批量导入填写说明']);
  title.font = { bold: true, size: 14 };
  guide.mergeCells('A1:D1');
  const notes = [
    `1. 在“${DATA_SHEET}”工作表中每行填写一台仪器，第 1 行为表头，请勿修改、删除或调整表头文字。`,
    `2. 带 * 的列为必填项：填齐后导入的仪器可直接提交审核。第 2 行为示例，内部编号以“${EXAMPLE_PREFIX}”开头的行不会导入，可保留或删除。`,
    `3. 单次最多导入 ${maxRows} 行，文件不超过 20 MB；仅支持 .xlsx 格式。`,
    '4. 请直接填写数值或文字，不要使用公式；原值以万元为单位。',
    '5. 仪器分类、所在地市、共享模式、运行状态、仪器来源请从下拉列表中选择。',
    '6. 上传时可选择“全部导入”（任一行有误则全部不导入）或“仅导入正确的行”（有误的行不导入）；错误报告会列出每个问题所在的行、列和原因。',
    '7. 导入的仪器为草稿状态，请在“我的仪器”中逐台编辑，上传仪器图片和附件，确认信息无误后提交审核。',
    '8. 主要操作及维修人员信息请在导入后于仪器编辑页面填写。',
    '9. “是否必填”为“提交审核前需填写”的列（带 *）可以先空着导入，但提交审核前须在仪器编辑页面补全。',
  ];
  for (const n of notes) {
    const row = guide.addRow([n]);
    guide.mergeCells(`A${row.number}:D${row.number}`);
    row.alignment = { wrapText: true, vertical: 'top' };
    row.height = 30;
  }
  guide.addRow([]);
  const th = guide.addRow(['列名', '是否必填', '填写要求', '示例']);
  th.eachCell((c) => {
    c.font = { bold: true };
    c.fill = HEADER_FILL;
  });
  for (const c of COLUMNS) {
    const ex = exampleValue(c);
    const need = c.required
      ? '必填'
      : (REQUIRED_FOR_SUBMIT as readonly string[]).includes(c.key)
        ? '提交审核前需填写'
        : '选填';
    const row = guide.addRow([c.label, need, c.hint, ex instanceof Date ? c.example : String(ex)]);
    row.alignment = { wrapText: true, vertical: 'top' };
  }

  // the sheet to fill opens first
  wb.views = [{ x: 0, y: 0, width: 20000, height: 12000, firstSheet: 0, activeTab: 0, visibility: 'visible' }];
  return wb;
}

/** 错误报告: one row per problem, in file order. */
export async function buildReport(
  errors: ImportErrorT[],
  fileName: string,
  truncatedFrom: number | null,
): Promise<ExcelJS.Workbook> {
  const wb = await newWorkbook();
  const ws = wb.addWorksheet('错误报告', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = [
    { header: '行号', key: 'row', width: 8 },
    { header: '列', key: 'column', width: 18 },
    { header: '问题', key: 'reason', width: 70 },
  ];
  ws.getRow(1).eachCell((c) => {
    c.font = { bold: true };
    c.fill = HEADER_FILL;
  });
  for (const e of errors) ws.addRow(e);
  if (errors.length === 0) ws.addRow({ reason: `文件“${fileName}”没有发现问题` });
  if (truncatedFrom !== null)
    ws.addRow({ reason: `共 ${truncatedFrom} 个问题，此处列出前 ${errors.length} 个；请修改后重新上传` });
  return wb;
}
