/**
 * Two walks over every /api route, discovered at runtime from the OpenAPI document:
 *  1. every route × every role: the answer follows the table of who may call what (never a 500);
 *  2. every write route × bad input: a 4xx with an error code and the field named, and nothing written.
 * A route that appears in the document but not in ROUTES fails the walk: a new route must state its policy here.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../db/types';
import { Client, createTestApp, type Res, type TestApp } from './harness';
import { addMember, as, deptUser, makeOrg, makeUser, orgBody, sysadmin } from './factories';

type Role = 'visitor' | 'person' | 'member' | 'orgAdmin' | 'legal' | 'city' | 'province' | 'sysadmin';
const ROLES: Role[] = ['visitor', 'person', 'member', 'orgAdmin', 'legal', 'city', 'province', 'sysadmin'];
const PERSONS: Role[] = ['person', 'member', 'orgAdmin', 'legal'];

/** Who may call a route, by the name of its rule. Written out here on purpose, not derived from http/actor.ts. */
const WHO = {
  public: ROLES,
  user: ROLES.filter((r) => r !== 'visitor'),
  person: PERSONS,
  member: ['member', 'orgAdmin', 'legal'],
  orgAdmin: ['orgAdmin', 'legal'],
  legal: ['legal'],
  reviewer: ['city', 'province'],
  province: ['province'],
  auditor: ['province', 'sysadmin'],
  sysadmin: ['sysadmin'],
} satisfies Record<string, Role[]>;
type Rule = keyof typeof WHO;

