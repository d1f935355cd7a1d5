import type { FastifyInstance, FastifyRequest } from 'fastify';
import fstatic from '@fastify/static';
import fs from 'node:fs';
import path from 'node:path';
import { dropDocumentHeaders } from './headers';

/** dist/web: a link to the build that `npm run build` made last (scripts/build-web.mjs). */
const WEB_LINK = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../dist/web');

/**
 * The build this process serves for its whole life: the link is resolved once, at start, so a later build (another
 * instance restarting from the same checkout) never changes what this one sends. Null when nothing is built.
 */
export function webRoot(link = WEB_LINK): string | null {
  try {
    const root = fs.realpathSync(link);
    return fs.existsSync(path.join(root, 'index.html')) ? root : null;
  } catch {
    return null;
  }
}

/** A path that names a file (has an extension, or is under /assets/): never answered with the web app's index. */
const isFilePath = (url: string) => {
  const p = url.split('?')[0];
  return p.startsWith('/assets/') || /\.[A-Za-z0-9]{1,8}$/.test(p);
};

/**
 * The built web app: hashed assets cached for a year, index.html revalidated on every load, brotli/gzip copies made
 * by the build sent as they are, and the index for the app's own routes. A missing file is a 404, never the index
 * (a script answered with HTML breaks the page without a word).
 */
export async function registerWeb(app: FastifyInstance, root: string | null) {
  if (root) {
    await app.register(fstatic, {
      root,
      prefix: '/',
      // a route per file of the build (a build never changes): anything else, a folder included, is not found
      wildcard: false,
      preCompressed: true,
      cacheControl: false,
      index: false,
      setHeaders(res, file) {
        // with preCompressed, `file` is the copy sent (index.html.br for a browser that takes brotli)
        const name = path.basename(file).replace(/\.(br|gz)$/, '');
        if (/^index(\.home\.[\w-]+)?\.html$/.test(name)) {
          res.header('cache-control', 'no-cache');
          return;
        }
        dropDocumentHeaders(res);
        if (file.startsWith(path.join(root, 'assets') + path.sep)) {
          // a hashed name never changes its content: nothing to revalidate
          res.header('cache-control', 'public, max-age=31536000, immutable');
          res.removeHeader('etag');
          res.removeHeader('last-modified');
        } else {
          res.header('cache-control', 'public, max-age=3600');
        }
      },
    });
  }
  // the build this process serves never changes: its home page shells are looked up once
  const homeShells = new Set(root ? fs.readdirSync(root).filter((f) => /^index\.home\.[\w-]+\.html$/.test(f)) : []);
  // one not-found handler: JSON for the API and for files, the web app's index for its client-side routes
  app.setNotFoundHandler((req, reply) => {
    if (
      !root ||
      req.url.startsWith('/api/') ||
      (req.method !== 'GET' && req.method !== 'HEAD') ||
      isFilePath(req.url)
    ) {
      return reply
        .status(404)
        .send({ error: { code: 'NOT_FOUND', message: req.url.startsWith('/api/') ? '接口不存在' : '文件不存在' } });
    }
    const index = indexFor(req, homeShells);
    if (index !== 'index.html') reply.header('vary', 'cookie');
    return reply.type('text/html').header('cache-control', 'no-cache').sendFile(index, root);
  });
}

/**
 * The home page gets the index whose first paint already shows its hero band, in the language the user chose (the
 * `lang` cookie that the web app's setLang writes; scripts/vite-home-shell.ts); every other route, the plain index.
 */
function indexFor(req: FastifyRequest, homeShells: Set<string>): string {
  if (req.url.split('?')[0] !== '/') return 'index.html';
  const file = `index.home.${req.cookies?.lang === 'en' ? 'en' : 'zh-CN'}.html`;
  return homeShells.has(file) ? file : 'index.html';
}
