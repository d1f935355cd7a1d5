/** Cell contents → field values. Pure: no database, no exceljs objects. */
import type { CellContent } from '../../platform/excel';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (reason: string): Parsed<never> => ({ ok: false, reason });

export const FORMULA_REFUSED = '不支持公式，请填写数值';
const MAX_FEN = 10_000_000_000_000n; // the contract's maximum (1e13 fen)
const FEN_PER_WAN = 1_000_000n;

/** `1.5e-7` → `0.00000015`, `1e+21` → `1000000000000000000000`: the decimal digits, never through a float. */
export function plainDecimal(s: string): string {
  const m = /^(\d+)(?:\.(\d*))?e([+-]?\d+)$/i.exec(s);
  if (!m) return s;
  const digits = m[1] + (m[2] ?? '');
  const point = m[1].length + Number(m[3]);
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A non-negative decimal string of 万元 → fen. More than 6 decimals: rounded half up when `round`, refused otherwise. */
export function decimalWanToFen(s: string, round: boolean): Parsed<number> {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) return fail('请填写数字（单位：万元）');
  const int = m[1];
  let frac = m[2] ?? '';
  let carry = 0n;
  if (frac.length > 6) {
    if (!round && /[1-9]/.test(frac.slice(6))) return fail('最多保留 6 位小数（精确到分）');
    carry = round && frac[6] >= '5' ? 1n : 0n;
    frac = frac.slice(0, 6);
  }
  const fen = BigInt(int) * FEN_PER_WAN + BigInt(frac.padEnd(6, '0') || '0') + carry;
  if (fen > MAX_FEN) return fail('金额过大，请核对单位是否为万元');
  return ok(Number(fen));
}