/** Every route of the API with its rule. */
const ROUTES: Record<string, Rule> = {
  // system
  'GET /api/health': 'public',
  'GET /api/ready': 'public',
  'GET /api/site': 'public',
  'GET /api/stats/public': 'public',
  'GET /api/bench/baseline': 'public',
  // accounts
  'GET /api/auth/me': 'public',
  'POST /api/auth/register': 'public',
  'GET /api/auth/login-status': 'public',
  'GET /api/auth/captcha': 'public',
  'POST /api/auth/login': 'public',
  'POST /api/auth/logout': 'user',
  'POST /api/auth/password': 'user',
  'POST /api/auth/password-reset': 'public',
  'GET /api/auth/password-reset/check': 'public',
  'POST /api/auth/password-reset/confirm': 'public',
  // organizations
  'GET /api/orgs/search': 'public',
  'GET /api/orgs/{id}/profile': 'public',
  'POST /api/orgs': 'person',
  'GET /api/orgs/mine': 'member',
  'PUT /api/orgs/mine': 'orgAdmin',
  'POST /api/orgs/mine/submit': 'orgAdmin',
  'GET /api/orgs/mine/history': 'member',
  // binding
  'GET /api/binding/mine': 'person',
  'POST /api/binding/requests': 'person',
  'POST /api/binding/unbind': 'member',
  'POST /api/binding/requests/{id}/cancel': 'person',
  'GET /api/orgs/mine/binding-requests': 'orgAdmin',
  'POST /api/orgs/mine/binding-requests/{id}/decision': 'orgAdmin',
  'GET /api/orgs/mine/members': 'orgAdmin',
  'POST /api/orgs/mine/members/{userId}/role': 'legal',
  // reviews
  'GET /api/reviews/kinds': 'reviewer',
  'GET /api/reviews': 'reviewer',
  'GET /api/reviews/{id}': 'reviewer',
  'POST /api/reviews/{id}/decision': 'reviewer',
  // audit
  'GET /api/audit': 'auditor',
  // admin
  'GET /api/admin/departments': 'sysadmin',
  'GET /api/admin/department-accounts': 'sysadmin',
  'POST /api/admin/department-accounts': 'sysadmin',
  'PUT /api/admin/department-accounts/{id}': 'sysadmin',
  'POST /api/admin/department-accounts/{id}/disable': 'sysadmin',
  'POST /api/admin/department-accounts/{id}/enable': 'sysadmin',
  'POST /api/admin/department-accounts/{id}/reset-password': 'sysadmin',
  // catalogue
  'GET /api/catalogue/instruments': 'public',
  'GET /api/catalogue/orgs': 'public',
  'GET /api/catalogue/facets-reference': 'public',
  // cart (预选清单)
  'GET /api/cart': 'person',
  'POST /api/cart': 'person',
  'DELETE /api/cart': 'person',
  'DELETE /api/cart/items/{instrumentId}': 'person',
  'DELETE /api/cart/orgs/{orgId}': 'person',
  'POST /api/cart/clear-disabled': 'person',
  // files
  'GET /api/files/{id}': 'public',
  'GET /api/files/{id}/thumb': 'public',
  // instruments
  'POST /api/instruments': 'orgAdmin',
  'GET /api/instruments/mine': 'member',
  'GET /api/instruments/{id}': 'public',
  'GET /api/instruments/{id}/history': 'member',
  'PUT /api/instruments/{id}': 'orgAdmin',
  'DELETE /api/instruments/{id}': 'orgAdmin',
  'POST /api/instruments/{id}/submit': 'orgAdmin',
  'POST /api/instruments/{id}/disable': 'orgAdmin',
  'POST /api/instruments/{id}/enable': 'orgAdmin',
  'POST /api/instruments/{id}/pictures': 'orgAdmin',
  'POST /api/instruments/{id}/attachments': 'orgAdmin',
  'DELETE /api/instruments/{id}/files/{fileId}': 'orgAdmin',
  // imports (模板下载 / 上传)
  'GET /api/instruments/import/template': 'orgAdmin',
  'POST /api/instruments/import': 'orgAdmin',
  'GET /api/instruments/import/jobs': 'orgAdmin',
  'GET /api/instruments/import/jobs/{id}': 'orgAdmin',
  'GET /api/instruments/import/jobs/{id}/report': 'orgAdmin',
  // bookings (预约)
  'GET /api/bookings/liability': 'public',
  'GET /api/bookings/start': 'member',
  'POST /api/bookings': 'member',
  'GET /api/bookings': 'member',
  'GET /api/bookings/export': 'member',
  'GET /api/bookings/{id}': 'member',
  'PUT /api/bookings/{id}': 'member',
  'DELETE /api/bookings/{id}': 'member',
  'POST /api/bookings/{id}/submit': 'member',
  'POST /api/bookings/{id}/withdraw': 'member',
  'POST /api/bookings/{id}/accept': 'orgAdmin',
  'POST /api/bookings/{id}/decline': 'orgAdmin',
  'PUT /api/bookings/{id}/results': 'orgAdmin',
  'POST /api/bookings/{id}/results/submit': 'orgAdmin',
  'POST /api/bookings/{id}/files': 'member',
  'DELETE /api/bookings/{id}/files/{fileId}': 'member',
  'POST /api/bookings/{id}/settle': 'member',
  'POST /api/bookings/{id}/rating': 'member',
  'GET /api/instruments/{id}/ratings': 'public',
  // messages (消息中心)
  'GET /api/messages': 'user',
  'GET /api/messages/unread-count': 'user',
  'POST /api/messages/{id}/read': 'user',
  'POST /api/messages/read-all': 'user',
  // vouchers (创新券)
  'GET /api/vouchers/policies': 'reviewer',
  'POST /api/vouchers/policies': 'province',
  'GET /api/bookings/{id}/voucher-quote': 'member',
  'GET /api/vouchers/claims': 'member',
  'GET /api/vouchers/claims/{id}': 'user',
  'POST /api/vouchers/claims/{id}/files': 'member',
  'DELETE /api/vouchers/claims/{id}/files/{fileId}': 'member',
  'POST /api/vouchers/claims/{id}/resubmit': 'member',
  'GET /api/vouchers/claims/{id}/print': 'user',
  'GET /api/verify/{code}': 'public',
  'GET /api/vouchers/stats': 'reviewer',
  'GET /api/vouchers/payouts': 'province',
  'POST /api/vouchers/payouts': 'province',
  'GET /api/vouchers/payouts/{id}': 'province',
  'GET /api/vouchers/payouts/{id}/export': 'province',
  'POST /api/vouchers/payouts/{id}/confirm': 'province',
  'DELETE /api/vouchers/payouts/{id}': 'province',
  // posts (供需发布)
  'GET /api/posts': 'public',
  'GET /api/posts/mine': 'member',
  'GET /api/posts/{id}': 'public',
  'GET /api/posts/{id}/matches': 'public',
  'GET /api/posts/{id}/edit': 'orgAdmin',
  'POST /api/posts': 'orgAdmin',
  'PUT /api/posts/{id}': 'orgAdmin',
  'POST /api/posts/{id}/submit': 'orgAdmin',
  'POST /api/posts/{id}/disable': 'orgAdmin',
  'POST /api/posts/{id}/enable': 'orgAdmin',
  'DELETE /api/posts/{id}': 'orgAdmin',
  'POST /api/posts/{id}/attachments': 'orgAdmin',
  'DELETE /api/posts/{id}/attachments/{fileId}': 'orgAdmin',
  // terminals (物联网监测)
  'POST /api/terminals': 'orgAdmin',
  'POST /api/terminals/{id}/rotate': 'orgAdmin',
  'POST /api/terminals/{id}/disable': 'orgAdmin',
  'POST /api/terminals/{id}/enable': 'orgAdmin',
  'GET /api/terminals/mine': 'member',
  'GET /api/terminals/coverage': 'user',
  'GET /api/terminals/totals': 'user',
  'GET /api/terminals/live': 'public',
  'GET /api/terminals/live/stream': 'public',
  'GET /api/terminals/instruments/{id}/usage': 'user',
  'POST /api/terminals/instruments/{id}/annotations': 'orgAdmin',
  'GET /api/terminals/bookings/{id}/usage': 'user',
  'GET /api/terminals/differences': 'reviewer',
  'GET /api/terminals/settings': 'public',
  'PUT /api/terminals/settings': 'auditor',
  // notices (通知公告)
  'GET /api/notices': 'public',
  'GET /api/notices/{id}': 'public',
  'GET /api/admin/notices': 'auditor',
  'POST /api/admin/notices': 'auditor',
  'PUT /api/admin/notices/{id}': 'auditor',
  'DELETE /api/admin/notices/{id}': 'auditor',
  // unified identity login (省统一身份认证)
  'GET /api/identity/providers': 'public',
  'GET /api/identity/login': 'public',
  'GET /api/identity/callback': 'public',
  'GET /api/identity/mine': 'user',
  'POST /api/identity/link': 'person',
  'POST /api/identity/logout': 'user',
  // sharing evaluation (开放共享评价)
  'GET /api/sharing/definitions': 'public',
  'GET /api/sharing/public': 'public',
  'GET /api/sharing/dashboard': 'reviewer',
  'GET /api/sharing/dashboard/export': 'reviewer',
  'GET /api/sharing/org-dashboard': 'orgAdmin',
  'GET /api/sharing/org-dashboard/export': 'orgAdmin',
  'GET /api/sharing/settings': 'province',
  'PUT /api/sharing/settings': 'province',
  'POST /api/sharing/rounds': 'province',
  'GET /api/sharing/rounds': 'reviewer',
  'GET /api/sharing/rounds/{id}/reports': 'reviewer',
  'GET /api/sharing/reports/mine': 'orgAdmin',
  'GET /api/sharing/reports/{id}': 'user',
  'PUT /api/sharing/reports/{id}': 'orgAdmin',
  'POST /api/sharing/reports/{id}/submit': 'orgAdmin',
  'POST /api/sharing/reports/{id}/grade': 'reviewer',
  'GET /api/sharing/reports/{id}/export': 'user',
  'GET /api/sharing/nrii/mine/validation': 'orgAdmin',
  'GET /api/sharing/nrii/mine/export': 'orgAdmin',
  'GET /api/sharing/nrii/orgs/{id}/validation': 'reviewer',
  'GET /api/sharing/nrii/orgs/{id}/export': 'reviewer',
  // administration
  'GET /api/admin/reference/{kind}': 'sysadmin',
  'POST /api/admin/reference/{kind}': 'sysadmin',
  'PUT /api/admin/reference/{kind}/{code}': 'sysadmin',
  'POST /api/admin/reference/{kind}/{code}/disable': 'sysadmin',
  'POST /api/admin/reference/{kind}/{code}/enable': 'sysadmin',
  'GET /api/admin/site': 'auditor',
  'PUT /api/admin/site': 'auditor',
  'GET /api/admin/booking-liability': 'auditor',
  'PUT /api/admin/booking-liability': 'auditor',
  'GET /api/admin/users': 'sysadmin',
  'POST /api/admin/users/{id}/lock': 'sysadmin',
  'POST /api/admin/users/{id}/unlock': 'sysadmin',
  'POST /api/admin/users/{id}/force-reset': 'sysadmin',
};

