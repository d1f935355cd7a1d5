import { describe, expect, it } from 'vitest';
import { createI18n } from 'vue-i18n';
import { compileMessage } from './message-compiler';

type Tree = { [key: string]: string | Tree };
const modules = import.meta.glob<{ default: { zh: Tree; en: Tree } }>('./locales/*.ts', { eager: true });
const messages = { zh: {} as Tree, en: {} as Tree };
for (const [file, mod] of Object.entries(modules)) {
  const name = file.replace(/^.*\/|\.ts$/g, '');
  messages.zh[name] = mod.default.zh;
  messages.en[name] = mod.default.en;
}

function leaves(tree: Tree, prefix = ''): [string, string][] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string' ? [[prefix + k, v] as [string, string]] : leaves(v, `${prefix}${k}.`),
  );
}

const make = (own: boolean) =>
  createI18n({
    legacy: false,
    locale: 'zh',
    messages,
    missingWarn: false,
    fallbackWarn: false,
    ...(own ? { messageCompiler: compileMessage } : {}),
  }).global;

describe("the web app's message compiler", () => {
  const theirs = make(false);
  const ours = make(true);

  for (const locale of ['zh', 'en'] as const) {
    const all = leaves(messages[locale]);
    it(`gives what vue-i18n's compiler gives for all ${locale} messages`, () => {
      expect(all.length).toBeGreaterThan(1000);
      const differ: string[] = [];
      for (const [key, text] of all) {
        const named = Object.fromEntries([...text.matchAll(/\{\s*(\w+)\s*\}/g)].map((m) => [m[1], `<${m[1]}:${key}>`]));
        const b = ours.t(key, named, { locale });
        let a: string;
        try {
          a = theirs.t(key, named, { locale });
        } catch {
          // vue-i18n reads `@` as the start of a linked message and fails (an e-mail address in a hint); this
          // compiler shows the text as written
          a = text.replace(/\{\s*(\w+)\s*\}/g, (_, n: string) => named[n]);
          expect(text, key).toContain('@');
        }
        if (a !== b) differ.push(`${locale} ${key}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`);
      }
      expect(differ).toEqual([]);
    });
  }

  it('keeps text around places, and places it does not know stay empty as in vue-i18n', () => {
    const f = compileMessage('共 {n} 条，第 {page} 页', { key: 'k', locale: 'zh' });
    const ctx = {
      named: (k: string) => ({ n: 12, page: 2 })[k],
      interpolate: (v: unknown) => (v == null ? '' : String(v)),
      normalize: (values: unknown[]) => values.join(''),
    };
    expect(f(ctx as never)).toBe('共 12 条，第 2 页');
  });
});
