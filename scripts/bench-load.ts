/**
 * The benchmark's load generator (scripts/bench.ts): closed-loop HTTP load over keep-alive connections, spread
 * over one or more servers, and a cookie-jar client for the API's writes (the browser's CSRF header included).
 */
import http from 'node:http';

export const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] : NaN;
};
export const round = (x: number, d = 2) => (Number.isFinite(x) ? +x.toFixed(d) : null);

export interface Reply {
  status: number;
  bytes: number;
  body: Buffer;
}

export function get(agent: http.Agent, port: number, url: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: url, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, bytes: body.length, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** What a load asks: the next URL, and (optionally) what it learns from a reply (a mix keeps cursors). */
export interface Mix {
  next(): string;
  seen?(url: string, body: Buffer): void;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  meanBytes: number;
  distinct: number;
  errors: number;
  firstError?: string;
  /** this process's CPU per request (the load generator's own cost) */
  clientCpuMs: number;
  seconds: number;
}

/**
 * `connections` workers, each with its keep-alive connection to one of `ports` (worker k to ports[k % n]), ask
 * the mix's URLs for `seconds`, and longer (up to 6×) until `minDistinct` distinct URLs have been asked.
 * Every reply that is not 200 is an error; a refused connection too.
 */
export async function drive(
  ports: number[],
  mix: Mix,
  seconds: number,
  connections: number,
  minDistinct = 0,
): Promise<LoadResult> {
  const agents = ports.map(
    () => new http.Agent({ keepAlive: true, maxSockets: Math.ceil(connections / ports.length) }),
  );
  const times: number[] = [];
  const distinct = new Set<string>();
  let bytes = 0,
    errors = 0,
    firstError: string | undefined;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const until = Date.now() + seconds * 1000,
    hardStop = Date.now() + seconds * 6000;
  const worker = async (k: number) => {
    const port = ports[k % ports.length],
      agent = agents[k % ports.length];
    while (Date.now() < until || (distinct.size < minDistinct && Date.now() < hardStop)) {
      const url = mix.next();
      distinct.add(url);
      const s = process.hrtime.bigint();
      let res: Reply;
      try {
        res = await get(agent, port, url);
      } catch (e) {
        errors++;
        firstError ??= `${url}: ${(e as Error).message}`;
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      times.push(Number(process.hrtime.bigint() - s) / 1e6);
      bytes += res.bytes;
      if (res.status !== 200) {
        errors++;
        firstError ??= `${url}: ${res.status} ${res.body.toString().slice(0, 300)}`;
      } else mix.seen?.(url, res.body);
    }
  };
  await Promise.all(Array.from({ length: connections }, (_x, k) => worker(k)));
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  for (const a of agents) a.destroy();
  return {
    requests: times.length,
    rps: times.length / elapsed,
    p50: quantile(times, 0.5),
    p99: quantile(times, 0.99),
    meanBytes: bytes / Math.max(1, times.length),
    distinct: distinct.size,
    errors,
    firstError,
    clientCpuMs: (cpu.user + cpu.system) / 1000 / Math.max(1, times.length),
    seconds: elapsed,
  };
}

// ------------------------------------------------------------------ a logged-in client

// one browser session (a cookie jar, the CSRF header on writes): the booking benchmark's, shared
export { Browser as Client, type Reply as ApiReply } from './bench-bookings';