/** Routes that end the caller's session when they succeed: the walk logs in again afterwards. */
const ENDS_SESSION = new Set(['POST /api/auth/logout', 'POST /api/identity/logout']);

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
type Method = Uppercase<(typeof METHODS)[number]>;
const WRITES = new Set<Method>(['POST', 'PUT', 'PATCH', 'DELETE']);

interface JsonSchema {
  type?: string | string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
}
interface Op {
  key: string;
  method: Method;
  path: string;
  body: JsonSchema | null;
  enums: Record<string, unknown[]>;
  params: string[];
  query: string[];
}

let t: TestApp;
let ops: Op[];
const users = {} as Record<Exclude<Role, 'visitor'>, { username: string | null }>;
const clients = {} as Record<Role, Client>;

async function login(role: Role) {
  clients[role] = role === 'visitor' ? new Client(t.app) : await as(t, users[role]);
  return clients[role];
}

/**
 * A concrete URL for a path of the document: path parameters become random ids that match nothing; a parameter
 * with a fixed set of values (an enum, such as the kind of reference data) takes its first value.
 */
const urlOf = (op: Op, raw: Record<string, string> = {}) =>
  op.path.replace(
    /\{([^}]+)\}/g,
    (_m, name: string) => raw[name] ?? String(op.enums[name]?.[0] ?? crypto.randomUUID()),
  );

