/**
 * The English of the API's error texts. The services write their messages in Chinese; when the request prefers
 * English (Accept-Language), the error handler (errors.ts) looks each message and field text up here, once, at the
 * edge. A key is either the exact Chinese text or a pattern with `{}` for each interpolated part (a number, a name,
 * a list, or another text of this table, which is translated in turn). In the English, `{}` takes the parts in
 * order, `{0}` `{1}` … by position. messages-en.test.ts scans the sources and fails on a text missing here.
 */
import { EN_DOMAIN } from './messages-en-domain';
import { EN_SERVER } from './messages-en-server';
import { EN_IDENTITY } from './messages-en-identity';
import { EN_TERMINALS } from './messages-en-terminals';
import { EN_STATS } from './messages-en-stats';

export const EN: Record<string, string> = { ...EN_DOMAIN, ...EN_SERVER, ...EN_IDENTITY, ...EN_TERMINALS, ...EN_STATS };

interface Pattern {
  re: RegExp;
  en: string;
  /** the length of the pattern's fixed text: the more specific pattern is tried first */
  weight: number;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PATTERNS: Pattern[] = Object.entries(EN)
  .filter(([zh]) => zh.includes('{}'))
  .map(([zh, en]) => ({
    re: new RegExp(`^${zh.split('{}').map(escapeRe).join('([\\s\\S]+?)')}$`),
    en,
    weight: zh.replace(/\{\}/g, '').length,
  }))
  .sort((a, b) => b.weight - a.weight);

const CJK = /[\u3400-\u9fff]/;

/** A part of a message: a text of the table, a list of them (、), or data (kept as it is). */
function translatePart(part: string, depth: number): string {
  const whole = translate(part, depth + 1);
  if (whole !== null) return whole;
  if (part.includes('、')) {
    const items = part.split('、').map((p) => translate(p, depth + 1) ?? p);
    return items.join(', ');
  }
  return part;
}

/** The English of a Chinese text, or null when the table has none. */
export function translate(zh: string, depth = 0): string | null {
  if (!CJK.test(zh)) return zh;
  const exact = EN[zh];
  if (exact !== undefined) return exact;
  if (depth > 3) return null;
  for (const p of PATTERNS) {
    const m = p.re.exec(zh);
    if (!m) continue;
    const parts = m.slice(1).map((v) => translatePart(v, depth));
    let next = 0;
    return p.en.replace(/\{(\d?)\}/g, (_, i: string) => parts[i === '' ? next++ : Number(i)] ?? '');
  }
  return null;
}

/** The English of a message, or the message itself when the table has none (it stays Chinese). */
export const toEnglish = (zh: string): string => translate(zh) ?? zh;

/**
 * Whether the request's Accept-Language prefers English to Chinese: the language of the highest weight among
 * those named (`en`, `en-GB;q=0.9`, …) decides; none named, or `*`, is Chinese.
 */
export function prefersEnglish(acceptLanguage: string | string[] | undefined): boolean {
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : acceptLanguage;
  if (!header) return false;
  let best: { lang: string; q: number } | null = null;
  for (const item of header.split(',')) {
    const [tag, ...params] = item.trim().toLowerCase().split(';');
    if (!tag) continue;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qp ? Number(qp.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { lang: tag, q };
  }
  return !!best && (best.lang === 'en' || best.lang.startsWith('en-'));
}
