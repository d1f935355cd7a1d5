import { describe, expect, it } from 'vitest';
import { isValidUscc, usccCheckChar } from './uscc';

const SYMBOLS = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** GB 32100-2015 written out independently: weight of position i (from 0) is 3^i mod 31. */
function reference(first17: string) {
  let sum = 0;
  let w = 1;
  for (const ch of first17) {
    sum += SYMBOLS.indexOf(ch) * w;
    w = (w * 3) % 31;
  }
  return SYMBOLS[(31 - (sum % 31)) % 31];
}

describe('USCC (统一社会信用代码)', () => {
  it('accepts the examples of the standard', () => {
    expect(isValidUscc('914403001922038216')).toBe(true);
    expect(isValidUscc('9144030071526726XG')).toBe(true);
  });

  it('computes the check character as the standard does, for many codes', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 2000; n++) {
      let first = '';
      for (let i = 0; i < 17; i++) first += SYMBOLS[next() % 31];
      const check = usccCheckChar(first);
      expect(check).toBe(reference(first));
      expect(isValidUscc(first + check)).toBe(true);
    }
  });

  it('refuses any single changed character', () => {
    const code = '9144030071526726XG';
    for (let i = 0; i < code.length; i++) {
      for (const s of SYMBOLS) {
        if (s === code[i]) continue;
        expect(isValidUscc(code.slice(0, i) + s + code.slice(i + 1)), `position ${i + 1} → ${s}`).toBe(false);
      }
    }
  });

  it('refuses a wrong check character, wrong length, lower case and the letters I O Z S V', () => {
    expect(isValidUscc('914403001922038217')).toBe(false);
    expect(isValidUscc('91440300192203821')).toBe(false);
    expect(isValidUscc('9144030019220382166')).toBe(false);
    expect(isValidUscc('')).toBe(false);
    expect(isValidUscc('9144030071526726xg')).toBe(false);
    for (const bad of 'IOZSV') expect(isValidUscc(`91440300715267${bad}6XG`)).toBe(false);
    expect(isValidUscc(' 914403001922038216')).toBe(false);
  });

  it('has no check character for a body of the wrong length or with a foreign symbol', () => {
    expect(usccCheckChar('9144030019220382')).toBeNull();
    expect(usccCheckChar('914403001922038216')).toBeNull();
    expect(usccCheckChar('91440300192203821I')).toBeNull();
    expect(usccCheckChar('91440300192203821')).toBe('6');
  });
});
