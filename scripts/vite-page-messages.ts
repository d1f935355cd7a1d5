import fs from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';

/**
 * Each page brings its own messages (issue 11's first-load budget). The web app keeps its texts per module in
 * `src/web/locales/<module>.ts`; a file of the app that uses a key `<module>.…` (in a template, a `t()` call or a
 * table of keys: any string literal that starts with a module's name and a dot) gets an import of that module's
 * messages and a call that registers them, added here at build time. Rollup then puts each module's messages in
 * the chunk of the pages that use them, and the first page loads only its own and the shell's.
 *
 * The English page titles of every module are needed at once (the member centre's menu lists every page), so
 * `locales/<module>.ts?titles` is served as the module's `en.titles` alone; i18n.ts imports those eagerly.
 */
export function pageMessages(webRoot: string): Plugin {
  const localesDir = path.join(webRoot, 'locales');
  const i18nFile = path.join(webRoot, 'i18n.ts');
  const modules = fs
    .readdirSync(localesDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3));
  const keyStart = new RegExp(`['"\`](${modules.join('|')})\\.[A-Za-z]`, 'g');

  return {
    name: 'page-messages',
    enforce: 'post',
    load(id) {
      if (!id.endsWith('?titles')) return null;
      const file = id.slice(0, -'?titles'.length);
      const titles = objectLiteralAfter(fs.readFileSync(file, 'utf8'), /\btitles:\s*\{/g) ?? '{}';
      return `export default ${titles};`;
    },
    transform(code, id) {
      const [file, query] = id.split('?');
      if (!file.startsWith(webRoot + path.sep) || file.startsWith(localesDir + path.sep) || file === i18nFile) {
        return null;
      }
      // a .ts file, or a .vue file's main module or its script block (with the template compiled into it); not a
      // style block
      if (!/\.(vue|ts)$/.test(file) || (query && !/(^|&)type=script(&|$)/.test(query))) return null;
      const used = new Set<string>();
      for (const m of code.matchAll(keyStart)) used.add(m[1]);
      if (!used.size) return null;
      const names = [...used].sort();
      const header =
        `import { registerMessages as __registerMessages } from ${JSON.stringify(i18nFile)};\n` +
        names
          .map((n, i) => `import __messages${i} from ${JSON.stringify(path.join(localesDir, n + '.ts'))};\n`)
          .join('') +
        names.map((n, i) => `__registerMessages(${JSON.stringify(n)}, __messages${i});\n`).join('');
      return { code: header + code, map: null };
    },
  };
}

/** The source text of the object literal that follows the first match of `start` (which ends at its `{`). */
function objectLiteralAfter(src: string, start: RegExp): string | null {
  const m = start.exec(src);
  if (!m) return null;
  const open = m.index + m[0].length - 1;
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return src.slice(open, i + 1);
  }
  return null;
}
