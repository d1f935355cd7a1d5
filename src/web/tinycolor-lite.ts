/**
 * What Element Plus asks of `@ctrl/tinycolor` (a button's or a menu's custom `color`: mix, tint, shade, isDark,
 * toString), for colours written as #hex or rgb()/rgba(). vite.config.ts puts this in its place: the library is
 * about 5 KB of the first load for a prop the app never sets. tinycolor-lite.test.ts checks it against the library.
 */
interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

function parse(input: string | Rgba): { rgba: Rgba; hex: boolean } {
  if (typeof input !== 'string') return { rgba: input, hex: false };
  const s = input.trim().toLowerCase();
  const hex = /^#?([0-9a-f]{3,8})$/.exec(s)?.[1];
  if (hex && [3, 4, 6, 8].includes(hex.length)) {
    const full = hex.length <= 4 ? [...hex].map((c) => c + c).join('') : hex;
    const n = (i: number) => parseInt(full.slice(i, i + 2), 16);
    return { rgba: { r: n(0), g: n(2), b: n(4), a: full.length === 8 ? n(6) / 255 : 1 }, hex: true };
  }
  const fn = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+))?\s*\)$/.exec(s);
  if (fn) return { rgba: { r: +fn[1], g: +fn[2], b: +fn[3], a: fn[4] === undefined ? 1 : +fn[4] }, hex: false };
  return { rgba: { r: 0, g: 0, b: 0, a: 1 }, hex: true };
}

const byte = (n: number) => Math.round(n).toString(16).padStart(2, '0');

export class TinyColor {
  private readonly c: Rgba;
  private readonly hex: boolean;
  constructor(input: string | Rgba) {
    const { rgba, hex } = parse(input);
    this.c = rgba;
    this.hex = hex;
  }
  mix(other: string | TinyColor, amount = 50): TinyColor {
    const o = typeof other === 'string' ? new TinyColor(other).c : other.c;
    const p = amount / 100;
    const at = (a: number, b: number) => (b - a) * p + a;
    return new TinyColor({ r: at(this.c.r, o.r), g: at(this.c.g, o.g), b: at(this.c.b, o.b), a: at(this.c.a, o.a) });
  }
  tint(amount = 10) {
    return this.mix('#fff', amount);
  }
  shade(amount = 10) {
    return this.mix('#000', amount);
  }
  isDark() {
    return (this.c.r * 299 + this.c.g * 587 + this.c.b * 114) / 1000 < 128;
  }
  toString() {
    const { r, g, b } = this.c;
    const a = Math.round(this.c.a * 100) / 100;
    if (this.hex && a === 1) return `#${byte(r)}${byte(g)}${byte(b)}`;
    const rgb = `${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)}`;
    return a === 1 ? `rgb(${rgb})` : `rgba(${rgb}, ${a})`;
  }
}
