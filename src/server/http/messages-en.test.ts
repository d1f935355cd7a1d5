import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EN, prefersEnglish, toEnglish, translate } from './messages-en';
import { collectErrorTexts } from './messages-scan';

const CJK = /[\u3400-\u9fff]/;
const root = path.resolve(__dirname, '../../..');

describe('English of the error texts', () => {
  it('has every Chinese text an error can carry (scanned from the sources)', () => {
    const found = collectErrorTexts(root);
    expect(found.length).toBeGreaterThan(300);
    const covered = (text: string) =>
      text.includes('{}')
        ? EN[text] !== undefined || translate(text.replace(/\{\}/g, '1')) !== null
        : translate(text) !== null;
    const missing = found.filter((f) => !covered(f.text)).map((f) => `${f.file}:${f.line}  ${f.text}`);
    expect(missing, `untranslated error texts (add them to messages-en-*.ts):\n${missing.join('\n')}`).toEqual([]);
  });

  it('the English is English, with as many parts as the Chinese', () => {
    for (const [zh, en] of Object.entries(EN)) {
      expect(CJK.test(en), `${zh} → ${en}`).toBe(false);
      const parts = (zh.match(/\{\}/g) ?? []).length;
      const used = new Set((en.match(/\{\d?\}/g) ?? []).map((p, i) => (p === '{}' ? String(i) : p.slice(1, -1))));
      expect(used.size, `${zh} → ${en}`).toBe(parts);
    }
  });

  it('translates values inside a message: nouns, lists and numbers', () => {
    expect(toEnglish('仪器不存在')).toBe('Instrument not found');
    expect(toEnglish('请完善以下信息后提交：规格型号、生产厂商')).toBe(
      'Please complete these before submitting: Model, Manufacturer',
    );
    expect(toEnglish('预选清单最多 50 台仪器，请先清理')).toBe(
      'The preselection list holds at most 50 instruments. Please remove some first',
    );
    expect(toEnglish('只有委托方可以提交预约')).toBe('Only the client can submit the booking');
    expect(toEnglish('已导入 3 台仪器（草稿），2 行有问题未导入，详见错误报告')).toBe(
      '3 instruments imported as drafts; 2 rows with problems were not imported, see the error report',
    );
    // data stays as it is
    expect(toEnglish('仪器已停用，不能预约：场发射扫描电子显微镜')).toBe(
      'Disabled instruments cannot be booked: 场发射扫描电子显微镜',
    );
    expect(toEnglish('一句没有翻译的话')).toBe('一句没有翻译的话');
  });

  it('reads Accept-Language: the language of the highest weight decides', () => {
    expect(prefersEnglish('en')).toBe(true);
    expect(prefersEnglish('en-GB,en;q=0.9')).toBe(true);
    expect(prefersEnglish('zh-CN,zh;q=0.9,en;q=0.8')).toBe(false);
    expect(prefersEnglish('zh;q=0.5,en;q=0.9')).toBe(true);
    expect(prefersEnglish('*')).toBe(false);
    expect(prefersEnglish(undefined)).toBe(false);
    expect(prefersEnglish('english')).toBe(false);
  });
});
