import { describe, expect, it } from 'vitest';
import { TinyColor as Library } from '@ctrl/tinycolor';
import { TinyColor } from './tinycolor-lite';

const COLOURS = [
  '#409eff',
  '#0b4ea2',
  '#f4c04e',
  '#abc',
  '#141414',
  '#ffffff',
  '#000',
  'rgb(10, 20, 30)',
  'rgba(10,20,30,0.5)',
];
const AMOUNTS = [0, 10, 20, 30, 50, 80, 90, 100];

describe('tinycolor-lite, in the place of @ctrl/tinycolor', () => {
  it('gives what the library gives for what Element Plus asks', () => {
    const differ: string[] = [];
    const same = (what: string, ours: unknown, theirs: unknown) => {
      if (ours !== theirs) differ.push(`${what}: ${String(ours)} ≠ ${String(theirs)}`);
    };
    for (const c of COLOURS) {
      same(`${c} toString`, new TinyColor(c).toString(), new Library(c).toString());
      same(`${c} isDark`, new TinyColor(c).isDark(), new Library(c).isDark());
      for (const n of AMOUNTS) {
        same(`${c} tint ${n}`, new TinyColor(c).tint(n).toString(), new Library(c).tint(n).toString());
        same(`${c} shade ${n}`, new TinyColor(c).shade(n).toString(), new Library(c).shade(n).toString());
        same(
          `${c} mix ${n}`,
          new TinyColor(c).mix('#141414', n).toString(),
          new Library(c).mix('#141414', n).toString(),
        );
      }
    }
    expect(differ).toEqual([]);
    expect(COLOURS.length * (2 + AMOUNTS.length * 3)).toBe(234);
  });
});
