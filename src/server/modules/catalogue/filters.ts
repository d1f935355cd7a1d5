/**
 * The filters of a catalogue query: resolved against a snapshot, the positions whose texts contain every term,
 * and one pass over them that keeps the ones passing every filter and counts every facet without its own filter.
 * `passes` answers the same for one instrument's values, which is how a kept result decides whether a change of
 * that instrument can alter it (cache.ts).
 */
import type { CatalogueQueryT } from '../../../contracts/catalogue';
import { categoryPrefix } from '../../../domain/categories';
import { badInput } from '../../../domain/errors';
import { RUN_STATUSES } from '../../../domain/instrument';
import { termGet, type Values } from './cache';
import { intersect } from './finder';
import { termHits, verifier } from './match';
import { FACET_RUNS, FACET_VALUES, facetKey, VALUE_RANGES, type Reference, type Snapshot } from './snapshot';
import { queryTerms } from './text';

// filter bits: a facet counts a row when the row passes every filter but its own
const CAT = 1,
  FIELD = 2,
  CITY = 4,
  ORG = 8,
  VALUE = 16,
  SHARING = 32,
  RUN = 64;

/** The filters of a query resolved against a snapshot. -1 = a value that no listed instrument has. */
export interface Resolved {
  terms: string[];
  /** category filter: 0 none, 1 class (cls), 2 subclass (sub), 3 kind (category) equals catVal */
  catLevel: number;
  catVal: number;
  field: number | null;
  city: number | null;
  org: number | null;
  valueMin: number | null;
  valueMax: number | null;
  sharing: number | null;
  run: number | null;
}

export function resolve(q: CatalogueFilterInput, snap: Snapshot, ref: Reference): Resolved {
  const terms = queryTerms(q.q);
  let catLevel = 0,
    catVal = 0;
  if (q.category) {
    const p = categoryPrefix(q.category);
    catLevel = p.length === 2 ? 1 : p.length === 4 ? 2 : 3;
    catVal = Number(p);
  }
  let field: number | null = null;
  if (q.field) {
    const code = ref.fields.find((f) => f.code === q.field || f.name === q.field)?.code ?? q.field;
    field = snap.fields.indexOf(code);
  }
  let city: number | null = null;
  if (q.city) {
    const code = ref.cities.has(q.city)
      ? q.city
      : ([...ref.cities].find(([, c]) => c.name === q.city || `${c.name}市` === q.city)?.[0] ?? q.city);
    city = snap.cities.indexOf(code);
  }
  const org = q.org ? snap.orgs.indexOf(q.org) : null;
  if (q.valueMin != null && q.valueMax != null && q.valueMin > q.valueMax) {
    throw badInput('VALUE_RANGE', '原值下限不能大于上限', { valueMin: '不能大于上限' });
  }
  return {
    terms,
    catLevel,
    catVal,
    field,
    city,
    org,
    valueMin: q.valueMin ?? null,
    valueMax: q.valueMax ?? null,
    sharing: q.sharing ? (q.sharing === 'internal' ? 0 : 1) : null,
    run: q.status ? (RUN_STATUSES as readonly string[]).indexOf(q.status) : null,
  };
}

export type CatalogueFilterInput = Pick<
  CatalogueQueryT,
  'q' | 'category' | 'field' | 'city' | 'org' | 'valueMin' | 'valueMax' | 'sharing' | 'status'
>;

const EMPTY = new Int32Array(0);

/** a ∩ b, both ascending (galloping through the longer one when the other is much shorter). */
function intersectLists(a: Int32Array, b: Int32Array): Int32Array {
  if (a.length > b.length) [a, b] = [b, a];
  const out = new Int32Array(a.length);
  return out.subarray(0, intersect(a, a.length, b, out));
}

/**
 * Positions that contain every term, ascending; null = no keyword (everything). A single term is its hit list. With
 * several, each term's candidates (exact for 1–2 characters, else those holding all its pairs) are intersected
 * first, and only the positions left are checked against the longer terms: a candidate that another term rules
 * out is never verified.
 */
