import { describe, expect, it } from 'vitest';
import type { CellContent } from '../../platform/excel';
import type { XlsxBook, XlsxSheet } from '../../platform/xlsx-read';
import { COLUMNS } from './columns';
import { dataSheet, HeaderProblem, readHeader } from './parse';

const book = (sheets: [string, string][]): XlsxBook => ({
  sheets: sheets.map(([name, state], i): XlsxSheet => ({ name, state, path: `xl/worksheets/sheet${i + 1}.xml` })),
  date1904: false,
  sharedStringsPath: null,
  stylesPath: null,
  buf: Buffer.alloc(0),
});

describe('the data sheet', () => {
  it.each([
    [
      'the sheet named 仪器信息, wherever it is',
      [
        ['分类', 'hidden'],
        ['说明', 'visible'],
        ['仪器信息', 'hidden'],
      ],
      '仪器信息',
    ],
    [
      'else the first visible one (a hidden first sheet is passed over)',
      [
        ['分类', 'hidden'],
        ['Sheet1', 'visible'],
        ['Sheet2', 'visible'],
      ],
      'Sheet1',
    ],
    [
      'else the first',
      [
        ['a', 'hidden'],
        ['b', 'veryHidden'],
      ],
      'a',
    ],
  ] as [string, [string, string][], string][])('%s', (_name, sheets, expected) => {
    expect(dataSheet(book(sheets))?.name).toBe(expected);
  });

  it('no sheet at all', () => expect(dataSheet(book([]))).toBeUndefined());
});

describe('the header', () => {
  const cells: CellContent[] = [];
  COLUMNS.forEach((c, i) => (cells[i + 1] = { kind: 'text', text: ` ${c.label} ` }));

  it('is row 1, columns found by their label in any order', () => {
    const header = readHeader({ row: 1, cells });
    expect(header.get(COLUMNS[0])).toBe(1);
    expect(header.size).toBe(COLUMNS.length);
  });

  it('a sheet whose first row with values is not row 1 has no header', () => {
    expect(() => readHeader({ row: 2, cells })).toThrow(HeaderProblem);
    expect(() => readHeader(undefined)).toThrow(HeaderProblem);
  });
});
