import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/harness';
import { webRoot } from './web';

/** A build as scripts/build-web.mjs leaves it: index.html, a hashed script with its .br and .gz copies, a favicon. */
function fakeBuild() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isp-web-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  const index =
    '<!doctype html><html><head><script type="module" src="/assets/index-Ab12Cd34.js"></script></head><body><div id="app"></div></body></html>';
  fs.writeFileSync(path.join(dir, 'index.html'), index);
  fs.writeFileSync(path.join(dir, 'index.html.br'), zlib.brotliCompressSync(index));
  fs.writeFileSync(path.join(dir, 'index.html.gz'), zlib.gzipSync(index));
  // the home page's first paint per language (scripts/vite-home-shell.ts)
  for (const [lang, text] of [
    ['zh-CN', '汇聚全省'],
    ['en', 'open to everyone'],
  ]) {
    const shell = index.replace('<div id="app"></div>', `<div id="app"><p>${text}</p></div>`);
    fs.writeFileSync(path.join(dir, `index.home.${lang}.html`), shell);
    fs.writeFileSync(path.join(dir, `index.home.${lang}.html.br`), zlib.brotliCompressSync(shell));
  }
  const script = `console.log(${JSON.stringify('仪器'.repeat(2000))});`;
  fs.writeFileSync(path.join(dir, 'assets/index-Ab12Cd34.js'), script);
  fs.writeFileSync(path.join(dir, 'assets/index-Ab12Cd34.js.br'), zlib.brotliCompressSync(script));
  fs.writeFileSync(path.join(dir, 'assets/index-Ab12Cd34.js.gz'), zlib.gzipSync(script));
  fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return dir;
}

