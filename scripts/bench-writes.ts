/**
 * The catalogue's write mix (issue 10), driven through the HTTP API while the search load runs (scripts/bench.ts):
 * the platform's own writes, each by its organisation's admin with a logged-in session (cookie and CSRF header):
 *
 * - settle: 结算 of a booking awaiting settlement (POST /api/bookings/:id/settle; its report and invoice, tiny
 *   PDFs, are uploaded beforehand and not timed) — completion raises the instruments' service counts;
 * - rate: 评价 of a completed booking without a rating (POST /api/bookings/:id/rating);
 * - toggle: 停用 or 启用 of a listed instrument (POST /api/instruments/:id/disable | enable);
 * - edit: the instrument's name or model gets a unique token and its specifications a new sentence
 *   (PUT /api/instruments/:id with the fields of its edit form).
 *
 * Writes are paced open-loop, `rate` per second on a timer schedule (a slow server makes them pile up, not slow
 * down), the four kinds in turn. Each booking and instrument is acted on once (WritePool hands each out once).
 * Every write that does not answer 2xx is an error. After an edit is acknowledged, one search for its token on the
 * same instance tells whether it is visible at once (same_instance_stale counts when not); with a `probePorts`
 * (other instances), a prober asks each every 20 ms until it sees the token: the write-to-visible time.
 */
import http from 'node:http';
import crypto from 'node:crypto';
import { InstrumentFields } from '../src/contracts/instruments';
import { REQUIRED_FOR_SUBMIT } from '../src/domain/instrument';
import { SHANDONG_CITIES } from '../src/domain/reference';
import { tinyPdf } from '../src/server/platform/tiny-pdf';
import type { WriteTarget, WriteTargets } from './bench-bookings';
import { Client, get, quantile, round, type ApiReply } from './bench-load';

type Log = (...a: unknown[]) => void;
export const WRITE_KINDS = ['settle', 'rate', 'toggle', 'edit'] as const;
export type WriteKind = (typeof WRITE_KINDS)[number];

interface Prepared {
  settle: WriteTarget[];
  rate: WriteTarget[];
  toggle: (WriteTarget & { isDisabled: boolean })[];
  edit: (WriteTarget & { fields: Record<string, unknown>; cityCode: string })[];
}

/** Bookings and instruments, each handed out once, and a logged-in client per admin (on the writing instance). */
export class WritePool {
  private clients = new Map<string, Client>();
  private agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  private constructor(
    readonly port: number,
    private readonly items: Prepared,
    private readonly password: string,
  ) {}

