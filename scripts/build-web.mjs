// Builds the web app without touching what a running instance serves (issue 11).
//
// Each build goes to a folder of its own, dist/builds/<hash of the sources>, and dist/web is a symbolic link that is
// switched to it atomically (rename over the old link). A server resolves the link once at start and serves that
// folder for its whole life, so restarting one instance, or starting a second one from the same checkout, never
// changes the files that the others are serving. When nothing that goes into the build changed, the existing folder
// is used and nothing is built. The new folder also carries the previous build's hashed assets, so a tab opened
// before a redeploy still finds its chunks; the newest KEEP builds are kept, older ones are removed.
//
// Every text asset gets a brotli (.br) and a gzip (.gz) copy, which the server sends as they are (preCompressed).
import { build } from 'vite';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dist = path.join(root, 'dist');
const builds = path.join(dist, 'builds');
const link = path.join(dist, 'web');
const KEEP = 5;
const INPUTS = [
  'src/web',
  'src/contracts',
  'src/domain',
  'vite.config.ts',
  'scripts/vite-page-messages.ts',
  'scripts/vite-split-icons.ts',
  'scripts/vite-home-shell.ts',
  'package-lock.json',
  'tsconfig.web.json',
];
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map|ico|webmanifest)$/;

function* files(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else yield p;
  }
}

/** A hash of every file that goes into the build, so that an unchanged checkout is never built twice. */
function sourceHash() {
  const h = crypto.createHash('sha256');
  for (const input of INPUTS) {
    const full = path.join(root, input);
    if (!fs.existsSync(full)) continue;
    for (const f of fs.statSync(full).isDirectory() ? files(full) : [full]) {
      if (/\.test\.ts$/.test(f)) continue;
      h.update(path.relative(root, f)).update('\0').update(fs.readFileSync(f)).update('\0');
    }
  }
  return h.digest('hex').slice(0, 16);
}

function compressAll(dir) {
  let count = 0;
  for (const f of [...files(dir)]) {
    if (!COMPRESSIBLE.test(f) || fs.existsSync(`${f}.br`)) continue;
    const data = fs.readFileSync(f);
    if (data.length < 512) continue;
    fs.writeFileSync(
      `${f}.br`,
      zlib.brotliCompressSync(data, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
      }),
    );
    fs.writeFileSync(`${f}.gz`, zlib.gzipSync(data, { level: 9 }));
    count++;
  }
  return count;
}

const OWN = 'own-assets.json';

/**
 * The previous build's own hashed assets (not those it carried in turn, so that one generation is kept), copied
 * beside the new ones, never over them.
 */
function carryPreviousAssets(target) {
  fs.writeFileSync(path.join(target, OWN), JSON.stringify(fs.readdirSync(path.join(target, 'assets'))));
  let previous;
  try {
    previous = fs.realpathSync(link);
  } catch {
    return 0;
  }
  const from = path.join(previous, 'assets');
  if (!fs.existsSync(path.join(previous, OWN)) || path.resolve(previous) === path.resolve(target)) return 0;
  let n = 0;
  for (const own of JSON.parse(fs.readFileSync(path.join(previous, OWN), 'utf8')))
    for (const name of [own, `${own}.br`, `${own}.gz`]) {
      if (!fs.existsSync(path.join(from, name))) continue;
      const to = path.join(target, 'assets', name);
      if (fs.existsSync(to)) continue;
      fs.copyFileSync(path.join(from, name), to);
      n++;
    }
  return n;
}

/** Points dist/web at the build: a new link renamed over the old one, so that a reader sees one or the other. */
function switchLink(target) {
  const st = fs.lstatSync(link, { throwIfNoEntry: false });
  // an older checkout built into dist/web itself: replaced once by the link
  if (st && !st.isSymbolicLink()) fs.rmSync(link, { recursive: true, force: true });
  const tmp = `${link}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  fs.symlinkSync(path.relative(dist, target), tmp);
  fs.renameSync(tmp, link);
}

function prune(current) {
  const all = fs
    .readdirSync(builds, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => ({
      dir: path.join(builds, e.name),
      at: fs.statSync(path.join(builds, e.name, 'index.html'), { throwIfNoEntry: false })?.mtimeMs ?? 0,
    }))
    .sort((a, b) => b.at - a.at);
  for (const old of all.slice(KEEP)) if (old.dir !== current) fs.rmSync(old.dir, { recursive: true, force: true });
  // temporary folders of builds that died half-way
  for (const e of fs.readdirSync(builds)) {
    const p = path.join(builds, e);
    if (e.startsWith('.tmp-') && Date.now() - fs.statSync(p).mtimeMs > 3_600_000)
      fs.rmSync(p, { recursive: true, force: true });
  }
}

const hash = sourceHash();
const target = path.join(builds, hash);
fs.mkdirSync(builds, { recursive: true });
if (fs.existsSync(path.join(target, 'index.html'))) {
  console.log(`web app: sources unchanged, using dist/builds/${hash}`);
} else {
  const tmp = path.join(builds, `.tmp-${hash}-${process.pid}`);
  await build({
    configFile: path.join(root, 'vite.config.ts'),
    build: { outDir: tmp, emptyOutDir: true },
    logLevel: 'warn',
  });
  const carried = carryPreviousAssets(tmp);
  const compressed = compressAll(tmp);
  try {
    fs.renameSync(tmp, target);
  } catch (e) {
    // another process built the same sources at the same moment: theirs is as good
    if (!fs.existsSync(path.join(target, 'index.html'))) throw e;
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(
    `web app: built dist/builds/${hash} (${compressed} files with .br and .gz copies, ${carried} assets of the previous build kept)`,
  );
}
switchLink(target);
prune(target);
