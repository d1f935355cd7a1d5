import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../db/ids';
import { createTestApp, type TestApp } from '../../test/harness';
import { makeInstrument, makeOrg } from '../../test/factories';
import { readHead } from '../catalogue/feed';

const TOKEN = 'metrics-token-for-the-test-0123';
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ METRICS_TOKEN: TOKEN });
});
afterAll(async () => {
  await t?.close();
});

interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, sample lines only: `name{a="x",b="y"} value`. */
function parse(text: string): Series[] {
  const out: Series[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

async function scrape(app = t.app, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'GET', url: '/metrics', headers });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(res.body);
}

/** The one sample of `name` whose labels include `labels`; fails when there is none or several. */
function value(series: Series[], name: string, labels: Record<string, string> = {}): number {
  const hits = series.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  expect(hits, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
  return hits[0].value;
}

describe('GET /metrics', () => {
  it('counts requests by route pattern and status, reads the outbox, the catalogue and the pool, and carries the process metrics', async () => {
    const { org } = await makeOrg(t);
    const instrument = await makeInstrument(t, org.id);
    const get = (url: string) => t.app.inject({ method: 'GET', url });
    for (let i = 0; i < 3; i++) expect((await get('/api/health')).statusCode).toBe(200);
    expect((await get(`/api/instruments/${instrument.id}`)).statusCode).toBe(200);
    expect((await get(`/api/instruments/${instrument.id}`)).statusCode).toBe(200);
    expect((await get(`/api/instruments/${newId()}`)).statusCode).toBe(404);
    expect((await get('/api/no-such-route/123')).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: '/no-such-page', payload: {} })).statusCode).toBe(404);

    await t.deps.mailer.enqueue(t.database.db, 'ops@example.com', '监控测试', '正文');
    t.clock.advance(90_000);

    const m = await scrape();
    const req = (route: string, status: string, method = 'GET') =>
      value(m, 'http_requests_total', { method, route, status });
    expect(req('/api/health', '200')).toBe(3);
    expect(req('/api/instruments/:id', '200')).toBe(2);
    expect(req('/api/instruments/:id', '404')).toBe(1);
    expect(req('unmatched', '404')).toBe(1);
    expect(req('unmatched', '404', 'POST')).toBe(1);
    expect(value(m, 'http_request_duration_seconds_count', { route: '/api/instruments/:id', status: '200' })).toBe(2);
    expect(value(m, 'http_request_duration_seconds_bucket', { route: '/api/health', status: '200', le: '+Inf' })).toBe(
      3,
    );
    expect(value(m, 'http_request_duration_seconds_sum', { route: '/api/health', status: '200' })).toBeGreaterThan(0);
    // no series is labelled with an id or a raw URL
    expect(m.filter((s) => s.labels.route?.includes(instrument.id) || s.labels.route?.includes('no-such'))).toEqual([]);

    expect(value(m, 'mail_outbox_depth')).toBe(1);
    expect(value(m, 'mail_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(90);
    expect(value(m, 'mail_outbox_oldest_age_seconds')).toBeLessThan(90 + 60);
    expect(value(m, 'mail_outbox_failed')).toBe(0);

    const head = await readHead(t.database.db);
    expect(head).toBeGreaterThan(0);
    expect(value(m, 'catalogue_feed_head_seq')).toBe(head);
    expect(value(m, 'catalogue_built')).toBe(1);
    expect(value(m, 'catalogue_lag_changes')).toBe(head - value(m, 'catalogue_snapshot_seq'));

    if (t.database.dialect === 'postgres') {
      const stats = t.database.poolStats!();
      expect(value(m, 'db_pool_connections')).toBeGreaterThanOrEqual(1);
      expect(value(m, 'db_pool_connections')).toBeLessThanOrEqual(5); // the harness's poolMax
      expect(stats.total).toBeGreaterThanOrEqual(1);
    } else {
      expect(value(m, 'db_pool_connections')).toBe(1);
    }
    expect(value(m, 'db_pool_waiting_queries')).toBeGreaterThanOrEqual(0);

    // the process: event-loop delay, memory, CPU
    expect(value(m, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(value(m, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(value(m, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);

    // a search brings the snapshot up to the head: no lag, the instrument counted
    expect((await get('/api/catalogue/instruments')).statusCode).toBe(200);
    const after = await scrape();
    expect(value(after, 'catalogue_snapshot_seq')).toBe(head);
    expect(value(after, 'catalogue_lag_changes')).toBe(0);
    expect(value(after, 'catalogue_instruments')).toBe(1);
    // the first scrape was counted by its route too
    expect(value(after, 'http_requests_total', { route: '/metrics', status: '200' })).toBe(1);
  });

  it('the outbox depth and age follow the rows: none waiting is 0 and 0', async () => {
    await t.database.db.updateTable('mailOutbox').set({ state: 'sent' }).execute();
    const m = await scrape();
    expect(value(m, 'mail_outbox_depth')).toBe(0);
    expect(value(m, 'mail_outbox_oldest_age_seconds')).toBe(0);
  });

  it('is refused to other addresses and to proxied requests without the token (a forged X-Forwarded-For does not help), and allowed with it', async () => {
    const from = (headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3', headers });
    const refused: Record<string, string>[] = [
      {},
      { 'x-forwarded-for': '127.0.0.1' },
      { authorization: 'Bearer wrong-token-wrong-token-0123' },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: TOKEN },
      { authorization: 'Bearer ' },
    ];
    for (const headers of refused) {
      const res = await from(headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.json()).toEqual({ error: { code: 'METRICS_FORBIDDEN', message: expect.stringContaining('监控') } });
    }
    const ok = await from({ authorization: `Bearer ${TOKEN}` });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('# TYPE http_requests_total counter');
    // loopback in its IPv6 forms is the machine itself
    for (const remoteAddress of ['::1', '::ffff:127.0.0.1']) {
      expect((await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress })).statusCode).toBe(200);
    }
    // but a request a proxy on this machine forwarded (nginx connects from loopback) comes from elsewhere: token needed
    for (const headers of [
      { 'x-forwarded-for': '203.0.113.5' },
      { forwarded: 'for=203.0.113.5' },
      { 'x-real-ip': '203.0.113.5' },
    ]) {
      expect(
        (await t.app.inject({ method: 'GET', url: '/metrics', headers })).statusCode,
        JSON.stringify(headers),
      ).toBe(403);
      expect(
        (
          await t.app.inject({
            method: 'GET',
            url: '/metrics',
            headers: { ...headers, authorization: `Bearer ${TOKEN}` },
          })
        ).statusCode,
      ).toBe(200);
    }
  });

  it('with no token configured only loopback may read; each app in a process counts its own requests', async () => {
    const bare = await createTestApp();
    try {
      const res = await bare.app.inject({
        method: 'GET',
        url: '/metrics',
        remoteAddress: '192.168.0.9',
        headers: { authorization: 'Bearer undefined' },
      });
      expect(res.statusCode).toBe(403);
      // each app counts its own requests: this one has seen only the refused scrape
      const m = await scrape(bare.app);
      expect(value(m, 'http_requests_total', { route: '/metrics', status: '403' })).toBe(1);
      expect(m.filter((s) => s.name === 'http_requests_total' && s.labels.route === '/api/health')).toEqual([]);
    } finally {
      await bare.close();
    }
  });
});
