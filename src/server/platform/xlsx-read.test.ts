import ExcelJS from 'exceljs';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { inspectXlsx, XlsxRejected, type CellContent } from './excel';
import { decodeEntities, isDateFormat, openXlsx, readSheet, serialToDate, unescapeExcel } from './xlsx-read';

// ------------------------------------------------------------------ helpers

const utc = (y: number, m: number, d: number, h = 0, mi = 0, s = 0) => new Date(Date.UTC(y, m - 1, d, h, mi, s));
const text = (t: string): CellContent => ({ kind: 'text', text: t });
const num = (value: number): CellContent => ({ kind: 'number', value });
const date = (value: Date): CellContent => ({ kind: 'date', value });
const EMPTY: CellContent = { kind: 'empty' };

const letters = (col: number): string =>
  (col > 26 ? letters(Math.floor((col - 1) / 26)) : '') + String.fromCharCode(65 + ((col - 1) % 26));

/** Every cell of a sheet by its address (A1), as the reader gives it; the sheet by name, else the first. */
function cellsOf(buf: Buffer, sheetName?: string): Map<string, CellContent> {
  inspectXlsx(buf);
  const book = openXlsx(buf);
  const sheet = sheetName === undefined ? book.sheets[0] : book.sheets.find((s) => s.name === sheetName);
  if (!sheet) throw new Error(`no sheet ${sheetName}`);
  const out = new Map<string, CellContent>();
  for (const row of readSheet(book, sheet)) row.cells.forEach((c, col) => out.set(`${letters(col)}${row.row}`, c));
  return out;
}

const at = (cells: Map<string, CellContent>, address: string) => cells.get(address) ?? EMPTY;

