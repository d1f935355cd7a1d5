/**
 * The cases of the catalogue benchmark (issue 10, "Targets"), how one runs against its servers, and the targets
 * each is judged by (scripts/bench.ts prints them).
 */
import type { Server } from './bench-server';
import { catalogueStats, cpuMs, rssMb } from './bench-server';
import { drive, round, type LoadResult, type Mix } from './bench-load';
import { flatMix, MIX_SEED, zipfMix } from './bench-mix';
import { runWrites, type WritePool, type WriteResult } from './bench-writes';

type Log = (...a: unknown[]) => void;

export interface CaseSpec {
  /** the prefix of its JSON fields: flat, flat64, mixed, mixed50, multi, search (the Zipf case) */
  key: string;
  title: string;
  mix: 'flat' | 'zipf';
  cache: boolean;
  connections: number;
  writes: number;
  instances: number;
}

export interface CaseResult {
  spec: CaseSpec;
  search: LoadResult;
  baseline: LoadResult;
  ratio: number;
  writes?: WriteResult;
  cacheHitRatio: number | null;
  countsHits: number | null;
  rebuilds: number | null;
  patches: number | null;
  rssMb: number | null;
  /** the servers' CPU per search request (writes included when there are any) and per baseline request, in ms */
  serverCpuMs: number | null;
  baselineCpuMs: number | null;
}

const serversCpu = (servers: Server[]) =>
  servers.reduce<number | null>((s, x) => {
    const c = cpuMs(x.pid);
    return s == null || c == null ? null : s + c;
  }, 0);

/** The default cases, in the order they run (the flat ones on servers with the cache off, the Zipf one with it on). */
export function defaultCases(instances: number): CaseSpec[] {
  return [
    {
      key: 'flat',
      title: 'flat mix, cache off, 16 connections',
      mix: 'flat',
      cache: false,
      connections: 16,
      writes: 0,
      instances: 1,
    },
    {
      key: 'flat64',
      title: 'flat mix, cache off, 64 connections',
      mix: 'flat',
      cache: false,
      connections: 64,
      writes: 0,
      instances: 1,
    },
    {
      key: 'mixed',
      title: 'flat mix, cache off, 16 connections, 10 writes/s',
      mix: 'flat',
      cache: false,
      connections: 16,
      writes: 10,
      instances: 1,
    },
    {
      key: 'mixed50',
      title: 'flat mix, cache off, 16 connections, 50 writes/s',
      mix: 'flat',
      cache: false,
      connections: 16,
      writes: 50,
      instances: 1,
    },
    ...(instances >= 2
      ? [
          {
            key: 'multi',
            title: `${instances} instances, flat mix, cache off, 16 connections over all, 10 writes/s on the first`,
            mix: 'flat' as const,
            cache: false,
            connections: 16,
            writes: 10,
            instances,
          },
        ]
      : []),
    {
      key: 'search',
      title: 'Zipf mix, cache on, 8 connections',
      mix: 'zipf',
      cache: true,
      connections: 8,
      writes: 0,
      instances: 1,
    },
  ];
}

/** The case that the options name, with the key of the default case it equals (else `case`). */
export function singleCase(
  mix: 'flat' | 'zipf',
  cache: boolean,
  connections: number,
  writes: number,
  instances: number,
): CaseSpec {
  const same = defaultCases(instances).find(
    (c) =>
      c.mix === mix &&
      c.cache === cache &&
      c.connections === connections &&
      c.writes === writes &&
      c.instances === instances,
  );
  return (
    same ?? {
      key: 'case',
      title: `${mix} mix, cache ${cache ? 'on' : 'off'}, ${connections} connections${writes ? `, ${writes} writes/s` : ''}${instances > 1 ? `, ${instances} instances` : ''}`,
      mix,
      cache,
      connections,
      writes,
      instances,
    }
  );
}

export const makeMix = (mix: 'flat' | 'zipf', seed: number, log?: Log): Mix =>
  mix === 'flat' ? flatMix(seed, 40_000, log) : zipfMix(seed, log);

/** Warms the servers' code up with another sequence of the mix, then empties the catalogue's caches. */
export async function warmUp(servers: Server[], mix: 'flat' | 'zipf', seconds: number, log: Log) {
  await drive(
    servers.map((s) => s.port),
    makeMix(mix, 1),
    seconds,
    8,
  );
  for (const s of servers) await catalogueStats(s, true);
  log(
    `warm-up: ${seconds} s of another ${mix} sequence on ${servers.map((s) => s.label).join(', ')}, then every catalogue cache emptied`,
  );
}