/** `raw`: path parameters written into the URL as they are (already percent-encoded); `search`: a query string. */
function send(
  c: Client,
  op: Op,
  body?: unknown,
  headers?: Record<string, string>,
  raw?: Record<string, string>,
  search = '',
): Promise<Res> {
  const url = urlOf(op, raw) + search;
  if (op.method === 'GET') return c.request('GET', url, undefined, headers);
  return c.request(op.method, url, body === undefined ? {} : body, headers);
}

const where = (op: Op, role: Role, res: Res) => `${op.key} as ${role} → ${res.statusCode} ${res.body.slice(0, 300)}`;

beforeAll(async () => {
  t = await createTestApp();
  const { org, legal } = await makeOrg(t);
  users.person = await makeUser(t);
  users.member = await addMember(t, org.id, 'member');
  users.orgAdmin = await addMember(t, org.id, 'admin');
  users.legal = legal;
  users.city = await deptUser(t, '370100');
  users.province = await deptUser(t, '370000');
  users.sysadmin = await sysadmin(t);
  for (const role of ROLES) await login(role);

  const doc = (await clients.visitor.get('/api/openapi.json')).data as {
    paths: Record<
      string,
      Record<
        string,
        {
          requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
          parameters?: { in: string; name: string; schema?: JsonSchema }[];
        }
      >
    >;
  };
  ops = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      const method = m.toUpperCase() as Method;
      const params = op.parameters ?? [];
      const enums = Object.fromEntries(
        params.filter((p) => p.in === 'path' && p.schema?.enum).map((p) => [p.name, p.schema!.enum!]),
      );
      const named = (where: string) => params.filter((p) => p.in === where).map((p) => p.name);
      ops.push({
        key: `${method} ${path}`,
        method,
        path,
        body: op.requestBody?.content?.['application/json']?.schema ?? null,
        enums,
        params: named('path'),
        query: named('query'),
      });
    }
  }
});
afterAll(async () => {
  await t?.close();
});

