/**
 * The benchmark's query mixes for GET /api/catalogue/instruments (scripts/bench.ts).
 *
 * - zipf (issue 3): about 2,000 keywords (1, 2 and 3+ characters, model numbers, English words, kinds, makers,
 *   organisations, cities) asked with a Zipf distribution (s = 1), 30% with filters, 10% deep pages, every sort.
 *   Friendly to a result cache: the popular queries repeat.
 * - flat (issue 10): a uniform draw, with a fixed seed, over a pool of 40,000 distinct URLs made from words that
 *   occur in the generated instruments (scripts/generate.ts): 1-, 2-, 3- and 4-character substrings of the Chinese
 *   names, specifications, functions and makers, model fragments ('su80', 'jem-'), English words and their
 *   prefixes, organisation words, cities, two-word queries; 35% with one or two filters (category class, subclass
 *   or kind, city by code or name, service field, sharing, run status, valueMin); pages 1 (70%), 2–10 (15%) and
 *   50–250 (15%); every sort (relevance with a keyword, served, purchased) in both directions. One request in 20
 *   continues an earlier reply with its keyset cursor (`after` = its nextCursor). No query is favoured.
 */
import { CATEGORY_CLASSES, CATEGORY_KINDS, CATEGORY_SUBCLASSES } from '../src/domain/categories';
import { RUN_STATUSES } from '../src/domain/instrument';
import { SHANDONG_CITIES } from '../src/domain/reference';
import { KINDS, MAKERS, ORG_WORDS, prng } from './generate';
import type { Mix } from './bench-load';

type Log = (...a: unknown[]) => void;
export const PAGE_SIZE = 20;
export const MIX_SEED = 7_340_117;

const stripCompany = (m: string) => m.replace(/(股份有限公司|有限公司|株式会社|公司)$/, '');

// ------------------------------------------------------------------ zipf (popular queries repeat)

/** Keywords, most popular first: Zipf over this order decides how often each is asked. */
function keywordPool(rnd: () => number): string[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const broad = [
    '显微',
    '色谱',
    '光谱',
    '质谱',
    '电镜',
    '显微镜',
    '分析',
    '检测',
    '扫描',
    '激光',
    '液相',
    '气相',
    '荧光',
    '测试',
    '微镜',
  ];
  const one = ['镜', '谱', '仪', '光', '质', '热', '色', '微', '电', '声', '磁', '机'];
  const names = KINDS.flatMap((k) => k.names);
  const models = KINDS.flatMap((k) => k.models);
  const english = [
    'microscope',
    'electron',
    'spectrometer',
    'chromatograph',
    'laser',
    'mass',
    'diffractometer',
    'analyzer',
    'confocal',
    'scanning',
    'NMR',
    'PCR',
    'CT',
    'ICP-MS',
    'GC-MS',
    'LC-MS/MS',
    'FTIR',
    'XRD',
  ];
  const makers = KINDS.flatMap((k) => k.makers).map(stripCompany);
  const fragments = new Set<string>();
  for (const n of names) for (let k = 0; k + 3 <= n.length; k += 2) fragments.add(n.slice(k, k + 3)); // 3-character substrings
  const kinds = CATEGORY_KINDS.map(([, n]) => n);
  const orgs = ORG_WORDS.flatMap((w) => [w, `${w}大学`]);
  const cities = SHANDONG_CITIES.map(([, n]) => n);
  // interleave the sources so that popular keywords are of every kind, then the long tail
  const sources = [
    broad,
    one,
    names,
    models,
    english,
    kinds,
    makers,
    [...fragments],
    orgs,
    cities,
    names.map((n) => `${n.slice(-3)} ${pick(cities)}`),
    models.map((m) => m.toLowerCase()),
  ];
  const out: string[] = [];
  const seen = new Set<string>();
  for (let round = 0; out.length < 2_000 && round < 500; round++) {
    for (const s of sources) {
      const q = s[round];
      if (q && !seen.has(q)) {
        seen.add(q);
        out.push(q);
      }
    }
  }
  return out;
}