export function matching(snap: Snapshot, terms: string[]): Int32Array | null {
  if (!terms.length) return null;
  if (terms.length === 1) return termHits(snap, terms[0]);
  const lists: Int32Array[] = [];
  const verify: string[] = [];
  for (const t of terms) {
    const c = snap.postings.candidates(t);
    const kept = c && !c.exact ? termGet(snap.caches, t) : undefined;
    let list: Int32Array;
    if (!c) list = termHits(snap, t);
    else if (c.exact) list = c.docs;
    else if (kept) list = kept;
    else {
      list = c.docs;
      verify.push(t);
    }
    if (!list.length) return EMPTY;
    lists.push(list);
  }
  lists.sort((a, b) => a.length - b.length);
  let cur = lists[0];
  for (let k = 1; k < lists.length && cur.length; k++) cur = intersectLists(cur, lists[k]);
  if (!verify.length) return cur;
  const checks = verify.map((t) => verifier(snap, t));
  const out = new Int32Array(cur.length);
  let o = 0;
  for (let k = 0; k < cur.length; k++) if (checks.every((holds) => holds(cur[k]))) out[o++] = cur[k];
  return out.subarray(0, o);
}

export interface Counted {
  /**
   * the positions that pass every filter, ascending; null: every listed instrument. A view of the hits or of the
   * snapshot's scratch: valid until the next search.
   */
  members: Int32Array | null;
  total: number;
  classes: Int32Array;
  subclasses: Int32Array;
  fields: Int32Array;
  cities: Int32Array;
  orgs: Int32Array;
  sharing: Int32Array;
  run: Int32Array;
  value: Int32Array;
}

/** Adds one to `fields` for every service field of position i. */
function countFields(fields: Int32Array, bits: number, more: number[] | undefined) {
  for (let b = bits; b;) {
    const low = b & -b;
    fields[31 - Math.clz32(low)]++;
    b ^= low;
  }
  if (more) for (const k of more) fields[k]++;
}

const hasField = (bits: number, more: number[] | null | undefined, f: number) =>
  f < 32 ? ((bits >>> f) & 1) === 1 : !!more?.includes(f);

/**
 * One pass over the hits (null: every listed position): which pass all filters, and every facet counted without
 * its own filter. Classes are summed from subclasses afterwards (both count under the same condition).
 */