/** 原值（万元）: a number cell or text such as `356.8`, `1,234.5`, `356.8万元`. */
export function parseWan(c: CellContent): Parsed<number | undefined> {
  switch (c.kind) {
    case 'empty':
      return ok(undefined);
    case 'formula':
      return fail(FORMULA_REFUSED);
    case 'number':
      if (c.value < 0) return fail('不能为负数');
      // the shortest decimal that reads back as this double is what Excel stored; digits past the fen are float noise
      return decimalWanToFen(plainDecimal(String(c.value)), true);
    case 'text': {
      let s = c.text
        .replace(/\s+/g, '')
        .replace(/，/g, ',')
        .replace(/^[¥￥]/, '');
      s = s.replace(/(万元|万)$/, '');
      if (/元$/.test(s)) return fail('请以万元为单位填写');
      if (s.startsWith('-')) return fail('不能为负数');
      if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
      return decimalWanToFen(s, false);
    }
    default:
      return fail('请填写数字（单位：万元）');
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function ymd(y: number, m: number, d: number): Parsed<string> {
  if (y < 1900 || y > 2100) return fail('日期超出范围（1900—2100 年）');
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return fail('日期不存在，请核对');
  return ok(`${y}-${pad(m)}-${pad(d)}`);
}

/** Excel's serial day (1900 system; day 60 is the fictitious 1900-02-29, which Excel's own conversion skips). */
function serialToDate(serial: number): Parsed<string> {
  const ms = Math.round((Math.floor(serial) - 25_569) * 86_400_000);
  const d = new Date(ms);
  return ymd(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** 购置日期 / 启用日期: a date cell, or text `2019-06-18`, `2019/6/18`, `2019.6.18`, `2019年6月18日`, `20190618`. */
export function parseDate(c: CellContent): Parsed<string | undefined> {
  switch (c.kind) {
    case 'empty':
      return ok(undefined);
    case 'formula':
      return fail(FORMULA_REFUSED);
    case 'date':
      return ymd(c.value.getUTCFullYear(), c.value.getUTCMonth() + 1, c.value.getUTCDate());
    case 'number': {
      const n = c.value;
      if (Number.isInteger(n) && n >= 19_000_101 && n <= 21_001_231)
        return ymd(Math.floor(n / 10_000), Math.floor(n / 100) % 100, n % 100);
      if (n >= 1 && n < 73_051) return serialToDate(n); // up to 2099-12-31
      return fail('日期格式应为 YYYY-MM-DD');
    }
    case 'text': {
      const s = c.text.trim();
      const m =
        /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
      if (!m) return fail('日期格式应为 YYYY-MM-DD');
      return ymd(Number(m[1]), Number(m[2]), Number(m[3]));
    }
    default:
      return fail('日期格式应为 YYYY-MM-DD');
  }
}

/** Free text; numbers keep their digits (an internal number typed as 1001 stays `1001`). */
export function parseText(c: CellContent): Parsed<string | undefined> {
  switch (c.kind) {
    case 'empty':
      return ok(undefined);
    case 'formula':
      return fail(FORMULA_REFUSED);
    case 'text':
      return ok(c.text.trim());
    case 'number':
      return ok(plainDecimal(String(c.value)));
    case 'date':
      return parseDate(c);
    case 'boolean':
      return ok(c.value ? '是' : '否');
    case 'error':
      return fail(`单元格内容有误（${c.text}）`);
  }
}

/** One of a fixed list, by label or by code: 内部共享 → internal. */
export function parseChoice<T extends string>(
  c: CellContent,
  choices: Record<string, T>,
  hint: string,
): Parsed<T | undefined> {
  const t = parseText(c);
  if (!t.ok || t.value === undefined) return t as Parsed<undefined>;
  const v = choices[t.value] ?? choices[t.value.toLowerCase()];
  return v === undefined ? fail(`请从下拉列表中选择：${hint}`) : ok(v);
}

export interface Ref {
  code: string;
  name: string;
}

/** 仪器分类: `010102`, `010102 扫描电镜`, a number that lost its leading zero (10102), or the exact name. */
export function parseCategory(c: CellContent, categories: Map<string, string>): Parsed<string | undefined> {
  if (c.kind === 'number' && Number.isInteger(c.value) && c.value > 0 && c.value < 1_000_000)
    c = { kind: 'text', text: pad(c.value, 6) };
  const t = parseText(c);
  if (!t.ok || t.value === undefined) return t as Parsed<undefined>;
  const m = /^(\d{6})\s*(.*)$/.exec(t.value);
  if (m) {
    const name = categories.get(m[1]);
    if (!name) return fail(`分类代码 ${m[1]} 不存在，请从下拉列表中选择`);
    if (m[2] && m[2].trim() !== name)
      return fail(`分类代码 ${m[1]} 对应「${name}」，与填写的名称「${m[2].trim()}」不一致`);
    return ok(m[1]);
  }
  const byName = [...categories].filter(([, n]) => n === t.value);
  if (byName.length === 1) return ok(byName[0][0]);
  return fail('请填写 6 位分类代码，或从下拉列表中选择');
}

/** 服务领域: several names (or codes) separated by 、 , ， ; or spaces → codes, without repeats. */
export function parseServiceFields(c: CellContent, fields: Ref[]): Parsed<string[] | undefined> {
  const t = parseText(c);
  if (!t.ok || t.value === undefined) return t as Parsed<undefined>;
  const out: string[] = [];
  const unknown: string[] = [];
  for (const part of t.value.split(/[、,，;；/\s]+/).filter(Boolean)) {
    const f = fields.find((x) => x.name === part || x.code.toLowerCase() === part.toLowerCase());
    if (!f) unknown.push(part);
    else if (!out.includes(f.code)) out.push(f.code);
  }
  if (unknown.length)
    return fail(`服务领域「${unknown.join('、')}」不存在，可选：${fields.map((f) => f.name).join('、')}`);
  return ok(out);
}

/** 所在地市: 济南, 济南市 or the code 370100. */
export function parseCity(c: CellContent, cities: Ref[]): Parsed<string | undefined> {
  const t = parseText(c);
  if (!t.ok || t.value === undefined) return t as Parsed<undefined>;
  const v = t.value;
  const hit = cities.find((x) => x.code === v || x.name === v || `${x.name}市` === v);
  return hit ? ok(hit.code) : fail('请从下拉列表中选择所在地市');
}