/**
 * One case: the search load (and the writes, on the first server) for `seconds`, then the baseline route with the
 * same connections over the same servers, measured right after every case: the machine's speed drifts between
 * cases (a shared VM), and a ratio is only fair against a baseline of the same minute. `baselines` keeps the last.
 */
export async function runCase(
  spec: CaseSpec,
  servers: Server[],
  o: {
    seconds: number;
    minDistinct: number;
    pool?: WritePool;
    baselines: Map<string, { load: LoadResult; cpuMs: number | null }>;
    log: Log;
  },
): Promise<CaseResult> {
  const { log } = o;
  const ports = servers.map((s) => s.port);
  log(`case ${spec.key}: ${spec.title}`);
  const mix = makeMix(spec.mix, MIX_SEED, log);
  // every case starts from empty caches (results, terms): no case profits from the one before
  for (const s of servers.slice(1)) await catalogueStats(s, true);
  const before = await catalogueStats(servers[0], true);
  const cpu0 = serversCpu(servers);
  const writing =
    spec.writes && o.pool
      ? runWrites(o.pool, { rate: spec.writes, seconds: o.seconds, log, probePorts: ports.slice(1) })
      : undefined;
  const search = await drive(ports, mix, o.seconds, spec.connections, spec.writes ? 0 : o.minDistinct);
  const writes = await writing;
  const cpu1 = serversCpu(servers);
  const serverCpuMs = cpu0 != null && cpu1 != null ? (cpu1 - cpu0) / Math.max(1, search.requests) : null;
  const after = await catalogueStats(servers[0]);
  let cacheHitRatio: number | null = null,
    countsHits: number | null = null;
  if (before && after) {
    const hits = after.resultHits - before.resultHits;
    countsHits = after.resultCountsHits - before.resultCountsHits;
    const lookups = hits + countsHits + after.resultMisses - before.resultMisses;
    cacheHitRatio = lookups ? hits / lookups : 0;
  }
  log(
    `search:   ${search.requests.toLocaleString('en')} requests, ${search.distinct.toLocaleString('en')} distinct, ${search.rps.toFixed(0)}/s, p50 ${search.p50.toFixed(1)} ms, p99 ${search.p99.toFixed(1)} ms, ${(search.meanBytes / 1024).toFixed(1)} KB average reply, server CPU ${serverCpuMs?.toFixed(2)} ms per request, errors ${search.errors}${search.firstError ? ` (first: ${search.firstError})` : ''}`,
  );
  if (before && after)
    log(
      `          result cache ${((cacheHitRatio ?? 0) * 100).toFixed(1)}% hits (counts only: ${countsHits}); term lists computed ${after.termMisses - before.termMisses}, reused ${after.termHits - before.termHits}; snapshot builds ${after.rebuilds - before.rebuilds}, patches ${after.patches - before.patches}`,
    );
  const bkey = `${spec.connections}@${ports.join(',')}`;
  let kept: { load: LoadResult; cpuMs: number | null } | undefined;
  {
    const c0 = serversCpu(servers);
    const load = await drive(ports, { next: () => '/api/bench/baseline' }, o.seconds, spec.connections);
    const c1 = serversCpu(servers);
    kept = { load, cpuMs: c0 != null && c1 != null ? (c1 - c0) / Math.max(1, load.requests) : null };
    o.baselines.set(bkey, kept);
    log(
      `baseline: ${load.requests.toLocaleString('en')} requests, ${load.rps.toFixed(0)}/s, p50 ${load.p50.toFixed(1)} ms, p99 ${load.p99.toFixed(1)} ms with ${spec.connections} connections, ${(load.meanBytes / 1024).toFixed(1)} KB reply, server CPU ${kept.cpuMs?.toFixed(2)} ms per request, errors ${load.errors}`,
    );
  }
  const baseline = kept.load;
  const rss = Math.max(...servers.map((s) => rssMb(s.pid).rss ?? 0)) || null;
  return {
    spec,
    search,
    baseline,
    ratio: search.rps / baseline.rps,
    writes,
    cacheHitRatio,
    countsHits,
    rebuilds: before && after ? after.rebuilds - before.rebuilds : null,
    patches: before && after ? after.patches - before.patches : null,
    rssMb: rss,
    serverCpuMs,
    baselineCpuMs: kept.cpuMs,
  };
}

