import { describe, expect, it } from 'vitest';
import { buildSearchText, charLength, ftsNeedsRecheck, ftsPhrase, gramsOf, likePattern, mapChars, normalise, queryTerms, snippet, termKind } from './text';

describe('normalise', () => {
  it('lower-cases, turns full-width into half-width and collapses whitespace', () => {
    expect(normalise('  ＳＵ８０１０　场发射\t扫描电镜\n\nHitachi  ')).toBe('su8010 场发射 扫描电镜 hitachi');
    expect(normalise('（Ａ－Ｂ）％')).toBe('(a-b)%');
    expect(normalise(null)).toBe('');
    expect(normalise('X射线')).toBe('x射线');
  });
  it('maps full-width punctuation, keeps CJK punctuation and characters outside the full-width block', () => {
    expect(normalise('色谱-质谱，联用。')).toBe('色谱-质谱,联用。');
    expect(normalise('𠀀Ä')).toBe('𠀀ä');
  });
  it('keeps every position, so that a match can be cut from the original text', () => {
    for (const s of ['ＳＵ８０１０　Ｈｉｔａｃｈｉ', 'İstanbul İ', 'ÅNGSTRÖM 显微镜', '𠀀Ä']) {
      const mapped = mapChars(s);
      expect(mapped.length, s).toBe(s.length);
    }
    expect(mapChars('İa')).toBe('İa');
  });
});

describe('search text', () => {
  it('joins the searchable fields, each once, with the organisation name', () => {
    const text = buildSearchText({ name: '扫描电子显微镜', nameEn: 'Scanning Electron Microscope', model: 'SU8010', manufacturer: '日立', specs: '分辨率 1.0 nm', functions: null, orgName: '山东省分析测试中心' });
    expect(text).toBe('扫描电子显微镜 scanning electron microscope su8010 日立 分辨率 1.0 nm 山东省分析测试中心');
  });
});

describe('grams', () => {
  it('holds every character and every 2-character window that has no space, once', () => {
    expect(gramsOf('显微镜 a1').sort()).toEqual(['1', 'a', 'a1', '微', '微镜', '显', '显微', '镜'].sort());
    expect(gramsOf('镜镜镜')).toEqual(['镜', '镜镜']);
    expect(gramsOf('')).toEqual([]);
  });
  it('a 1- or 2-character term is in the grams exactly when it is a substring', () => {
    const text = normalise('场发射扫描电子显微镜 SU8010 日立高新 (JEM-2100F) 100% a_b');
    const grams = new Set(gramsOf(text));
    const chars = [...text];
    const candidates = new Set<string>();
    for (let i = 0; i < chars.length; i++) { candidates.add(chars[i]); if (i + 1 < chars.length) candidates.add(chars[i] + chars[i + 1]); }
    for (const c of ['镜', '电镜', '微镜', 'zz', '色谱', '%', '_b', '立高']) candidates.add(c);
    for (const term of candidates) {
      if (term.includes(' ')) continue;
      expect(grams.has(term), term).toBe(text.includes(term));
    }
  });
  it('counts characters, not UTF-16 units', () => {
    expect(gramsOf('𠀀𠀁').sort()).toEqual(['𠀀', '𠀀𠀁', '𠀁'].sort());
    expect(charLength('𠀀𠀁')).toBe(2);
    expect(termKind('𠀀𠀁')).toBe('gram');
    expect(termKind('扫描电')).toBe('trigram');
  });
});

describe('query terms', () => {
  it('splits at any whitespace, normalises, drops duplicates, keeps at most 8', () => {
    expect(queryTerms('  显微　日立  ＳＵ８０１０ 显微 ')).toEqual(['显微', '日立', 'su8010']);
    expect(queryTerms('')).toEqual([]);
    expect(queryTerms(undefined)).toEqual([]);
    expect(queryTerms('a b c d e f g h i j')).toHaveLength(8);
  });
  it('escapes LIKE wildcards and FTS quotes', () => {
    expect(likePattern('100%_a\\b')).toBe('%100\\%\\_a\\\\b%');
    expect(ftsPhrase('a"b')).toBe('"a""b"');
    expect(ftsNeedsRecheck('扫描电镜su8010-()')).toBe(false);
    expect(ftsNeedsRecheck('ä射线')).toBe(true);
  });
});

describe('snippet', () => {
  const specs = '本仪器主要用于材料表面形貌观察。'.repeat(4) + '配备能谱仪，可进行微区成分分析，' + '分辨率高。'.repeat(10);
  it('cuts the text around the first match, marking the cuts', () => {
    const s = snippet(specs, ['能谱仪'], 40)!;
    expect(s).toContain('能谱仪');
    expect(s.startsWith('…')).toBe(true);
    expect(s.endsWith('…')).toBe(true);
    expect(s.replace(/…/g, '').length).toBe(40);
  });
  it('matches case- and width-insensitively but returns the original text', () => {
    const s = snippet('Detector: ＥＤＳ  Oxford   X-Max 80', ['eds'])!;
    expect(s).toBe('Detector: ＥＤＳ Oxford X-Max 80');
  });
  it('starts at the beginning without a match, and is null without text', () => {
    expect(snippet(specs, ['不存在'], 20)).toBe(`${specs.slice(0, 20)}…`);
    expect(snippet('  ', ['a'])).toBeNull();
    expect(snippet(null, [])).toBeNull();
  });
});