describe('route table', () => {
  it('names every route of the OpenAPI document, and nothing else', () => {
    const found = ops.map((o) => o.key);
    expect(found.length).toBeGreaterThan(30);
    const unlisted = found.filter((k) => !(k in ROUTES));
    const stale = Object.keys(ROUTES).filter((k) => !found.includes(k));
    expect(unlisted, 'routes missing from the walk table (add them with their rule)').toEqual([]);
    expect(stale, 'routes in the walk table that the API no longer has').toEqual([]);
  });
});

describe('walk 1: every route × every role', () => {
  it('answers by the table: visitors 401, other roles outside the rule 403, never a 500', async () => {
    const problems: string[] = [];
    let calls = 0;
    for (const op of ops) {
      const rule = ROUTES[op.key];
      if (!rule) continue; // reported by the table test
      const allowed: Role[] = WHO[rule];
      for (const role of ROLES) {
        const res = await send(clients[role], op);
        calls++;
        if (res.statusCode >= 500) problems.push(`500: ${where(op, role, res)}`);
        else if (!allowed.includes(role)) {
          const want = role === 'visitor' ? [401, 'UNAUTHENTICATED'] : [403, 'FORBIDDEN'];
          if (res.statusCode !== want[0] || res.data?.error?.code !== want[1])
            problems.push(`expected ${want.join(' ')}: ${where(op, role, res)}`);
        } else if (res.statusCode === 401 || (res.statusCode === 403 && res.data?.error?.code === 'FORBIDDEN')) {
          problems.push(`allowed but refused: ${where(op, role, res)}`);
        }
        if (res.statusCode >= 400 && typeof res.data?.error?.code !== 'string')
          problems.push(`error without code: ${where(op, role, res)}`);
        if (ENDS_SESSION.has(op.key) && role !== 'visitor' && res.statusCode < 400) await login(role);
      }
    }
    expect(problems).toEqual([]);
    expect(calls).toBe(ops.length * ROLES.length);
  });

  it('a refusal by rule is recorded in the audit log', async () => {
    const before = await count('auditLog');
    const res = await clients.person.get('/api/admin/departments');
    expect(res.statusCode).toBe(403);
    const row = await t.database.db
      .selectFrom('auditLog')
      .selectAll()
      .where('action', '=', 'permission.denied')
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(await count('auditLog')).toBe(before + 1);
    expect(row.actorName).toBe('测试用户');
  });

  it('a write without the CSRF header is refused before anything else, for every write route', async () => {
    const problems: string[] = [];
    for (const op of ops.filter((o) => WRITES.has(o.method))) {
      const role = WHO[ROUTES[op.key] ?? 'public'][0];
      const res = await send(clients[role], op, {}, { 'x-csrf-token': 'wrong' });
      if (res.statusCode !== 403 || res.data?.error?.code !== 'CSRF_FAILED') problems.push(where(op, role, res));
    }
    expect(problems).toEqual([]);
  });
});

