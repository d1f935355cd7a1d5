/** The one fetch wrapper: JSON in and out, CSRF header on writes, errors as ApiError with field messages. */
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

export type Query = Record<string, string | number | boolean | undefined | null>;

export function qs(q?: Query): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export async function api<T = unknown>(method: string, url: string, body?: unknown, query?: Query): Promise<T> {
  const headers: Record<string, string> = {};
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
    throw new ApiError(0, 'NETWORK', '网络连接失败，请检查网络后重试');
  }
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const e = data?.error ?? {};
    throw new ApiError(res.status, e.code ?? 'ERROR', e.message ?? `请求失败（${res.status}）`, e.fields ?? {}, e);
  }
  return data as T;
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