async function written(build: (ws: ExcelJS.Worksheet, wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  build(wb.addWorksheet('仪器信息'), wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

interface HandMade {
  /** <sheetData> contents per sheet, or a whole worksheet document when it starts with '<?xml' or '<x:'. */
  sheets: { name: string; state?: string; data: string; path?: string }[];
  sharedStrings?: string[];
  /** Raw inner XML of <sst>; used instead of `sharedStrings` when given. */
  sstXml?: string;
  stylesXml?: string;
  workbookPr?: string;
}

/** A workbook written by hand as XML parts, zipped with fflate. */
function handMade(h: HandMade): Buffer {
  const files: Record<string, Uint8Array> = {};
  files['[Content_Types].xml'] = strToU8(
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
  );
  const sheetTags = h.sheets
    .map(
      (s, i) =>
        `<sheet name="${s.name}" sheetId="${i + 1}"${s.state ? ` state="${s.state}"` : ''} r:id="rId${i + 1}"/>`,
    )
    .join('');
  files['xl/workbook.xml'] = strToU8(
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook ${NS} ${RNS}>${h.workbookPr ?? ''}<sheets>${sheetTags}</sheets></workbook>`,
  );
  const rels = h.sheets.map(
    (s, i) =>
      `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="${s.path ?? `worksheets/sheet${i + 1}.xml`}"/>`,
  );
  rels.push(`<Relationship Id="rIdS" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>`);
  rels.push(`<Relationship Id="rIdT" Type="${REL}/styles" Target="styles.xml"/>`);
  files['xl/_rels/workbook.xml.rels'] = strToU8(
    `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels.join('')}</Relationships>`,
  );
  h.sheets.forEach((s, i) => {
    const part = (s.path ?? `worksheets/sheet${i + 1}.xml`).replace(/^\/?(xl\/)?/, 'xl/');
    const doc =
      s.data.startsWith('<?xml') || s.data.startsWith('<x:')
        ? s.data
        : `<worksheet ${NS}><sheetData>${s.data}</sheetData></worksheet>`;
    files[part] = strToU8(doc);
  });
  if (h.sstXml !== undefined || h.sharedStrings)
    files['xl/sharedStrings.xml'] = strToU8(
      `<sst ${NS}>${h.sstXml ?? h.sharedStrings!.map((s) => `<si><t xml:space="preserve">${s}</t></si>`).join('')}</sst>`,
    );
  if (h.stylesXml) files['xl/styles.xml'] = strToU8(`<styleSheet ${NS}>${h.stylesXml}</styleSheet>`);
  return Buffer.from(zipSync(files));
}

/** Styles whose cellXfs are these number format ids (s="0", s="1", …), with custom formats 164+. */
const styles = (ids: number[], custom: Record<number, string> = {}, after = '') =>
  `<numFmts count="${Object.keys(custom).length}">${Object.entries(custom)
    .map(([id, code]) => `<numFmt numFmtId="${id}" formatCode="${code}"/>`)
    .join('')}</numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="${ids.length}">${ids
    .map((id) => `<xf numFmtId="${id}" fontId="0" applyNumberFormat="1"><alignment/></xf>`)
    .join('')}</cellXfs>${after}`;

// ------------------------------------------------------------------ workbooks written by exceljs

type Case = [name: string, value: ExcelJS.CellValue, expected: CellContent, numFmt?: string];

const EXCELJS_CASES: Case[] = [
  ['text', '扫描电镜', text('扫描电镜')],
  ['text kept as written (not trimmed)', '  SEM-01 ', text('  SEM-01 ')],
  ['number', 356.8, num(356.8)],
  ['integer', 1001, num(1001)],
  ['negative', -12.5, num(-12.5)],
  ['large number', 1e21, num(1e21)],
  ['float noise kept', 0.1 + 0.2, num(0.1 + 0.2)],
  ['date (exceljs default format)', utc(2019, 6, 18), date(utc(2019, 6, 18))],
  ['date and time', utc(2020, 2, 29, 13, 45, 30), date(utc(2020, 2, 29, 13, 45, 30))],
  ['date with a Chinese custom format', utc(2018, 5, 10), date(utc(2018, 5, 10)), 'yyyy"年"m"月"d"日"'],
  ['number with a plain format', 12.5, num(12.5), '0.00'],
  ['number with a quoted d', 7, num(7), '0 "days"'],
  ['number with a colour in brackets', 3, num(3), '[Red]0.00'],
  ['number formatted as a time', 0.5, date(utc(1899, 12, 30, 12)), 'h:mm'],
  ['serial formatted as a date', 43634, date(utc(2019, 6, 18)), 'yyyy-mm-dd'],
  ['boolean true', true, { kind: 'boolean', value: true }],
  ['boolean false', false, { kind: 'boolean', value: false }],
  ['error', { error: '#N/A' } as ExcelJS.CellErrorValue, { kind: 'error', text: '#N/A' }],
  ['formula with a result', { formula: '100*2', result: 200 } as ExcelJS.CellFormulaValue, { kind: 'formula' }],
  [
    'formula with a text result',
    { formula: 'CONCATENATE("扫描","电镜")', result: '扫描电镜' } as ExcelJS.CellFormulaValue,
    { kind: 'formula' },
  ],
  ['rich text', { richText: [{ text: '扫描' }, { font: { bold: true }, text: '电镜' }] }, text('扫描电镜')],
  ['white space only', '   ', EMPTY],
  ['ideographic space only', '\u3000', EMPTY],
  ['U+0000 written as _x0000_', '扫描_x0000_电镜', text('扫描\u0000电镜')],
  ['a lone surrogate written as _xD800_', 'a_xD800_b', text('a\ud800b')],
  ['XML specials', '<a & "b" \'c\'>', text('<a & "b" \'c\'>')],
  ['line breaks', '第一行\n第二行', text('第一行\n第二行')],
  ['hyperlink', { text: '官网', hyperlink: 'https://example.org' }, text('官网')],
  ['null', null, EMPTY],
];

describe('xlsx-read: workbooks written by exceljs', () => {
  it.each(EXCELJS_CASES)('%s', async (_name, value, expected, numFmt) => {
    const buf = await written((ws) => {
      ws.getCell('A1').value = '表头';
      const cell = ws.getCell('C2');
      cell.value = value;
      if (numFmt) cell.numFmt = numFmt;
    });
    const cells = cellsOf(buf);
    expect(at(cells, 'C2')).toEqual(expected);
    expect(at(cells, 'A1')).toEqual(text('表头'));
  });

  it('a styled cell without a value is empty; rows keep their numbers and columns', async () => {
    const buf = await written((ws) => {
      ws.getCell('B3').fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFF0000' } };
      ws.getCell('AB7').value = 'far';
      ws.getCell('A10').value = 1;
    });
    const cells = cellsOf(buf);
    expect(at(cells, 'B3')).toEqual(EMPTY);
    expect([...cells.keys()]).toEqual(['AB7', 'A10']);
  });

  it('a shared formula: its followers are formulas too', async () => {
    const buf = await written((ws) => {
      ws.getCell('A1').value = 1;
      ws.getCell('B1').value = { formula: 'A1*2', result: 2, shareType: 'shared', ref: 'B1:B3' } as ExcelJS.CellValue;
      ws.getCell('B2').value = { sharedFormula: 'B1', result: 4 } as ExcelJS.CellValue;
    });
    const cells = cellsOf(buf);
    expect(at(cells, 'B1')).toEqual({ kind: 'formula' });
    expect(at(cells, 'B2')).toEqual({ kind: 'formula' });
  });

  it('date1904: dates are read in the 1904 system', async () => {
    const buf = await written((ws, wb) => {
      wb.properties.date1904 = true;
      ws.getCell('A1').value = utc(2019, 6, 18);
    });
    expect(buf.length).toBeGreaterThan(0);
    expect(openXlsx(buf).date1904).toBe(true);
    expect(at(cellsOf(buf), 'A1')).toEqual(date(utc(2019, 6, 18)));
  });

  it('sheets in order, with their states; a hidden sheet is listed as hidden', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('分类', { state: 'hidden' }).getCell('A1').value = 'list';
    wb.addWorksheet('仪器信息').getCell('A1').value = 'data';
    wb.addWorksheet('填写说明', { state: 'veryHidden' });
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const book = openXlsx(buf);
    expect(book.sheets.map((s) => [s.name, s.state])).toEqual([
      ['分类', 'hidden'],
      ['仪器信息', 'visible'],
      ['填写说明', 'veryHidden'],
    ]);
    expect(at(cellsOf(buf, '仪器信息'), 'A1')).toEqual(text('data'));
    expect(at(cellsOf(buf, '分类'), 'A1')).toEqual(text('list'));
  });
});

// ------------------------------------------------------------------ hand-made XML

type HandCase = [name: string, book: HandMade, expected: Record<string, CellContent>];

const inline = (ref: string, t: string) => `<c r="${ref}" t="inlineStr"><is><t>${t}</t></is></c>`;

const HAND_CASES: HandCase[] = [
  [
    'inline string',
    { sheets: [{ name: 'S', data: `<row r="1">${inline('A1', '内联文字')}</row>` }] },
    { A1: text('内联文字') },
  ],
  [
    'inline rich text runs',
    {
      sheets: [
        {
          name: 'S',
          data: '<row r="1"><c r="A1" t="inlineStr"><is><r><t>扫描</t></r><r><rPr><b/><sz val="11"/></rPr><t xml:space="preserve"> 电镜</t></r></is></c></row>',
        },
      ],
    },
    { A1: text('扫描 电镜') },
  ],
  [
    'shared strings: rich text runs joined, phonetic runs left out',
    {
      sstXml:
        '<si><t>plain</t></si><si><r><rPr><b/></rPr><t>富</t></r><r><t>文本</t></r></si><si><t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh><phoneticPr fontId="1"/></si><si><t/></si>',
      sheets: [
        {
          name: 'S',
          data: '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>',
        },
      ],
    },
    { A1: text('plain'), B1: text('富文本'), C1: text('漢字'), D1: EMPTY },
  ],
  [
    'entities in shared strings, inline strings and attributes',
    {
      sharedStrings: ['&amp;&lt;&gt;&quot;&apos;&#20320;&#x597D;&#X41; &foo; &amp'],
      sheets: [
        {
          name: 'a&amp;b',
          data: `<row r="1"><c r="A1" t="s"><v>0</v></c>${inline('B1', 'R&amp;D &#x1F52C;')}</row>`,
        },
      ],
    },
    { A1: text('&<>"\'你好A &foo; &amp'), B1: text('R&D 🔬') },
  ],
  [
    '_xHHHH_ escapes: decoded, _x005F_ escapes the underscore, lower case is text',
    {
      sharedStrings: ['_x0041_B', '_x005F_x0041_', '_x004a_', 'a_x000D_b'],
      sheets: [
        {
          name: 'S',
          data: `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c>${inline('E1', 'x_x0000_y')}<c r="F1" t="str"><v>s_x0009_t</v></c></row>`,
        },
      ],
    },
    {
      A1: text('AB'),
      B1: text('_x0041_'),
      C1: text('_x004a_'),
      D1: text('a\rb'),
      E1: text('x\u0000y'),
      F1: text('s\tt'),
    },
  ],
  [
    'CDATA and line ends',
    {
      sheets: [
        { name: 'S', data: `<row r="1">${inline('A1', '<![CDATA[<b>&amp;]]>')}${inline('B1', 'a\r\nb\rc')}</row>` },
      ],
    },
    { A1: text('<b>&amp;'), B1: text('a\nb\nc') },
  ],
  [
    'missing r: the next column, the next row',
    {
      sheets: [
        {
          name: 'S',
          data: `<row>${inline('', 'x').replace(' r=""', '')}<c><v>2</v></c></row><row><c><v>3</v></c></row><row r="5"><c r="C5"><v>1</v></c><c><v>4</v></c><c r="F5"><v>5</v></c><c><v>6</v></c></row><row><c><v>7</v></c></row>`,
        },
      ],
    },
    { A1: text('x'), B1: num(2), A2: num(3), C5: num(1), D5: num(4), F5: num(5), G5: num(6), A6: num(7) },
  ],
  [
    'types: str, b, e, n, formulas',
    {
      sheets: [
        {
          name: 'S',
          data:
            '<row r="1"><c r="A1" t="str"><v>文字</v></c><c r="B1" t="b"><v>1</v></c><c r="C1" t="b"><v>0</v></c>' +
            '<c r="D1" t="e"><v>#DIV/0!</v></c><c r="E1" t="n"><v>1.5E-7</v></c><c r="F1"><f>SUM(A2:A3)</f><v>3</v></c>' +
            '<c r="G1"><f t="shared" si="0"/><v>4</v></c><c r="H1"><f/><v>5</v></c><c r="I1" t="str"><f>A1</f><v>文字</v></c>' +
            '<c r="J1"><v>abc</v></c><c r="K1"><v></v></c><c r="L1" t="s"/><c r="M1" t="inlineStr"><is><t>   </t></is></c></row>',
        },
      ],
    },
    {
      A1: text('文字'),
      B1: { kind: 'boolean', value: true },
      C1: { kind: 'boolean', value: false },
      D1: { kind: 'error', text: '#DIV/0!' },
      E1: num(1.5e-7),
      F1: { kind: 'formula' },
      G1: { kind: 'formula' },
      H1: num(5),
      I1: { kind: 'formula' },
      J1: { kind: 'error', text: 'NaN' },
      K1: EMPTY,
      L1: EMPTY,
      M1: EMPTY,
    },
  ],
  [
    'dates by built-in format ids (East Asian ones included) and custom formats',
    {
      stylesXml: styles([0, 14, 31, 57, 46, 2, 49, 164, 165, 166, 167, 168, 169, 170, 22], {
        164: 'yyyy/mm/dd',
        165: '&quot;Date: &quot;0.00',
        166: '[h]:mm',
        167: '0.00\\d',
        168: 'YYYY-MM-DD',
        169: '[$-804]General',
        170: 'h:mm AM/PM',
      }),
      sheets: [
        {
          name: 'S',
          data:
            '<row r="1">' +
            [...'ABCDEFGHIJKLMNO'].map((col, i) => `<c r="${col}1" s="${i}"><v>43634</v></c>`).join('') +
            '</row>',
        },
      ],
    },
    {
      A1: num(43634),
      B1: date(utc(2019, 6, 18)),
      C1: date(utc(2019, 6, 18)),
      D1: date(utc(2019, 6, 18)),
      E1: date(utc(2019, 6, 18)),
      F1: num(43634),
      G1: num(43634),
      H1: date(utc(2019, 6, 18)),
      I1: num(43634),
      J1: date(utc(2019, 6, 18)),
      K1: num(43634),
      L1: date(utc(2019, 6, 18)),
      M1: num(43634),
      N1: date(utc(2019, 6, 18)),
      O1: date(utc(2019, 6, 18)),
    },
  ],
  [
    'a number format of a differential style does not replace the cell format',
    {
      stylesXml: styles(
        [164],
        { 164: 'yyyy-mm-dd' },
        '<dxfs count="1"><dxf><numFmt numFmtId="164" formatCode="0.00"/></dxf></dxfs>',
      ),
      sheets: [{ name: 'S', data: '<row r="1"><c r="A1" s="0"><v>43634</v></c></row>' }],
    },
    { A1: date(utc(2019, 6, 18)) },
  ],
  [
    'the 1900 system counts 1900-02-29; a serial too large is #VALUE!',
    {
      stylesXml: styles([14]),
      sheets: [
        {
          name: 'S',
          data: '<row r="1"><c r="A1" s="0"><v>1</v></c><c r="B1" s="0"><v>59</v></c><c r="C1" s="0"><v>61</v></c><c r="D1" s="0"><v>1e20</v></c></row>',
        },
      ],
    },
    {
      A1: date(utc(1900, 1, 1)),
      B1: date(utc(1900, 2, 28)),
      C1: date(utc(1900, 3, 1)),
      D1: { kind: 'error', text: '#VALUE!' },
    },
  ],
  [
    'date1904 (workbookPr date1904="1" or "true")',
    {
      workbookPr: '<workbookPr date1904="true"/>',
      stylesXml: styles([14]),
      sheets: [{ name: 'S', data: '<row r="1"><c r="A1" s="0"><v>0</v></c><c r="B1" s="0"><v>42172</v></c></row>' }],
    },
    { A1: date(utc(1904, 1, 1)), B1: date(utc(2019, 6, 18)) },
  ],
  [
    'prefixed element names, a ">" inside an attribute, comments',
    {
      sheets: [
        {
          name: 'S',
          data: `<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><!-- <row r="9"> --><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr" x14:foo="a>b"><x:is><x:t>p</x:t></x:is></x:c><x:c r="B1"><x:v>2</x:v></x:c></x:row></x:sheetData></x:worksheet>`,
        },
      ],
    },
    { A1: text('p'), B1: num(2) },
  ],
];

