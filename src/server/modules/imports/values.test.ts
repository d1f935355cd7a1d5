import { describe, expect, it } from 'vitest';
import {
  decimalWanToFen,
  parseCategory,
  parseCity,
  parseDate,
  parseServiceFields,
  parseText,
  parseWan,
  plainDecimal,
} from './values';

const num = (value: number) => ({ kind: 'number' as const, value });
const text = (t: string) => ({ kind: 'text' as const, text: t });
const value = <T>(p: { ok: true; value: T } | { ok: false; reason: string }) => (p.ok ? p.value : `ERR ${p.reason}`);

describe('万元 → fen, exactly', () => {
  it('expands exponent notation without a float', () => {
    expect(plainDecimal('1e-7')).toBe('0.0000001');
    expect(plainDecimal('1.5e-7')).toBe('0.00000015');
    expect(plainDecimal('1.25e+3')).toBe('1250');
    expect(plainDecimal('1e21')).toBe('1000000000000000000000');
    expect(plainDecimal('12.5')).toBe('12.5');
  });

  it('reads decimal strings digit by digit', () => {
    expect(value(decimalWanToFen('356.8', false))).toBe(356_800_000);
    expect(value(decimalWanToFen('0.000001', false))).toBe(1);
    expect(value(decimalWanToFen('1234.567891', false))).toBe(1_234_567_891);
    expect(value(decimalWanToFen('9999999.999999', false))).toBe(9_999_999_999_999);
    expect(value(decimalWanToFen('10000000.000001', false))).toMatch(/^ERR 金额过大/);
    expect(value(decimalWanToFen('0.0000001', false))).toMatch(/^ERR 最多保留 6 位小数/);
    expect(value(decimalWanToFen('1.2300000', false))).toBe(1_230_000);
  });

  it('number cells: the stored decimal, float noise past the fen rounded half up', () => {
    expect(value(parseWan(num(0.1 + 0.2)))).toBe(300_000);
    expect(value(parseWan(num(356.8)))).toBe(356_800_000);
    expect(value(parseWan(num(1.15)))).toBe(1_150_000); // 1.15 * 1e6 is 1149999.9999999998 as a float
    expect(value(parseWan(num(1.0000005)))).toBe(1_000_001);
    expect(value(parseWan(num(1e-7)))).toBe(0);
    expect(value(parseWan(num(-1)))).toBe('ERR 不能为负数');
  });

  it('text cells: separators and units', () => {
    expect(value(parseWan(text('1,234.5')))).toBe(1_234_500_000);
    expect(value(parseWan(text(' 356.8 万元 ')))).toBe(356_800_000);
    expect(value(parseWan(text('¥12万')))).toBe(12_000_000);
    expect(value(parseWan(text('3568000元')))).toBe('ERR 请以万元为单位填写');
    expect(value(parseWan(text('-3')))).toBe('ERR 不能为负数');
    expect(value(parseWan(text('1,23.5')))).toMatch(/^ERR 请填写数字/);
    expect(value(parseWan(text('abc')))).toMatch(/^ERR 请填写数字/);
    expect(value(parseWan({ kind: 'formula' }))).toBe('ERR 不支持公式，请填写数值');
    expect(value(parseWan({ kind: 'empty' }))).toBeUndefined();
  });
});

describe('dates', () => {
  it('accepts date cells, common text forms, YYYYMMDD and serial days', () => {
    expect(value(parseDate({ kind: 'date', value: new Date(Date.UTC(2019, 5, 18)) }))).toBe('2019-06-18');
    for (const s of ['2019-06-18', '2019/6/18', '2019.6.18', '2019年6月18日', '20190618'])
      expect(value(parseDate(text(s)))).toBe('2019-06-18');
    expect(value(parseDate(num(20190618)))).toBe('2019-06-18');
    expect(value(parseDate(num(43634)))).toBe('2019-06-18');
  });
  it('refuses impossible and malformed dates', () => {
    expect(value(parseDate(text('2019-02-29')))).toBe('ERR 日期不存在，请核对');
    expect(value(parseDate(text('2020-02-29')))).toBe('2020-02-29');
    expect(value(parseDate(text('18/06/2019')))).toMatch(/^ERR 日期格式/);
    expect(value(parseDate(text('1800-01-01')))).toMatch(/^ERR 日期超出范围/);
  });
});

describe('references', () => {
  const cats = new Map([
    ['010102', '扫描电镜'],
    ['010501', '气相色谱仪'],
  ]);
  it('category by code, "code name", a number that lost its leading zero, or the exact name', () => {
    expect(value(parseCategory(text('010102'), cats))).toBe('010102');
    expect(value(parseCategory(text('010102 扫描电镜'), cats))).toBe('010102');
    expect(value(parseCategory(num(10501), cats))).toBe('010501');
    expect(value(parseCategory(text('气相色谱仪'), cats))).toBe('010501');
    expect(value(parseCategory(text('010102 气相色谱仪'), cats))).toMatch(/不一致/);
    expect(value(parseCategory(text('999999'), cats))).toMatch(/不存在/);
  });
  it('service fields split on 、 and commas, by name or code, without repeats', () => {
    const fields = [
      { code: 'F01', name: '新一代信息技术' },
      { code: 'F02', name: '高端装备' },
    ];
    expect(value(parseServiceFields(text('高端装备、新一代信息技术，F02'), fields))).toEqual(['F02', 'F01']);
    expect(value(parseServiceFields(text('航天'), fields))).toMatch(/^ERR 服务领域「航天」不存在/);
  });
  it('cities by name, name with 市, or code', () => {
    const cities = [{ code: '370100', name: '济南' }];
    for (const s of ['济南', '济南市', '370100']) expect(value(parseCity(text(s), cities))).toBe('370100');
    expect(value(parseCity(text('北京'), cities))).toMatch(/^ERR/);
  });
  it('text keeps the digits of numbers', () => {
    expect(value(parseText(num(1001)))).toBe('1001');
    expect(value(parseText(text('  A-1  ')))).toBe('A-1');
  });
});