export function count(snap: Snapshot, hits: Int32Array | null, f: Resolved): Counted {
  const c: Counted = {
    members: hits,
    total: 0,
    classes: new Int32Array(100),
    subclasses: new Int32Array(10_000),
    fields: new Int32Array(snap.fields.length),
    cities: new Int32Array(snap.cities.length),
    orgs: new Int32Array(snap.orgs.length),
    sharing: new Int32Array(2),
    run: new Int32Array(RUN_STATUSES.length + 1),
    value: new Int32Array(VALUE_RANGES.length + 1),
  };
  const { cls, sub, category, fieldBits, fieldMore, city, org, value, valueRange, sharing, run, alive } = snap;
  const more = fieldMore.size > 0;
  const { subclasses, fields, cities, orgs, value: values, run: runs } = c;
  const shares = c.sharing;
  const catCol = f.catLevel === 1 ? cls : f.catLevel === 2 ? sub : f.catLevel === 3 ? category : null;
  const { catVal, field: fField, city: fCity, org: fOrg, sharing: fSharing, run: fRun, valueMin, valueMax } = f;
  const hasValue = valueMin !== null || valueMax !== null;
  const filtered =
    catCol !== null ||
    fField !== null ||
    fCity !== null ||
    fOrg !== null ||
    hasValue ||
    fSharing !== null ||
    fRun !== null;
  const len = hits ? hits.length : snap.n;
  // dead positions (instruments no longer listed) are in no hit list; without a keyword they are skipped here
  const skipDead = !hits && snap.live < snap.n;
  let total = 0;
  if (!filtered) {
    // the common case: every row passes and every facet counts it; city, value range, sharing and run are counted
    // as one packed key (snapshot.facet) and split afterwards
    const { facet } = snap;
    const perKey = new Int32Array(facetKey(cities.length, 0, 0, 0));
    for (let k = 0; k < len; k++) {
      const i = hits ? hits[k] : k;
      if (skipDead && !alive[i]) continue;
      subclasses[sub[i]]++;
      countFields(fields, fieldBits[i], more ? fieldMore.get(i) : undefined);
      orgs[org[i]]++;
      perKey[facet[i]]++;
    }
    for (let key = 0; key < perKey.length; key++) {
      const n = perKey[key];
      if (!n) continue;
      total += n;
      runs[key % FACET_RUNS] += n;
      const rest = Math.floor(key / FACET_RUNS);
      shares[rest % 2] += n;
      values[Math.floor(rest / 2) % FACET_VALUES] += n;
      cities[Math.floor(rest / 2 / FACET_VALUES)] += n;
    }
  } else {
    const members = snap.scratchMembers;
    for (let k = 0; k < len; k++) {
      const i = hits ? hits[k] : k;
      if (skipDead && !alive[i]) continue;
      let m = 0;
      if (catCol !== null && catCol[i] !== catVal) m |= CAT;
      if (fField !== null && !hasField(fieldBits[i], more ? fieldMore.get(i) : undefined, fField)) m |= FIELD;
      if (fCity !== null && city[i] !== fCity) m |= CITY;
      if (fOrg !== null && org[i] !== fOrg) m |= ORG;
      if (hasValue) {
        const v = value[i];
        if (Number.isNaN(v) || (valueMin !== null && v < valueMin) || (valueMax !== null && v > valueMax)) m |= VALUE;
      }
      if (fSharing !== null && sharing[i] !== fSharing) m |= SHARING;
      if (fRun !== null && run[i] !== fRun) m |= RUN;

      if (m === 0) members[total++] = i;
      if ((m & ~CAT) === 0) subclasses[sub[i]]++;
      if ((m & ~FIELD) === 0) countFields(fields, fieldBits[i], more ? fieldMore.get(i) : undefined);
      if ((m & ~CITY) === 0) cities[city[i]]++;
      if ((m & ~ORG) === 0) orgs[org[i]]++;
      if ((m & ~VALUE) === 0) values[valueRange[i]]++;
      if ((m & ~SHARING) === 0) shares[sharing[i]]++;
      if ((m & ~RUN) === 0) runs[run[i]]++;
    }
  }
  for (let k = 0; k < 10_000; k++) if (subclasses[k]) c.classes[Math.floor(k / 100)] += subclasses[k];
  c.total = total;
  if (filtered) c.members = snap.scratchMembers.subarray(0, total);
  else if (skipDead) c.members = null;
  return c;
}

/** Whether a text contains every term. */
export const hasTerms = (text: string, terms: string[]) => terms.every((t) => text.includes(t));

/** Whether one instrument's values pass the terms and every filter of a query (what `count` decides for it). */
export function passes(v: Values, f: Resolved): boolean {
  if (!hasTerms(v.text, f.terms)) return false;
  if (f.catLevel) {
    const col =
      f.catLevel === 1 ? Math.floor(v.category / 10_000) : f.catLevel === 2 ? Math.floor(v.category / 100) : v.category;
    if (col !== f.catVal) return false;
  }
  if (f.field !== null && !hasField(v.fieldBits, v.fieldMore, f.field)) return false;
  if (f.city !== null && v.city !== f.city) return false;
  if (f.org !== null && v.org !== f.org) return false;
  if (f.valueMin !== null || f.valueMax !== null) {
    if (
      Number.isNaN(v.value) ||
      (f.valueMin !== null && v.value < f.valueMin) ||
      (f.valueMax !== null && v.value > f.valueMax)
    )
      return false;
  }
  if (f.sharing !== null && v.sharing !== f.sharing) return false;
  if (f.run !== null && v.run !== f.run) return false;
  return true;
}
