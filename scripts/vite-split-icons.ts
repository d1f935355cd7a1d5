import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Plugin } from 'vite';

const PACKAGE = '@element-plus/icons-vue';
/** The package's ES module file (resolving the package name from here would give its CommonJS file). */
const ENTRY = path.join(
  path.dirname(createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`)),
  'dist/index.js',
);
const PREFIX = path.join(path.dirname(ENTRY), 'icon-');
const SUFFIX = '.mjs';
/** The build of Vue that the app's own modules get ('vue' from a module the bundler made up resolves to its CommonJS build). */

/**
 * Each Element Plus icon as a module of its own (issue 11's first-load budget). The icon package ships every icon
 * in one file, so the bundler puts every icon that any page uses into one chunk, and the first page loads them all
 * (about 70 icons). Here `import { Bell, Search as S } from '@element-plus/icons-vue'` — in the app and in Element
 * Plus' own components — becomes one import per icon, and each icon's module is that icon's block of the package's
 * file; a chunk then carries only the icons of its pages.
 */
export function splitIcons(): Plugin {
  const source = fs.readFileSync(ENTRY, 'utf8');
  const blocks = new Map<string, string>();
  for (const block of source.split(/^\/\/ src\/components\/[\w-]+\.vue$/m).slice(1)) {
    const name = /^\s*name: "(\w+)",$/m.exec(block)?.[1];
    const exported = /\}\), (\w+_default) = _sfc_main\d*;/.exec(block)?.[1];
    if (!name || !exported) continue;
    const own = block.replace(/^export \{[\s\S]*$/m, '');
    blocks.set(name, `${own}\nexport default ${exported};\n`);
  }
  const namedImport = /import\s*\{([^}]*)\}\s*from\s*["']@element-plus\/icons-vue["'];?/g;

  return {
    name: 'split-icons',
    enforce: 'pre',
    resolveId: (id) => (id.startsWith(PREFIX) && id.endsWith(SUFFIX) ? id : null),
    load: (id) =>
      id.startsWith(PREFIX) && id.endsWith(SUFFIX)
        ? (blocks.get(id.slice(PREFIX.length, -SUFFIX.length)) ?? null)
        : null,
    transform(code, id) {
      if (!code.includes(PACKAGE) || id.startsWith(PREFIX)) return null;
      let changed = false;
      const out = code.replace(namedImport, (whole, list: string) => {
        const specs = list
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((s) => s.replace(/^type\s+/, '').split(/\s+as\s+/));
        // a type-only import, or an icon this plugin does not know: left to the package
        if (/^\s*type\b/.test(whole.slice(6)) || specs.some(([name]) => !blocks.has(name))) return whole;
        changed = true;
        return specs
          .map(([name, local]) => `import ${local ?? name} from ${JSON.stringify(PREFIX + name + SUFFIX)};`)
          .join('\n');
      });
      return changed ? { code: out, map: null } : null;
    },
  };
}