describe('organisations are isolated from each other', () => {
  it("an admin of org A can neither read nor change the draft of org B; B's review is closed to other departments", async () => {
    const a = await makeOrg(t, { cityCode: '370100' });
    const adminA = await as(t, await addMember(t, a.org.id, 'admin'));
    // B: a draft in Qingdao, submitted to the Qingdao bureau
    const legalB = await as(t, await makeUser(t));
    const bodyB = orgBody({ cityCode: '370200' });
    const created = await legalB.post('/api/orgs', bodyB);
    expect(created.statusCode).toBe(201);
    const idB = created.data.id as string;
    const snapshot = () =>
      t.database.db.selectFrom('organizations').selectAll().where('id', '=', idB).executeTakeFirstOrThrow();
    const before = await snapshot();

    // reading: /orgs/mine is always one's own; the public profile of a draft does not exist
    const mine = await adminA.get('/api/orgs/mine');
    expect(mine.statusCode).toBe(200);
    expect(mine.data.id).toBe(a.org.id);
    expect(JSON.stringify(mine.data)).not.toContain(bodyB.uscc as string);
    expect((await adminA.get(`/api/orgs/${idB}/profile`)).statusCode).toBe(404);

    // changing: B's own body sent by A's admin lands on A (and is refused there), never on B
    const put = await adminA.put('/api/orgs/mine', { ...bodyB });
    expect([409, 422]).toContain(put.statusCode);
    const renamed = await adminA.put(
      '/api/orgs/mine',
      orgBody({ name: '甲单位改名', uscc: a.org.uscc, cityCode: '370100' }),
    );
    expect(renamed.statusCode).toBe(200);
    expect(renamed.data.id).toBe(a.org.id);
    expect(await snapshot()).toEqual(before);

    // B submits; the review of B is for Qingdao only
    expect((await legalB.post('/api/orgs/mine/submit')).statusCode).toBe(200);
    const review = await t.database.db
      .selectFrom('reviews')
      .select('id')
      .where('subjectId', '=', idB)
      .executeTakeFirstOrThrow();
    const jinan = await as(t, await deptUser(t, '370100'));
    const qingdao = await as(t, await deptUser(t, '370200'));
    const denied = await jinan.get(`/api/reviews/${review.id}`);
    expect(denied.statusCode).toBe(403);
    expect(denied.data.error.code).toBe('FORBIDDEN');
    expect((await jinan.post(`/api/reviews/${review.id}/decision`, { action: 'approve' })).statusCode).toBe(403);
    expect(
      (await jinan.get('/api/reviews?scope=all')).data.items.map((i: { subjectId: string }) => i.subjectId),
    ).not.toContain(idB);
    const ok = await qingdao.get(`/api/reviews/${review.id}`);
    expect(ok.statusCode).toBe(200);
    expect(ok.data.subject.id).toBe(idB);
    // A's admin is not a reviewer at all
    expect((await adminA.get(`/api/reviews/${review.id}`)).statusCode).toBe(403);
    expect((await snapshot()).state).toBe('pending');
  });
});

// ------------------------------------------------------------------ walk 2