  /**
   * Splits the targets between the kinds (instruments: half toggles, half edits), logs the admins in, uploads
   * the settlements' report and invoice and reads the edit forms, at most `want` of each kind.
   */
  static async prepare(port: number, t: WriteTargets, want: number, log: Log): Promise<WritePool> {
    const t0 = Date.now();
    const toggle = t.instruments.filter((_i, k) => k % 2 === 0).slice(0, want);
    const editT = t.instruments.filter((_i, k) => k % 2 === 1).slice(0, want);
    const pool = new WritePool(
      port,
      { settle: t.settle.slice(0, want), rate: t.rate.slice(0, want), toggle, edit: [] },
      t.password,
    );
    const admins = [...new Set([...pool.items.settle, ...pool.items.rate, ...toggle, ...editT].map((x) => x.admin))];
    await inBatches(admins, 4, async (a) => {
      pool.clients.set(a, await new Client('127.0.0.1', port, pool.agent).login(a, t.password));
    });
    const report = tinyPdf('Test report'),
      invoice = tinyPdf('Invoice');
    const ok: WriteTarget[] = [];
    await inBatches(pool.items.settle, 4, async (b) => {
      const c = pool.client(b.admin);
      const r1 = await c.upload(`/api/bookings/${b.id}/files?slot=report`, report, '检测报告.pdf', 'application/pdf');
      const r2 = await c.upload(`/api/bookings/${b.id}/files?slot=invoice`, invoice, '发票.pdf', 'application/pdf');
      if (r1.status !== 201 || r2.status !== 201)
        throw new Error(
          `upload for settlement of ${b.id}: ${r1.status} ${r2.status} ${(r1.status !== 201 ? r1 : r2).text.slice(0, 300)}`,
        );
      ok.push(b);
    });
    pool.items.settle = pool.items.settle.filter((b) => ok.includes(b));
    const keys = Object.keys(InstrumentFields.shape);
    await inBatches(editT, 4, async (i) => {
      const r = await pool.client(i.admin).request('GET', `/api/instruments/${i.id}`);
      if (r.status !== 200) throw new Error(`GET /api/instruments/${i.id}: ${r.status} ${r.text.slice(0, 300)}`);
      const city =
        SHANDONG_CITIES.find(([, name]) => String(r.data.orgCityName ?? '').startsWith(name))?.[0] ??
        SHANDONG_CITIES[0][0];
      pool.items.edit.push({
        ...i,
        cityCode: city,
        fields: Object.fromEntries(keys.filter((k) => k in r.data).map((k) => [k, r.data[k]])),
      });
    });
    pool.items.edit.sort((a, b) => (a.id < b.id ? -1 : 1));
    log(
      `writes: ${admins.length} admins logged in; ${pool.items.settle.length} settlements (report and invoice uploaded), ${pool.items.rate.length} ratings, ${toggle.length} 停用/启用, ${pool.items.edit.length} edits ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    return pool;
  }

  client(admin: string) {
    return this.clients.get(admin)!;
  }
  left(kind: WriteKind) {
    return this.items[kind].length;
  }
  take<K extends WriteKind>(kind: K): Prepared[K][number] | undefined {
    return this.items[kind].shift() as Prepared[K][number] | undefined;
  }
  close() {
    this.agent.destroy();
  }
}

async function inBatches<T>(xs: T[], n: number, f: (x: T) => Promise<void>) {
  let k = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (k < xs.length) await f(xs[k++]);
    }),
  );
}

export interface WriteResult {
  writes: number;
  ok: number;
  errors: number;
  first_error?: string;
  writes_per_s: number | null;
  write_p50_ms: number | null;
  write_p99_ms: number | null;
  write_p99_by_kind: Record<string, number | null>;
  by_kind: Record<string, number>;
  pool_exhausted: number;
  same_instance_stale: number;
  propagation_p50_ms?: number | null;
  propagation_p99_ms?: number | null;
  propagation_max_ms?: number | null;
  propagation_timeouts?: number;
}

export interface WriteOptions {
  rate: number;
  seconds: number;
  log: Log;
  /** other instances, where each edit's token is looked for until it shows (write-to-visible) */
  probePorts?: number[];
}

const searchTotal = async (agent: http.Agent, port: number, token: string) => {
  const r = await get(agent, port, `/api/catalogue/instruments?q=${token}&pageSize=1`);
  if (r.status !== 200) throw new Error(`search for ${token}: ${r.status} ${r.body.toString().slice(0, 200)}`);
  return (JSON.parse(r.body.toString()) as { total: number }).total;
};

/** `rate` writes per second for `seconds`, open-loop, the kinds in turn; waits for the last (up to 30 s). */
export async function runWrites(pool: WritePool, o: WriteOptions): Promise<WriteResult> {
  const times: Record<string, number[]> = Object.fromEntries(WRITE_KINDS.map((k) => [k, []]));
  const count: Record<string, number> = Object.fromEntries(WRITE_KINDS.map((k) => [k, 0]));
  let ok = 0,
    errors = 0,
    firstError: string | undefined,
    exhausted = 0,
    stale = 0,
    timeouts = 0,
    lastDone = 0;
  const propagation: number[] = [];
  const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const fail = (what: string, r: ApiReply | Error) => {
    errors++;
    firstError ??= r instanceof Error ? `${what}: ${r.message}` : `${what}: ${r.status} ${r.text.slice(0, 300)}`;
  };
  const probes: Promise<void>[] = [];

  const one = async (n: number) => {
    // the kinds in turn; a kind whose pool is empty gives its turn to the next
    let kind: WriteKind | undefined;
    for (let j = 0; j < WRITE_KINDS.length && !kind; j++) {
      const k = WRITE_KINDS[(n + j) % WRITE_KINDS.length];
      if (pool.left(k)) kind = k;
    }
    if (!kind) {
      exhausted++;
      return;
    }
    if (kind !== WRITE_KINDS[n % WRITE_KINDS.length]) exhausted++;
    count[kind]++;
    let call: () => Promise<ApiReply>, what: string, token: string | undefined;
    if (kind === 'settle') {
      const b = pool.take('settle')!;
      what = `settle ${b.id}`;
      call = () => pool.client(b.admin).json('POST', `/api/bookings/${b.id}/settle`, {});
    } else if (kind === 'rate') {
      const b = pool.take('rate')!;
      what = `rate ${b.id}`;
      call = () =>
        pool
          .client(b.admin)
          .json('POST', `/api/bookings/${b.id}/rating`, { stars: 1 + (n % 5), comment: '检测及时，报告规范' });
    } else if (kind === 'toggle') {
      const i = pool.take('toggle')!;
      what = `${i.isDisabled ? 'enable' : 'disable'} ${i.id}`;
      call = () => pool.client(i.admin).json('POST', `/api/instruments/${i.id}/${i.isDisabled ? 'enable' : 'disable'}`);
    } else {
      const i = pool.take('edit')!;
      token = `bz${crypto.randomBytes(4).toString('hex')}`;
      const f = { ...i.fields };
      if (n % 2) f.name = `${String(f.name ?? '仪器').slice(0, 80)} ${token}`;
      else f.model = `${String(f.model ?? '').slice(0, 80)} ${token}`.trim();
      f.specs = `${String(f.specs ?? '').slice(0, 3900)}；升级改造 ${n}`;
      // what a listed instrument must have (the generator leaves them empty): the admin's form fills them in
      const fill: Record<string, unknown> = {
        model: 'BZ-100',
        manufacturer: '山东仪器有限公司',
        valueFen: 50_000_000,
        purchaseDate: '2018-06-01',
        functions: '委托检测',
        serviceContent: f.functions || '委托检测',
        feeStandard: '300 元/小时',
        cityCode: i.cityCode,
        contactName: '王老师',
        contactPhone: '13905310001',
      };
      for (const k of REQUIRED_FOR_SUBMIT) if (f[k] == null || f[k] === '') f[k] = fill[k] ?? f[k];
      what = `edit ${i.id}`;
      call = () => pool.client(i.admin).json('PUT', `/api/instruments/${i.id}`, f);
    }
    const s = process.hrtime.bigint();
    let r: ApiReply;
    try {
      r = await call();
    } catch (e) {
      fail(what, e as Error);
      return;
    }
    const acked = Date.now();
    times[kind].push(Number(process.hrtime.bigint() - s) / 1e6);
    lastDone = Math.max(lastDone, acked);
    if (r.status < 200 || r.status > 299) {
      fail(what, r);
      return;
    }
    ok++;
    if (!token) return;
    const tok = token;
    // the writing instance shows the edit at once; the others within the propagation time
    try {
      if ((await searchTotal(probeAgent, pool.port, tok)) < 1) stale++;
    } catch (e) {
      fail(`same-instance search after ${what}`, e as Error);
    }
    for (const port of o.probePorts ?? []) {
      probes.push(
        (async () => {
          for (;;) {
            try {
              if ((await searchTotal(probeAgent, port, tok)) >= 1) {
                propagation.push(Date.now() - acked);
                return;
              }
            } catch (e) {
              fail(`probe after ${what}`, e as Error);
              return;
            }
            if (Date.now() - acked > 10_000) {
              timeouts++;
              return;
            }
            await new Promise((res) => setTimeout(res, 20));
          }
        })(),
      );
    }
  };

  const running: Promise<void>[] = [];
  const t0 = Date.now();
  const gap = 1000 / o.rate;
  for (let n = 0; ; n++) {
    const due = t0 + n * gap;
    if (due >= t0 + o.seconds * 1000) break;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    running.push(one(n));
  }
  const scheduled = running.length;
  await Promise.race([Promise.all(running), new Promise((res) => setTimeout(res, 30_000))]);
  await Promise.race([Promise.all(probes), new Promise((res) => setTimeout(res, 12_000))]);
  probeAgent.destroy();
  const all = WRITE_KINDS.flatMap((k) => times[k]);
  const span = Math.max(o.seconds, ((lastDone || Date.now()) - t0) / 1000);
  const result: WriteResult = {
    writes: scheduled,
    ok,
    errors,
    ...(firstError ? { first_error: firstError } : {}),
    writes_per_s: round(ok / span),
    write_p50_ms: round(quantile(all, 0.5)),
    write_p99_ms: round(quantile(all, 0.99)),
    write_p99_by_kind: Object.fromEntries(WRITE_KINDS.map((k) => [k, round(quantile(times[k], 0.99))])),
    by_kind: count,
    pool_exhausted: exhausted,
    same_instance_stale: stale,
    ...(o.probePorts?.length
      ? {
          propagation_p50_ms: round(quantile(propagation, 0.5)),
          propagation_p99_ms: round(quantile(propagation, 0.99)),
          propagation_max_ms: round(propagation.length ? Math.max(...propagation) : NaN),
          propagation_timeouts: timeouts,
        }
      : {}),
  };
  o.log(
    `writes:   ${ok}/${scheduled} at ${o.rate}/s → ${result.writes_per_s}/s achieved, p50 ${result.write_p50_ms} ms, p99 ${result.write_p99_ms} ms (by kind ${WRITE_KINDS.map((k) => `${k} ${count[k]}× p99 ${round(quantile(times[k], 0.99))}`).join(', ')}); errors ${errors}; edits not visible at once on their instance ${stale}${exhausted ? `; ${exhausted} turns with an empty pool` : ''}${o.probePorts?.length ? `; visible on the other instance after p50 ${result.propagation_p50_ms} ms, p99 ${result.propagation_p99_ms} ms, max ${result.propagation_max_ms} ms (${timeouts} not within 10 s)` : ''}`,
  );
  return result;
}
