import { describe, expect, it } from 'vitest';
import { containsPattern as likePattern } from '../../db/like';
import { buildSearchText, mapChars, normalise, queryTerms, snippet } from './text';

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
    const text = buildSearchText({
      name: '扫描电子显微镜',
      nameEn: 'Scanning Electron Microscope',
      model: 'SU8010',
      manufacturer: '日立',
      specs: '分辨率 1.0 nm',
      functions: null,
      orgName: '山东省分析测试中心',
    });
    expect(text).toBe('扫描电子显微镜 scanning electron microscope su8010 日立 分辨率 1.0 nm 山东省分析测试中心');
  });
});

describe('query terms', () => {
  it('splits at any whitespace, normalises, drops duplicates, keeps at most 8', () => {
    expect(queryTerms('  显微　日立  ＳＵ８０１０ 显微 ')).toEqual(['显微', '日立', 'su8010']);
    expect(queryTerms('')).toEqual([]);
    expect(queryTerms(undefined)).toEqual([]);
    expect(queryTerms('a b c d e f g h i j')).toHaveLength(8);
  });
  it('never contain whitespace of any kind', () => {
    for (const t of queryTerms('显微\t镜\u3000日立\n\u00a0su8010')) expect(t).not.toMatch(/\s/);
  });
  it('escapes LIKE wildcards (the reference the tests compare with)', () => {
    expect(likePattern('100%_a\\b')).toBe('%100\\%\\_a\\\\b%');
  });
});

describe('snippet', () => {
  const specs =
    '本仪器主要用于材料表面形貌观察。'.repeat(4) + '配备能谱仪，可进行微区成分分析，' + '分辨率高。'.repeat(10);
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
