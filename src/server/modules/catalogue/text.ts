/**
 * Search text and query terms. Pure: no I/O, unit-tested in text.test.ts.
 *
 * The contract of catalogue search is a substring match over `search_text` (LIKE '%term%'). The in-memory
 * postings (finder.ts) answer exactly that because the stored text and the query go through the same
 * `normalise`, and a query term never contains whitespace.
 */

/** One code point to one code point of the same UTF-16 length: full-width → half-width, then lower case. */
function mapChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (cp >= 0xff01 && cp <= 0xff5e) ch = String.fromCharCode(cp - 0xfee0);
  else if (cp === 0x3000) return ' ';
  const lower = ch.toLowerCase();
  return lower.length === ch.length ? lower : ch;
}

const FULL_WIDTH = /[\uff01-\uff5e\u3000]/g;
const toHalf = (c: string) => (c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0));

/** Per-character mapping only: keeps every position, so a match found here can be cut from the original. */
export function mapChars(s: string): string {
  const half = s.replace(FULL_WIDTH, toHalf);
  const lower = half.toLowerCase();
  // lower-casing never shortens a string: the same length means every character kept its length (the common case)
  if (lower.length === half.length) return lower;
  let out = '';
  for (const ch of s) out += mapChar(ch);
  return out;
}

const WS = /\s+/g;
export const collapseWhitespace = (s: string) => s.replace(WS, ' ').trim();

/** Lower case, full-width → half-width, whitespace collapsed to one space, trimmed. */
export const normalise = (s: string | null | undefined) => (s ? collapseWhitespace(mapChars(s)) : '');

export interface SearchSource {
  name: string;
  nameEn: string | null;
  model: string | null;
  manufacturer: string | null;
  specs: string | null;
  functions: string | null;
  orgName: string | null;
}

/** The text that search matches against: the listed fields, separated by a space (no term spans two fields). */
export function buildSearchText(s: SearchSource): string {
  return normalise(
    [s.name, s.nameEn, s.model, s.manufacturer, s.specs, s.functions, s.orgName].filter(Boolean).join(' '),
  );
}

export const MAX_TERMS = 8;

/** Query terms: the normalised query split at spaces, distinct, at most MAX_TERMS. Every term must match. */
export function queryTerms(q: string | null | undefined): string[] {
  const terms = normalise(q).split(' ').filter(Boolean);
  return [...new Set(terms)].slice(0, MAX_TERMS);
}

/** Relevance weight of a term by where it is found: name > model > manufacturer > any other text. */
export const WEIGHT = { name: 8, model: 4, manufacturer: 2, other: 1 } as const;

/**
 * A piece of `text` around the first place where one of `terms` occurs, whitespace collapsed, with … where cut.
 * Without a match it is the beginning of the text. Plain text: the web marks the terms itself.
 */
export function snippet(text: string | null | undefined, terms: string[], width = 80): string | null {
  const plain = collapseWhitespace(text ?? '');
  if (!plain) return null;
  const mapped = mapChars(plain);
  let at = -1;
  let len = 0;
  for (const t of terms) {
    const i = mapped.indexOf(t);
    if (i >= 0 && (at < 0 || i < at)) {
      at = i;
      len = t.length;
    }
  }
  if (plain.length <= width) return plain;
  let start = at < 0 ? 0 : Math.max(0, at - Math.floor((width - len) / 3));
  if (start + width > plain.length) start = Math.max(0, plain.length - width);
  // do not cut a surrogate pair in half
  if (start > 0 && /[\udc00-\udfff]/.test(plain[start])) start--;
  let end = Math.min(plain.length, start + width);
  if (end < plain.length && /[\ud800-\udbff]/.test(plain[end - 1])) end--;
  return `${start > 0 ? '…' : ''}${plain.slice(start, end)}${end < plain.length ? '…' : ''}`;
}