/** The JSON fields of a case (the Zipf case keeps the names of issue 3: search_p99_ms, baseline_rps, ratio). */
export function caseFields(r: CaseResult): Record<string, unknown> {
  const k = r.spec.key;
  const w = r.writes;
  const suffix = k === 'mixed' ? '' : k === 'mixed50' ? '50' : `_${k}`;
  const out: Record<string, unknown> =
    k === 'search'
      ? {
          search_p50_ms: round(r.search.p50),
          search_p99_ms: round(r.search.p99),
          search_rps: round(r.search.rps, 1),
          baseline_rps: round(r.baseline.rps, 1),
          ratio: round(r.ratio, 4),
          cache_hit_ratio: r.cacheHitRatio == null ? null : round(r.cacheHitRatio, 4),
        }
      : {
          [`${k}_p50_ms`]: round(r.search.p50),
          [`${k}_p99_ms`]: round(r.search.p99),
          [`${k}_rps`]: round(r.search.rps, 1),
          [`${k}_baseline_rps`]: round(r.baseline.rps, 1),
          [`${k}_ratio`]: round(r.ratio, 4),
        };
  out[`${k}_errors`] = r.search.errors + r.baseline.errors;
  out[`${k}_server_cpu_ms`] = r.serverCpuMs == null ? null : round(r.serverCpuMs);
  if (w) {
    Object.assign(out, {
      [`writes${suffix}_per_s`]: w.writes_per_s,
      [`write${suffix}_p99_ms`]: w.write_p99_ms,
      [`write${suffix}_errors`]: w.errors,
    });
    if (w.propagation_p99_ms !== undefined)
      Object.assign(out, {
        propagation_p99_ms: w.propagation_p99_ms,
        propagation_max_ms: w.propagation_max_ms,
        propagation_timeouts: w.propagation_timeouts,
      });
  }
  return out;
}

/** Pass or fail against the issue's targets: ratios as they are, p99 targets scaled by 5,000 ÷ baseline_rps below 5,000. */
export function judge(r: CaseResult, readOnly: CaseResult | undefined, instruments: number): string[] {
  const scale = Math.max(1, 5_000 / r.baseline.rps);
  const lines: string[] = [];
  const check = (what: string, ok: boolean, detail: string) =>
    lines.push(`    ${ok ? 'PASS' : 'FAIL'}  ${what}: ${detail}`);
  const p99 = (target: number) =>
    check(
      'search p99',
      r.search.p99 <= target * scale,
      `${r.search.p99.toFixed(1)} ms ≤ ${(target * scale).toFixed(0)} ms (${target} ms × ${scale.toFixed(2)})`,
    );
  const ratio = (target: number, label = `${target}`) =>
    check('ratio', r.ratio >= target, `${r.ratio.toFixed(4)} ≥ ${label}`);
  const big = instruments >= 400_000;
  switch (r.spec.key) {
    case 'flat':
      p99(big ? 100 : 50);
      ratio(big ? 0.08 : 0.1);
      break;
    case 'flat64':
      p99(150);
      ratio(0.1);
      check('errors', r.search.errors === 0, `${r.search.errors} = 0`);
      break;
    case 'mixed':
    case 'mixed50': {
      const ten = r.spec.key === 'mixed';
      p99(ten ? 50 : 60);
      if (readOnly)
        ratio((ten ? 0.9 : 0.75) * readOnly.ratio, `${ten ? 0.9 : 0.75} × ${readOnly.ratio.toFixed(4)} (read-only)`);
      const w = r.writes;
      if (w) {
        check(
          'writes achieved',
          (w.writes_per_s ?? 0) >= (ten ? 9.5 : 45),
          `${w.writes_per_s}/s ≥ ${ten ? 9.5 : 45}/s`,
        );
        check(
          'write p99',
          (w.write_p99_ms ?? Infinity) <= (ten ? 50 : 100) * scale,
          `${w.write_p99_ms} ms ≤ ${((ten ? 50 : 100) * scale).toFixed(0)} ms`,
        );
        check('write errors', w.errors === 0, `${w.errors} = 0${w.first_error ? ` (first: ${w.first_error})` : ''}`);
      }
      break;
    }
    case 'multi':
      p99(50);
      if (r.writes)
        check(
          'write → visible on the other instance, p99',
          (r.writes.propagation_p99_ms ?? Infinity) <= 1000 && !r.writes.propagation_timeouts,
          `${r.writes.propagation_p99_ms} ms ≤ 1000 ms (not scaled)`,
        );
      break;
    case 'search':
      p99(50);
      ratio(0.03);
      break;
  }
  if (r.search.errors && r.spec.key !== 'flat64')
    check('errors', false, `${r.search.errors} (first: ${r.search.firstError})`);
  return lines;
}
