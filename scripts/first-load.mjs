// The home page's first load from the built web app (dist/web): the entry script, the modules it preloads and the
// CSS that index.html links, plus the home route's own chunk and CSS (loaded at once on '/'), each gzip-compressed
// as the server would send them. Run after `vite build` (npm start and npm run test:e2e build it).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const dist = path.resolve('dist/web');
const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
const refs = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
const assets = fs.readdirSync(path.join(dist, 'assets'));
// the home route's chunk and every chunk it imports statically (recursively), not already counted
const imports = (f) => [...fs.readFileSync(path.join(dist, f), 'utf8').matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)].map((m) => `assets/${m[1]}`);
const home = [];
const queue = assets.filter((f) => /^HomePage-.*\.(js|css)$/.test(f)).map((f) => `assets/${f}`);
while (queue.length) {
  const f = queue.shift();
  if (home.includes(f) || refs.includes(f)) continue;
  home.push(f);
  if (f.endsWith('.js')) queue.push(...imports(f));
}
const gz = (f) => zlib.gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length;
const sum = (files) => files.reduce((s, f) => s + gz(f), 0);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const first = sum(refs);
console.log(`index.html: ${refs.length} files (entry, preloads, CSS): ${kb(first)} gzip`);
for (const f of refs) console.log(`  ${f.padEnd(48)} ${kb(gz(f))}`);
console.log(`home route: ${home.length} more files (its chunk, CSS and the chunks it imports): ${kb(sum(home))} gzip`);
console.log(`first load of / : ${kb(first + sum(home))} gzip (target ≤ 250 KB)`);