const COUNTED = [
  'users',
  'organizations',
  'memberships',
  'bindingRequests',
  'reviews',
  'reviewEvents',
  'auditLog',
  'sessions',
  'loginAttempts',
  'passwordResets',
  'mailOutbox',
] as const satisfies readonly (keyof DB)[];
async function count(table: keyof DB) {
  const r = await t.database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
const counts = async () => Object.fromEntries(await Promise.all(COUNTED.map(async (k) => [k, await count(k)])));

/** The JSON types a schema accepts. */
function typesOf(s: JsonSchema): Set<string> {
  const out = new Set<string>();
  const visit = (x: JsonSchema) => {
    if (Array.isArray(x.type)) x.type.forEach((y) => out.add(y));
    else if (x.type) out.add(x.type);
    if (x.type === 'integer') out.add('number');
    if (x.type === 'number') out.add('integer');
    for (const v of [...(x.enum ?? []), ...('const' in x ? [x.const] : [])]) out.add(v === null ? 'null' : typeof v);
    [...(x.anyOf ?? []), ...(x.oneOf ?? [])].forEach(visit);
  };
  visit(s);
  return out;
}

/** A value whose JSON type the property does not accept. */
function wrongValue(s: JsonSchema): unknown {
  const ok = typesOf(s);
  const candidates: [unknown, string][] = [
    [12345, 'number'],
    ['不是正确的类型', 'string'],
    [true, 'boolean'],
    [[1, 2], 'array'],
    [{ nested: 1 }, 'object'],
  ];
  const pick = candidates.find(([, type]) => !ok.has(type));
  if (!pick) throw new Error(`no wrong type for ${JSON.stringify(s)}`);
  return pick[0];
}

const OVERSIZED = JSON.stringify({ filler: 'x'.repeat(1_048_576 + 1024) });

describe('walk 2: every write route × bad input', () => {
  it('answers malformed, mistyped, incomplete, unknown, oversized and mis-typed content with a 4xx naming the problem, writing nothing', async () => {
    const writes = ops.filter((o) => WRITES.has(o.method));
    expect(writes.length).toBeGreaterThan(15);
    const withBody = writes.filter((o) => o.body);
    expect(withBody.length).toBeGreaterThan(10);

    // a route that takes a body must describe it as a closed object
    for (const op of withBody) {
      expect(op.body!.type, op.key).toBe('object');
      expect(op.body!.additionalProperties, `${op.key} accepts unknown fields`).toBe(false);
    }

    const before = await counts();
    const problems: string[] = [];
    let calls = 0;
    const check = (op: Op, role: Role, label: string, res: Res, statuses: number[], fields?: string[]) => {
      calls++;
      const code = res.data?.error?.code;
      if (
        !statuses.includes(res.statusCode) ||
        typeof code !== 'string' ||
        typeof res.data?.error?.message !== 'string'
      ) {
        problems.push(`${label}: ${where(op, role, res)}`);
        return;
      }
      for (const f of fields ?? []) {
        if (typeof res.data.error.fields?.[f] !== 'string')
          problems.push(`${label}: field ${f} not named: ${where(op, role, res)}`);
      }
    };

    for (const op of writes) {
      // call as a role the rule allows, so that the body itself is what is refused
      const role = WHO[ROUTES[op.key] ?? 'public'].find((r) => r !== 'visitor' || ROUTES[op.key] === 'public')!;
      const c = clients[role];
      const json = { 'content-type': 'application/json' };

      check(op, role, 'malformed JSON', await send(c, op, '{"name": "未闭合', json), [400], ['body']);
      check(op, role, 'oversized body', await send(c, op, OVERSIZED, json), [413], ['body']);
      check(
        op,
        role,
        'wrong content type',
        await send(c, op, '<xml>1</xml>', { 'content-type': 'application/xml' }),
        [415],
        ['body'],
      );
      check(
        op,
        role,
        'form content type',
        await send(c, op, 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }),
        [415],
        ['body'],
      );
      if (!op.body) continue;
      check(
        op,
        role,
        'text content type',
        await send(c, op, 'hello', { 'content-type': 'text/plain' }),
        [400, 415],
        ['body'],
      );

      const props = op.body.properties ?? {};
      const wrong = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, wrongValue(s)]));
      check(op, role, 'wrong types', await send(c, op, wrong), [400], Object.keys(props));
      check(op, role, 'not an object', await send(c, op, [wrong]), [400]);
      if (op.body.required?.length)
        check(op, role, 'missing required fields', await send(c, op, {}), [400], op.body.required);
      check(op, role, 'unknown field', await send(c, op, { unexpectedField: 1 }), [400], ['unexpectedField']);
    }
    expect(problems).toEqual([]);
    expect(calls).toBeGreaterThan(writes.length * 5);
    expect(await counts()).toEqual(before);
  });
});

// ------------------------------------------------------------------ walk 3

/** Text no column may hold: PostgreSQL refuses U+0000; a lone surrogate is no Unicode (JSON.stringify writes it as `\ud800`). */
const HOSTILE = { nul: 'a\u0000b', high: 'a\ud800b', low: 'b\udc00a' };
const INVALID_TEXT = '不能包含空字符或无效字符';

