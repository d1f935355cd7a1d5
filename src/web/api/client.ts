import { currentLang, i18n } from '@/i18n';

/**
 * The one fetch wrapper: JSON in and out, CSRF header on writes, the UI language as Accept-Language (the server's
 * messages follow it), errors as ApiError with field messages, and a 401 handed to the handler set by main.ts (the
 * session is over: it goes to the login page and back).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function csrf(): string {
  const m = document.cookie.match(/(?:^|;\s*)csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : '';
}

const t = (key: string, values?: Record<string, unknown>) =>
  (i18n.global as unknown as { t: (k: string, v?: Record<string, unknown>) => string }).t(key, values ?? {});

/** Calls whose 401 is an answer, not an expired session: the login itself and the first look at the session. */
const OWN_401 = /^\/auth\/(login|me)(\?|$)/;
let unauthorized: ((url: string) => boolean) | null = null;
/**
 * Set once by main.ts: what a 401 means (reset the session, go to /login?expired=1&redirect=…). It returns true
 * when it has taken the user away; the call then never settles, so that the page does not flash an error or a toast
 * on its way out.
 */
export function onUnauthorized(handler: (url: string) => boolean) {
  unauthorized = handler;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function qs(q?: Query): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export async function api<T = unknown>(method: string, url: string, body?: unknown, query?: Query): Promise<T> {
  const headers: Record<string, string> = { 'accept-language': currentLang() === 'en' ? 'en' : 'zh-CN' };
  if (method !== 'GET') headers['x-csrf-token'] = csrf();
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  } else if (method !== 'GET') {
    headers['content-type'] = 'application/json';
    payload = '{}';
  }
  let res: Response;
  try {
    res = await fetch(`/api${url}${qs(query)}`, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'NETWORK', t('common.errors.network'));
  }
  const text = await res.text();
  let data: any;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    if (res.status === 401 && !OWN_401.test(url) && unauthorized?.(url)) return new Promise<T>(() => undefined);
    const e = data?.error ?? {};
    throw new ApiError(
      res.status,
      e.code ?? 'ERROR',
      e.message ?? t('common.errors.request', { status: res.status }),
      e.fields ?? {},
      e,
    );
  }
  return data as unknown as T;
}

export const get = <T = unknown>(url: string, query?: Query) => api<T>('GET', url, undefined, query);
export const post = <T = unknown>(url: string, body?: unknown) => api<T>('POST', url, body);
export const put = <T = unknown>(url: string, body?: unknown) => api<T>('PUT', url, body);
export const del = <T = unknown>(url: string) => api<T>('DELETE', url);

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}