describe('the web app as a production server sends it', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = fakeBuild();
    t = await createTestApp({}, { web: dir });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends hashed assets compressed by the build, cached for a year', async () => {
    const br = await t.app.inject({ url: '/assets/index-Ab12Cd34.js', headers: { 'accept-encoding': 'br, gzip' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['content-type']).toMatch(/javascript/);
    // a script carries no page policies (they cost bytes on every request), but keeps nosniff
    expect(br.headers['x-content-type-options']).toBe('nosniff');
    expect(br.headers['content-security-policy']).toBeUndefined();
    expect(br.headers.etag).toBeUndefined();
    expect(zlib.brotliDecompressSync(br.rawPayload).toString()).toBe(
      fs.readFileSync(path.join(dir, 'assets/index-Ab12Cd34.js'), 'utf8'),
    );
    expect(br.rawPayload.length).toBeLessThan(fs.statSync(path.join(dir, 'assets/index-Ab12Cd34.js')).size / 5);

    const gz = await t.app.inject({ url: '/assets/index-Ab12Cd34.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.rawPayload).toString()).toContain('仪器');
  });

  it('answers a missing asset with 404, never with the index', async () => {
    for (const url of ['/assets/index-Gone0000.js', '/assets/missing.css', '/robots-missing.txt']) {
      const res = await t.app.inject({ url, headers: { 'accept-encoding': 'br' } });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/json/);
    }
  });

  it("answers the app's own routes with index.html that the browser revalidates", async () => {
    // as a browser asks (it takes brotli: the build's index.html.br is sent) and as a plain client asks
    for (const encoding of ['br, gzip', 'identity'])
      for (const url of ['/', '/index.html', '/instruments', '/member/bookings?page=2']) {
        const res = await t.app.inject({ url, headers: { 'accept-encoding': encoding } });
        const body = encoding === 'identity' ? res.body : zlib.brotliDecompressSync(res.rawPayload).toString();
        expect(res.statusCode, url).toBe(200);
        expect(res.headers['content-type'], url).toMatch(/text\/html/);
        expect(res.headers['cache-control'], `${url} ${encoding}`).toBe('no-cache');
        expect(body, url).toContain('<div id="app">');
        expect(res.headers['content-security-policy'], `${url} ${encoding}`).toContain("default-src 'self'");
        expect(res.headers['x-frame-options'], `${url} ${encoding}`).toBe('SAMEORIGIN');
      }
    const icon = await t.app.inject({ url: '/favicon.svg' });
    expect(icon.headers['cache-control']).toBe('public, max-age=3600');
  });

  it("sends the home page with its first paint in the user's language, and every other route without it", async () => {
    const ask = (url: string, cookie?: string) =>
      t.app.inject({ url, headers: { 'accept-encoding': 'br', ...(cookie ? { cookie } : {}) } });
    const text = (res: Awaited<ReturnType<typeof ask>>) => zlib.brotliDecompressSync(res.rawPayload).toString();
    for (const [cookie, expected] of [
      [undefined, '汇聚全省'],
      ['lang=zh-CN', '汇聚全省'],
      ['sid=x; lang=en', 'open to everyone'],
      ['lang=fr', '汇聚全省'],
    ] as const) {
      const res = await ask('/?from=qr', cookie);
      expect(res.statusCode, cookie).toBe(200);
      expect(text(res), cookie).toContain(`<div id="app"><p>${expected}</p></div>`);
      expect(res.headers['cache-control'], cookie).toBe('no-cache');
      expect(res.headers['content-security-policy'], cookie).toContain("default-src 'self'");
      // a cache between must keep one copy per language
      expect(String(res.headers.vary).toLowerCase(), cookie).toContain('cookie');
    }
    for (const url of ['/instruments', '/index.html', '/member']) {
      const res = await ask(url, 'lang=en');
      expect(text(res), url).toContain('<div id="app"></div>');
    }
  });

  it('compresses API replies of 1 KB and more, and leaves small ones alone', async () => {
    const big = await t.app.inject({ url: '/api/bench/baseline', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(big.statusCode).toBe(200);
    expect(big.headers['content-encoding']).toBe('br');
    const plain = JSON.stringify(JSON.parse(zlib.brotliDecompressSync(big.rawPayload).toString()));
    expect(plain.length).toBeGreaterThan(10_000);
    expect(big.rawPayload.length).toBeLessThan(plain.length / 4);
    const gz = await t.app.inject({ url: '/api/bench/baseline', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const small = await t.app.inject({ url: '/api/health', headers: { 'accept-encoding': 'br, gzip' } });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.json().status).toBe('ok');
    // data, never a page: the short policy of an API instead of the page's
    expect(small.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(small.headers['x-content-type-options']).toBe('nosniff');
  });

  it('does not tell the browser to upgrade to https when the site is plain HTTP', async () => {
    const res = await t.app.inject({ url: '/' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });
});

describe('the web app behind HTTPS', () => {
  it('tells the browser to upgrade and to keep to https', async () => {
    const dir = fakeBuild();
    const t = await createTestApp({ COOKIE_SECURE: 'true', PUBLIC_URL: 'https://yiqi.example.gov.cn' }, { web: dir });
    try {
      const res = await t.app.inject({ url: '/' });
      expect(String(res.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
      expect(String(res.headers['strict-transport-security'])).toMatch(/max-age=\d+/);
    } finally {
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('which build a server serves', () => {
  it('resolves the dist/web link once, so a later build does not change what it serves', () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'isp-dist-'));
    try {
      for (const b of ['one', 'two']) {
        fs.mkdirSync(path.join(dist, 'builds', b), { recursive: true });
        fs.writeFileSync(path.join(dist, 'builds', b, 'index.html'), b);
      }
      fs.symlinkSync('builds/one', path.join(dist, 'web'));
      const served = webRoot(path.join(dist, 'web'));
      expect(served).toBe(fs.realpathSync(path.join(dist, 'builds', 'one')));
      // a build switches the link the way scripts/build-web.mjs does: a new link renamed over the old one
      fs.symlinkSync('builds/two', path.join(dist, 'web.tmp'));
      fs.renameSync(path.join(dist, 'web.tmp'), path.join(dist, 'web'));
      expect(fs.readFileSync(path.join(served!, 'index.html'), 'utf8')).toBe('one');
      expect(webRoot(path.join(dist, 'web'))).toBe(fs.realpathSync(path.join(dist, 'builds', 'two')));
      expect(webRoot(path.join(dist, 'nothing-built'))).toBeNull();
    } finally {
      fs.rmSync(dist, { recursive: true, force: true });
    }
  });
});