describe('walk 3: hostile text (U+0000, lone surrogates) is refused before it reaches SQL', () => {
  it('in every body field, query value and path id of every route: 400 naming the field, never a 500, nothing written', async () => {
    const before = await counts();
    const problems: string[] = [];
    let calls = 0;
    const expectNamed = (op: Op, role: Role, label: string, res: Res, field: string) => {
      calls++;
      if (
        res.statusCode !== 400 ||
        res.data?.error?.code !== 'VALIDATION_FAILED' ||
        res.data.error.fields?.[field] !== INVALID_TEXT
      )
        problems.push(`${label} → ${field} not named: ${where(op, role, res)}`);
    };
    for (const op of ops) {
      const role = WHO[ROUTES[op.key] ?? 'public'][0];
      const c = clients[role];
      for (const [kind, text] of Object.entries(HOSTILE)) {
        const props = Object.keys(op.body?.properties ?? {});
        if (props.length) {
          const res = await send(c, op, Object.fromEntries(props.map((k) => [k, text])));
          for (const k of props) expectNamed(op, role, `body ${kind}`, res, k);
        }
      }
      for (const q of op.query) {
        expectNamed(op, role, 'query %00', await send(c, op, undefined, undefined, undefined, `?${q}=a%00b`), q);
        // invalid UTF-8 in a query value stays literal text: any answer but a 500
        const res = await send(c, op, undefined, undefined, undefined, `?${q}=%ED%A0%80`);
        calls++;
        if (res.statusCode >= 500) problems.push(`query %ED%A0%80: ${where(op, role, res)}`);
      }
      for (const p of op.params) {
        expectNamed(op, role, 'path %00', await send(c, op, undefined, undefined, { [p]: '%00' }), p);
        // %ED%A0%80 would decode to a lone surrogate: the router refuses a path that is not UTF-8
        expectNamed(op, role, 'path %ED%A0%80', await send(c, op, undefined, undefined, { [p]: '%ED%A0%80' }), 'path');
      }
    }
    expect(problems).toEqual([]);
    expect(calls).toBeGreaterThan(300);
    expect(await counts()).toEqual(before);
  });

  it('the requests of the issue, sent by a visitor, are refused the same way on both databases', async () => {
    const before = await counts();
    const v = new Client(t.app);
    const cases: [Res, string][] = [
      [await v.post('/api/auth/login', { identifier: HOSTILE.nul, password: 'x', mode: 'person' }), 'identifier'],
      [await v.post('/api/auth/login', { identifier: 'sysadmin', password: HOSTILE.high, mode: 'person' }), 'password'],
      [await v.post('/api/auth/password-reset', { identifier: HOSTILE.nul }), 'identifier'],
      [await v.get('/api/orgs/search?q=%00'), 'q'],
      [await v.get('/api/instruments/%00'), 'id'],
      [await v.get('/api/catalogue/instruments?q=%E9%95%9C%00'), 'q'],
    ];
    for (const [res, field] of cases) {
      expect(res.statusCode, res.body).toBe(400);
      expect(res.data.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { [field]: INVALID_TEXT } });
    }
    expect(await counts()).toEqual(before);
  });

  it('looks inside arrays, nested objects and keys, and lets well-formed text through', async () => {
    const admin = clients.orgAdmin;
    const inArray = await admin.post('/api/posts', {
      kind: 'demand',
      title: '需求',
      content: '内容',
      categories: ['ok', `x${HOSTILE.low}`],
      fields: [],
    });
    expect(inArray.statusCode).toBe(400);
    expect(inArray.data.error.fields).toEqual({ 'categories.1': INVALID_TEXT });
    const inKey = await admin.post('/api/posts', { 'ti\u0000tle': '需求', nested: { deep: [{ x: HOSTILE.nul }] } });
    expect(inKey.data.error.fields).toEqual({ 'ti\\u0000tle': INVALID_TEXT, 'nested.deep.0.x': INVALID_TEXT });
    // a deeply nested body is walked without recursion: a 4xx, not a stack overflow
    const deep = await admin.request('POST', '/api/posts', `{"title":${'['.repeat(200_000)}${']'.repeat(200_000)}}`, {
      'content-type': 'application/json',
    });
    expect(deep.statusCode).toBeGreaterThanOrEqual(400);
    expect(deep.statusCode).toBeLessThan(500);
    // a surrogate pair (an emoji) and other control characters are not hostile: the search answers
    const fine = await clients.visitor.get(`/api/orgs/search?q=${encodeURIComponent('😀\t单位')}`);
    expect(fine.statusCode).toBe(200);
  });
});
