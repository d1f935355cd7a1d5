/**
 * The XML of an .xlsx's parts, read without a DOM (xlsx-read.ts): a scanner of tags that goes once from left to
 * right over the bytes with `indexOf` and byte loops, and the decoding of texts (entities, Excel's `_xHHHH_`).
 * Texts are decoded from the bytes one at a time, so that a kept string never holds on to a whole part.
 */

// ------------------------------------------------------------------ text

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function codePoint(n: number): string | null {
  return Number.isInteger(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : null;
}

/** `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` `&#N;` `&#xN;`; anything else stays as written. */
export function decodeEntities(s: string): string {
  let amp = s.indexOf('&');
  if (amp < 0) return s;
  let out = '';
  let from = 0;
  while (amp >= 0) {
    const semi = s.indexOf(';', amp + 1);
    if (semi < 0 || semi - amp > 12) break;
    const name = s.slice(amp + 1, semi);
    let ch: string | null = null;
    if (name.charCodeAt(0) === 0x23 /* # */) {
      const hex = name.charCodeAt(1) === 0x78 /* x */ || name.charCodeAt(1) === 0x58;
      const digits = name.slice(hex ? 2 : 1);
      if (digits && (hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits))
        ch = codePoint(Number.parseInt(digits, hex ? 16 : 10));
    } else if (Object.hasOwn(ENTITIES, name)) ch = ENTITIES[name];
    if (ch !== null) {
      out += s.slice(from, amp) + ch;
      from = semi + 1;
    }
    amp = s.indexOf('&', ch !== null ? semi + 1 : amp + 1);
  }
  return out + s.slice(from);
}

/** Excel's escape of a character XML cannot hold: `_x0000_`; `_x005F_` escapes the underscore itself. */
export const unescapeExcel = (s: string) =>
  s.indexOf('_x') < 0 ? s : s.replace(/_x([0-9A-F]{4})_/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** Text as XML gives it: entities decoded, line ends as \n. */
export function xmlText(raw: string): string {
  const s = decodeEntities(raw);
  return s.indexOf('\r') < 0 ? s : s.replace(/\r\n?/g, '\n');
}

// ------------------------------------------------------------------ the scanner

const LT = 0x3c,
  GT = 0x3e,
  SLASH = 0x2f,
  COLON = 0x3a,
  QUOT = 0x22,
  APOS = 0x27,
  BANG = 0x21,
  QUESTION = 0x3f;

const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/** The tags of an XML part, left to right; comments, processing instructions and declarations are skipped. */
export class Scanner {
  /** After the current tag. */
  pos = 0;
  start = 0;
  /** Index of the current tag's `>`. */
  end = 0;
  closing = false;
  selfClosing = false;
  /** The local name (after any prefix) and the end of the qualified name. */
  private localStart = 0;
  private nameEnd = 0;

  constructor(readonly x: Buffer) {}

  next(): boolean {
    const x = this.x;
    for (;;) {
      const p = x.indexOf(LT, this.pos);
      if (p < 0) return false;
      const b = x[p + 1];
      if (b === BANG || b === QUESTION) {
        this.pos = this.skipSpecial(p);
        continue;
      }
      this.start = p;
      this.closing = b === SLASH;
      let q = p + (this.closing ? 2 : 1);
      this.localStart = q;
      const n = x.length;
      for (; q < n; q++) {
        const c = x[q];
        if (c === GT || c === SLASH || isSpace(c)) break;
        if (c === COLON) this.localStart = q + 1;
      }
      this.nameEnd = q;
      // the tag's end: a '>' outside quoted attribute values
      let quote = 0;
      for (; q < n; q++) {
        const c = x[q];
        if (quote) {
          if (c === quote) quote = 0;
        } else if (c === QUOT || c === APOS) quote = c;
        else if (c === GT) break;
      }
      if (q >= n) return false;
      this.end = q;
      this.selfClosing = x[q - 1] === SLASH;
      this.pos = q + 1;
      return true;
    }
  }

  /** After a comment, CDATA section, processing instruction or declaration starting at p. */
  private skipSpecial(p: number): number {
    const x = this.x;
    let close = '>';
    if (x[p + 1] === QUESTION) close = '?>';
    else if (x[p + 2] === 0x2d && x[p + 3] === 0x2d) close = '-->';
    else if (x.toString('latin1', p, p + 9) === '<![CDATA[') close = ']]>';
    const e = x.indexOf(close, p + 2, 'latin1');
    return e < 0 ? x.length : e + close.length;
  }

  /** Whether the current tag's local name is `name` (ASCII). */
  is(name: string): boolean {
    if (this.nameEnd - this.localStart !== name.length) return false;
    for (let i = 0; i < name.length; i++) if (this.x[this.localStart + i] !== name.charCodeAt(i)) return false;
    return true;
  }

  /** The current tag's attributes by qualified name, values decoded. */
  attrs(): Record<string, string> {
    const out = Object.create(null) as Record<string, string>;
    const s = this.x.toString('utf8', this.nameEnd, this.end);
    const n = s.length;
    let i = 0;
    for (;;) {
      while (i < n && isSpace(s.charCodeAt(i))) i++;
      const eq = s.indexOf('=', i);
      if (eq < 0) break;
      const name = s.slice(i, eq).trim();
      i = eq + 1;
      while (i < n && isSpace(s.charCodeAt(i))) i++;
      const q = s.charCodeAt(i);
      if (q !== QUOT && q !== APOS) break;
      const close = s.indexOf(q === QUOT ? '"' : "'", i + 1);
      if (close < 0) break;
      out[name] = xmlText(s.slice(i + 1, close));
      i = close + 1;
    }
    return out;
  }

  /** The text from the current tag to the next tag (CDATA sections included, comments left out). */
  text(): string {
    const x = this.x;
    let out = '';
    let from = this.pos;
    for (;;) {
      const p = x.indexOf(LT, from);
      const stop = p < 0 ? x.length : p;
      if (stop > from) out += xmlText(x.toString('utf8', from, stop));
      if (p < 0 || x[p + 1] !== BANG) {
        this.pos = stop;
        return out;
      }
      if (x.toString('latin1', p, p + 9) === '<![CDATA[') {
        const e = x.indexOf(']]>', p + 9, 'latin1');
        const ce = e < 0 ? x.length : e;
        out += x.toString('utf8', p + 9, ce);
        from = e < 0 ? x.length : e + 3;
      } else from = this.skipSpecial(p);
    }
  }
}