describe('xlsx-read: hand-made XML', () => {
  it.each(HAND_CASES)('%s', (_name, book, expected) => {
    const cells = cellsOf(handMade(book));
    for (const [address, content] of Object.entries(expected))
      expect([address, at(cells, address)]).toEqual([address, content]);
    expect([...cells.keys()].filter((k) => !(k in expected))).toEqual([]);
  });

  it('sheets: names decoded, states, an absolute target; a chart sheet and a missing part are left out', () => {
    const buf = handMade({
      sheets: [
        { name: 'Hidden &amp; first', state: 'hidden', data: `<row r="1">${inline('A1', 'h')}</row>` },
        { name: '仪器信息', data: `<row r="1">${inline('A1', 'd')}</row>`, path: '/xl/worksheets/data.xml' },
      ],
    });
    const book = openXlsx(buf);
    expect(book.sheets).toEqual([
      { name: 'Hidden & first', state: 'hidden', path: 'xl/worksheets/sheet1.xml' },
      { name: '仪器信息', state: 'visible', path: 'xl/worksheets/data.xml' },
    ]);
    expect(book.sharedStringsPath).toBeNull();
    expect(at(cellsOf(buf, '仪器信息'), 'A1')).toEqual(text('d'));

    const withChart = handMade({
      sheets: [
        { name: 'Chart', data: '', path: 'chartsheets/sheet1.xml' },
        { name: 'Data', data: `<row r="1">${inline('A1', 'd')}</row>` },
      ],
    });
    expect(openXlsx(withChart).sheets.map((s) => s.name)).toEqual(['Data']);
  });

  it('a shared string index outside the table → unreadable', () => {
    const buf = handMade({
      sharedStrings: ['a'],
      sheets: [{ name: 'S', data: '<row r="1"><c r="A1" t="s"><v>1</v></c></row>' }],
    });
    const book = openXlsx(buf);
    expect(() => [...readSheet(book, book.sheets[0])]).toThrow(XlsxRejected);
  });

  it('rows come one at a time, with only their non-empty cells', () => {
    const rows = Array.from(
      { length: 3000 },
      (_, i) => `<row r="${i + 1}"><c r="A${i + 1}"><v>${i}</v></c><c r="B${i + 1}" s="0"/></row>`,
    );
    const book = openXlsx(handMade({ sheets: [{ name: 'S', data: rows.join('') }] }));
    const it = readSheet(book, book.sheets[0]);
    const first = it.next();
    expect(first.value).toEqual({ row: 1, cells: [undefined, num(0)] });
    let n = 1;
    for (const r of it) {
      n++;
      expect(r.row).toBe(n);
    }
    expect(n).toBe(3000);
  });
});

describe('xlsx-read: pieces', () => {
  it.each([
    ['yyyy-mm-dd', true],
    ['m/d/yy', true],
    ['h:mm:ss', true],
    ['[h]:mm', true],
    ['YYYY"年"M"月"D"日"', true],
    ['General', false],
    ['0.00', false],
    ['#,##0 "days"', false],
    ['[Red]#,##0', false],
    ['0\\d', false],
    ['_(* #,##0_)', false],
    ['0.00E+00', false],
    ['@', false],
  ])('isDateFormat(%s) = %s', (code, expected) => expect(isDateFormat(code)).toBe(expected));

  it('entities, escapes, serials', () => {
    expect(decodeEntities('a &lt;b&gt; &#65;&#x42; &nope; & &#xZZ;')).toBe('a <b> AB &nope; & &#xZZ;');
    expect(unescapeExcel('_x0041__x005F_x0042_')).toBe('A_x0042_');
    expect(serialToDate(43634.5, false)).toEqual(date(utc(2019, 6, 18, 12)));
    expect(serialToDate(Number.NaN, false)).toEqual({ kind: 'error', text: '#VALUE!' });
  });
});
