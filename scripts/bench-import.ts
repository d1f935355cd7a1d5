/**
 * The benchmark's import (issue 3): a 10,000-row Excel workbook in the template's layout, imported through
 * POST /api/instruments/import by an organisation's admin and timed until its job is done (scripts/bench.ts).
 */
import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import type { Db } from '../src/server/db/connect';
import { newId } from '../src/server/db/ids';
import { hashPassword } from '../src/server/platform/passwords';
import { COLUMNS, headerText } from '../src/server/modules/imports/columns';
import { CATEGORY_KINDS } from '../src/domain/categories';
import { SHANDONG_CITIES } from '../src/domain/reference';
import { generateInstrument, reseed } from './generate';

type Log = (...a: unknown[]) => void;
const PASSWORD = 'Bench@2026x';

async function importWorkbook(rows: number, tag: string): Promise<Buffer> {
  reseed(424_242);
  const cityName = new Map(SHANDONG_CITIES.map(([c, n]) => [c, n]));
  const kindName = new Map(CATEGORY_KINDS.map(([c, n]) => [c, n]));
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('仪器信息');
  ws.addRow(COLUMNS.map(headerText));
  for (let k = 0; k < rows; k++) {
    const g = generateInstrument();
    const v: Record<string, ExcelJS.CellValue> = {
      internalNo: `IMP${tag}-${String(k + 1).padStart(6, '0')}`,
      name: g.name,
      nameEn: g.nameEn,
      categoryCode: kindName.has(g.categoryCode) ? `${g.categoryCode} ${kindName.get(g.categoryCode)}` : g.categoryCode,
      model: g.model,
      manufacturer: g.manufacturer,
      valueFen: g.valueFen == null ? null : g.valueFen / 1_000_000,
      purchaseDate: g.purchaseDate,
      source: '购置',
      specs: g.specs,
      functions: g.functions,
      sharingMode: g.sharingMode === 'external' ? '外部共享' : '内部共享',
      runStatus: g.runStatus,
      cityCode: g.cityCode ? (cityName.get(g.cityCode) ?? null) : null,
      contactName: '王老师',
      contactPhone: '0531-88888888',
    };
    ws.addRow(COLUMNS.map((c) => v[c.key] ?? null));
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A cookie jar over fetch, with the CSRF header on writes, like the browser. */
class Session {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}
  async request(method: string, url: string, body?: string | FormData, headers: Record<string, string> = {}) {
    const h: Record<string, string> = { ...headers, cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (method !== 'GET' && this.cookies.has('csrf')) h['x-csrf-token'] = this.cookies.get('csrf')!;
    const res = await fetch(this.base + url, { method, body, headers: h });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const eq = kv.indexOf('=');
      this.cookies.set(kv.slice(0, eq).trim(), kv.slice(eq + 1).trim());
    }
    const text = await res.text();
    let data: any;
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
    if (res.status >= 400) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
    return data;
  }
}

/** An admin of `orgId` for the import (written while the benchmark still holds the database); returns the username. */
export async function createImportAdmin(db: Db, orgId: string): Promise<string> {
  const now = new Date().toISOString();
  const user = {
    id: newId(),
    username: `bench_admin_${crypto.randomBytes(3).toString('hex')}`,
    mobile: null,
    email: null,
    realName: '基准测试管理员',
    passwordHash: await hashPassword(PASSWORD),
    kind: 'person' as const,
    departmentId: null,
    isDisabled: false,
    mustChangePassword: false,
    lockedUntil: null,
    createdAt: now,
    updatedAt: now,
  };
  await db.insertInto('users').values(user).execute();
  await db
    .insertInto('memberships')
    .values({ id: newId(), userId: user.id, orgId, role: 'admin', createdAt: now })
    .execute();
  return user.username;
}

export async function timeImport(
  base: string,
  username: string,
  rows: number,
  log: Log,
): Promise<{ seconds: number; created: number; errors: number }> {
  const file = await importWorkbook(rows, crypto.randomBytes(3).toString('hex'));
  log(`import: ${rows.toLocaleString('en')}-row workbook generated (${(file.length / 1024).toFixed(0)} KB)`);
  const s = new Session(base);
  await s.request('GET', '/api/auth/me');
  await s.request(
    'POST',
    '/api/auth/login',
    JSON.stringify({ identifier: username, password: PASSWORD, mode: 'person' }),
    { 'content-type': 'application/json' },
  );
  const form = new FormData();
  form.append(
    'file',
    new Blob([new Uint8Array(file)], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }),
    '仪器清单.xlsx',
  );
  const t0 = process.hrtime.bigint();
  const start = await s.request('POST', '/api/instruments/import?mode=all', form);
  for (;;) {
    const job = await s.request('GET', `/api/instruments/import/jobs/${start.jobId}`);
    if (job.state !== 'running') {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (job.state !== 'done' || job.errorCount)
        throw new Error(`import ended ${job.state}: ${JSON.stringify(job).slice(0, 600)}`);
      return { seconds, created: job.createdCount, errors: job.errorCount };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
