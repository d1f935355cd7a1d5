import type { Page } from '@playwright/test';
import { DEMO_PASSWORD } from './helpers';

/**
 * Every page of the portal, for the checks that visit them all (a11y.spec.ts, english.spec.ts): the public pages as a
 * visitor, the member pages as each demo role (src/server/db/seed-demo.ts DEMO_ACCOUNTS), detail pages with real ids
 * read from the API as that role. A page a role may not open redirects; such a visit is skipped.
 */
export type Role = { key: string; identifier?: string; mode?: 'person' | 'legal'; password?: string };
export const ROLES: Role[] = [
  { key: 'visitor' },
  { key: 'person', identifier: '13800000001' },
  { key: 'member', identifier: '13800000002' },
  { key: 'orgAdmin', identifier: '13800000003' },
  { key: 'legal', identifier: 'sdatc', mode: 'legal' },
  { key: 'enterprise', identifier: 'jnhc', mode: 'legal' },
  { key: 'city', identifier: 'jinan_kjj' },
  { key: 'province', identifier: 'sd_kjt' },
  { key: 'sysadmin', identifier: 'sysadmin', password: process.env.ADMIN_PASSWORD ?? 'Admin@12345' },
];

export const PUBLIC_PATHS = [
  '/',
  '/orgs',
  '/instruments',
  '/notices',
  '/posts',
  '/login',
  '/register',
  '/forgot-password',
  '/reset-password?token=expired-or-unknown-token',
  '/login/unified-error?reason=PROVIDER_DOWN',
  '/verify/0000000000000000demo',
  '/no-such-page',
];

export const MEMBER_PATHS = [
  '/member',
  '/member/org',
  '/member/org/edit',
  '/member/binding',
  '/member/org/requests',
  '/member/org/members',
  '/member/instruments',
  '/member/instruments/new',
  '/member/instruments/import',
  '/member/terminals',
  '/member/terminal-hours',
  '/review/terminal-coverage',
  '/review/terminal-hours',
  '/review/terminal-differences',
  '/member/posts',
  '/member/posts/new',
  '/member/bookings',
  '/member/bookings/new',
  '/member/provided',
  '/member/cart',
  '/member/vouchers',
  '/member/messages',
  '/member/password',
  '/member/identity',
  '/review',
  '/review/vouchers/stats',
  '/review/vouchers/payouts',
  '/review/vouchers/policy',
  '/member/sharing',
  '/member/sharing-reports',
  '/sharing/dashboard',
  '/sharing/rounds',
  '/sharing/settings',
  '/admin/accounts',
  '/admin/users',
  '/admin/reference',
  '/admin/site',
  '/admin/notices',
  '/admin/audit',
];

async function csrf(page: Page): Promise<string> {
  await page.request.get('/api/auth/me');
  const cookies = await page.context().cookies();
  return decodeURIComponent(cookies.find((c) => c.name === 'csrf')?.value ?? '');
}

/** Logs in through the API in the page's context (the browser shares its cookies). */
export async function loginAs(page: Page, role: Role) {
  if (!role.identifier) return;
  const r = await page.request.post('/api/auth/login', {
    headers: { 'x-csrf-token': await csrf(page) },
    data: { mode: role.mode ?? 'person', identifier: role.identifier, password: role.password ?? DEMO_PASSWORD },
  });
  if (!r.ok()) throw new Error(`login as ${role.key}: ${r.status()} ${await r.text()}`);
}

type Item = { id: string; state?: string; actions?: string[] };
async function items(page: Page, url: string): Promise<Item[]> {
  const r = await page.request.get(url);
  if (!r.ok()) return [];
  const body = (await r.json()) as { items?: Item[] };
  return body.items ?? [];
}

/** Public detail pages: an instrument, a notice, a post (read as a visitor). */
export async function publicDetailPaths(page: Page): Promise<string[]> {
  const out: string[] = [];
  const [instrument] = await items(page, '/api/catalogue/instruments?pageSize=1');
  if (instrument) out.push(`/instruments/${instrument.id}`);
  const [notice] = await items(page, '/api/notices');
  if (notice) out.push(`/notices/${notice.id}`);
  const [post] = await items(page, '/api/posts');
  if (post) out.push(`/posts/${post.id}`);
  const orgs = await items(page, '/api/catalogue/orgs?pageSize=1');
  const org = orgs[0] as { orgId?: string } | undefined;
  if (org?.orgId) out.push(`/orgs/${org.orgId}`);
  out.push('/instruments/00000000-0000-7000-8000-000000000000');
  return out;
}

/** The member detail pages the logged-in role can reach, with ids from its own lists. */
export async function memberDetailPaths(page: Page): Promise<string[]> {
  const out: string[] = [];
  const consumer = await items(page, '/api/bookings?side=consumer&pageSize=100');
  const provider = await items(page, '/api/bookings?side=provider&pageSize=100');
  if (consumer[0]) out.push(`/member/bookings/${consumer[0].id}`);
  const draft = consumer.find((b) => b.state === 'draft');
  if (draft) out.push(`/member/bookings/${draft.id}/edit`);
  const toSettle = consumer.find((b) => b.state === 'awaiting_settlement');
  if (toSettle) out.push(`/member/bookings/${toSettle.id}/settle`);
  if (provider[0]) out.push(`/member/provided/${provider[0].id}`);
  const accepted = provider.find((b) => b.actions?.includes('save_results'));
  if (accepted) out.push(`/member/bookings/${accepted.id}/results`);
  const [instrument] = await items(page, '/api/instruments/mine');
  if (instrument) out.push(`/member/instruments/${instrument.id}/edit`);
  const terminals = await items(page, '/api/terminals/mine');
  const withTerminal = (terminals as unknown as { instrumentId: string; terminal: unknown }[]).find((i) => i.terminal);
  if (withTerminal) out.push(`/member/terminals/${withTerminal.instrumentId}/usage`);
  const [post] = await items(page, '/api/posts/mine');
  if (post) out.push(`/member/posts/${post.id}/edit`);
  const [claim] = await items(page, '/api/vouchers/claims');
  if (claim) out.push(`/member/vouchers/${claim.id}`);
  const [review] = await items(page, '/api/reviews?scope=all');
  if (review) out.push(`/review/${review.id}`);
  const [payout] = await items(page, '/api/vouchers/payouts');
  if (payout) out.push(`/review/vouchers/payouts/${payout.id}`);
  return out;
}

/** The paths to visit as a role. */
export async function pathsFor(page: Page, role: Role): Promise<string[]> {
  if (!role.identifier) return [...PUBLIC_PATHS, ...(await publicDetailPaths(page))];
  return [...MEMBER_PATHS, ...(await memberDetailPaths(page))];
}

/** Whether a visit ended on the page asked for (not redirected to the login page or the work bench). */
export function landedOn(page: Page, path: string): boolean {
  return new URL(page.url()).pathname === new URL(path, 'http://x').pathname;
}