/** Samples ranks 0..n-1 with probability ∝ 1/(rank+1)^s. */
function zipf(n: number, rnd: () => number, s = 1.0) {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) {
    sum += 1 / Math.pow(k + 1, s);
    cdf[k] = sum;
  }
  return () => {
    const r = rnd() * sum;
    let lo = 0,
      hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

function filters(rnd: () => number): (() => [string, string])[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  return [
    () => ['category', `${pick(CATEGORY_CLASSES.slice(0, 3))[0]}0000`],
    () => ['category', `${pick(CATEGORY_SUBCLASSES.slice(0, 12))[0]}00`],
    () => ['category', pick(CATEGORY_KINDS)[0]],
    () => ['city', pick(SHANDONG_CITIES)[0]],
    () => ['city', pick(SHANDONG_CITIES)[1]],
    () => ['field', `F${String(1 + Math.floor(rnd() * 10)).padStart(2, '0')}`],
    () => ['sharing', pick(['internal', 'external'])],
    () => ['status', pick(RUN_STATUSES)],
    () => ['valueMin', String(pick([50, 100, 200, 500]) * 1_000_000)],
  ];
}

/** The Zipf mix; `seed` chooses its random sequence (the measured load always asks the same sequence). */
export function zipfMix(seed = MIX_SEED, log?: Log): Mix {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const FILTERS = filters(rnd);
  const pool = keywordPool(rnd);
  log?.(
    `query mix: zipf, ${pool.length.toLocaleString('en')} keywords (Zipf, s = 1) × filters (30%) × sorts × pages (10% deep)`,
  );
  const rank = zipf(pool.length + 1, rnd);
  return {
    next: () => {
      const r = rank();
      const p = new URLSearchParams();
      if (r > 0) p.set('q', pool[r - 1]); // rank 0: browsing without a keyword
      if (rnd() < 0.3) {
        const [k, v] = pick(FILTERS)();
        p.set(k, v);
        if (rnd() < 0.3) {
          const [k2, v2] = pick(FILTERS)();
          if (k2 !== k) p.set(k2, v2);
        }
      }
      const s = rnd();
      if (r > 0 && s < 1 / 3) {
        /* the default with a keyword: relevance */
      } else p.set('sort', s < 2 / 3 ? 'served' : 'purchased');
      if (rnd() < 0.3) p.set('dir', 'asc');
      if (rnd() < 0.1) p.set('page', String(50 + Math.floor(Math.pow(rnd(), 2) * 200)));
      else if (rnd() < 0.2) p.set('page', String(2 + Math.floor(rnd() * 5)));
      p.set('pageSize', String(PAGE_SIZE));
      return `/api/catalogue/instruments?${p}`;
    },
  };
}

// ------------------------------------------------------------------ flat (every query as likely as any other)

/** Every 1–4 character substring of the texts (split at punctuation and spaces). */
function substrings(texts: string[], lengths = [1, 2, 3, 4]): string[] {
  const out = new Set<string>();
  for (const t of texts) {
    for (const part of t.split(/[\s，；、（）()：,;:～×±<>·/]+/)) {
      const chars = [...part];
      for (const n of lengths) for (let k = 0; k + n <= chars.length; k++) out.add(chars.slice(k, k + n).join(''));
    }
  }
  return [...out].filter((s) => s.trim().length > 0);
}

/** The keywords of the flat mix, by source: all occur in generated instruments (or their organisations). */
export function flatTerms(): Record<string, string[]> {
  const names = KINDS.flatMap((k) => k.names);
  const texts = KINDS.flatMap((k) => [...k.specs, ...k.functions]);
  const models = KINDS.flatMap((k) => k.models).map((m) => m.toLowerCase());
  const modelFragments = new Set<string>(models);
  for (const m of models) {
    for (const part of m.split(/\s+/)) {
      const chars = [...part];
      for (const n of [2, 3, 4])
        for (let k = 0; k + n <= chars.length; k++) modelFragments.add(chars.slice(k, k + n).join(''));
    }
  }
  const english = new Set<string>();
  for (const k of KINDS) {
    for (const w of k.en.toLowerCase().split(/[\s-]+/)) {
      if (w.length < 2) continue;
      english.add(w);
      for (let n = 3; n < w.length; n += 2) english.add(w.slice(0, n)); // what people type before they finish
    }
  }
  const makers = [...new Set([...Object.values(MAKERS), ...KINDS.flatMap((k) => k.makers)].map(stripCompany))];
  return {
    names: substrings(names),
    texts: substrings(texts, [2, 3, 4]),
    models: [...modelFragments],
    english: [...english],
    makers: [
      ...makers,
      ...substrings(
        makers.filter((m) => /[\u4e00-\u9fff]/.test(m)),
        [2, 3],
      ),
    ],
    orgs: [...ORG_WORDS, ...ORG_WORDS.map((w) => `${w}大学`)],
    cities: SHANDONG_CITIES.map(([, n]) => n),
    kinds: substrings(
      CATEGORY_KINDS.map(([, n]) => n),
      [2, 3, 4],
    ),
  };
}

const pools = new Map<string, { pool: string[]; note: string }>();

/** The flat mix's distinct URLs for a seed (built once, then kept). */
function flatPool(seed: number, size: number) {
  const key = `${seed}/${size}`;
  const kept = pools.get(key);
  if (kept) return kept;
  const rnd = prng(seed ^ 0x5f1a7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const FILTERS = [
    ...filters(rnd),
    () => ['category', `${pick(CATEGORY_CLASSES)[0]}0000`] as [string, string],
    () => ['category', `${pick(CATEGORY_SUBCLASSES)[0]}00`] as [string, string],
  ];
  const bySource = flatTerms();
  const sources = Object.values(bySource);
  const single = sources.flat();
  const keyword = () => {
    const r = rnd();
    if (r < 0.05) return null; // browsing
    if (r < 0.2) {
      // two words from two sources
      const a = pick(pick(sources)),
        b = pick(pick(sources));
      return a === b ? a : `${a} ${b}`;
    }
    return pick(pick(sources)); // every source as likely as another, then every word of it
  };
  const urls = new Set<string>();
  for (let guard = 0; urls.size < size && guard < size * 20; guard++) {
    const q = keyword();
    const p = new URLSearchParams();
    if (q) p.set('q', q);
    if (rnd() < 0.35) {
      const [k, v] = pick(FILTERS)();
      p.set(k, v);
      if (rnd() < 0.3) {
        const [k2, v2] = pick(FILTERS)();
        if (k2 !== k) p.set(k2, v2);
      }
    }
    const sorts = q ? ['relevance', 'served', 'purchased'] : ['served', 'purchased'];
    p.set('sort', pick(sorts));
    p.set('dir', rnd() < 0.5 ? 'asc' : 'desc');
    const r = rnd();
    if (r < 0.15) p.set('page', String(50 + Math.floor(rnd() * 201)));
    else if (r < 0.3) p.set('page', String(2 + Math.floor(rnd() * 9)));
    p.set('pageSize', String(PAGE_SIZE));
    urls.add(`/api/catalogue/instruments?${p}`);
  }
  const made = {
    pool: [...urls],
    note: `${single.length.toLocaleString('en')} keywords (${Object.entries(bySource)
      .map(([k, v]) => `${k} ${v.length}`)
      .join(', ')})`,
  };
  pools.set(key, made);
  return made;
}

/** The flat mix over `size` distinct URLs (uniform draw, fixed seed), continuing earlier replies with their cursors. */
export function flatMix(seed = MIX_SEED, size = 40_000, log?: Log): Mix {
  const { pool, note } = flatPool(seed, size);
  log?.(
    `query mix: flat, ${pool.length.toLocaleString('en')} distinct URLs (uniform) from ${note}; 1 in 20 continues a reply's cursor`,
  );
  // keyset continuation: a page-1 reply's nextCursor, asked again with `after`
  const cursors: string[] = [];
  const draw = prng(seed),
    keep = prng(seed + 1);
  return {
    next: () => {
      if (cursors.length && draw() < 0.05) return cursors[Math.floor(draw() * cursors.length)];
      return pool[Math.floor(draw() * pool.length)];
    },
    seen: (url, body) => {
      if (url.includes('page=') || url.includes('after=') || keep() >= 0.1) return;
      const at = body.indexOf('"nextCursor":"');
      if (at < 0) return;
      const from = at + 14,
        to = body.indexOf('"', from);
      if (to < 0) return;
      const next = `${url}&after=${encodeURIComponent(body.toString('utf8', from, to))}`;
      if (cursors.length < 2_000) cursors.push(next);
      else cursors[Math.floor(keep() * cursors.length)] = next;
    },
  };
}
