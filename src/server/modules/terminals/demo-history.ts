/**
 * The demo seed's terminals: the most valuable listed instruments (from the needs-terminal threshold) get a terminal
 * each, with a week of history generated from the simulator's working days (simulation.ts), deterministically (the
 * terminal id comes from the instrument id) and without a broker: the readings go through the one ingest path.
 */
import crypto from 'node:crypto';
import { dayStart, shanghaiDay } from '../../../domain/terminal-usage';
import type { Deps } from '../../deps';
import { ingestBatch, type Incoming } from './ingest';
import { newTerminalKey, sealKey, signReading } from './keys';
import { dayPlan, stateAt } from './simulation';
import { terminalSettings } from './settings';

const STEP_MS = 4 * 60_000;
const DAYS = 7;

export async function seedDemoTerminals(deps: Deps, count = 8) {
  const db = deps.database.db;
  const { thresholdFen } = await terminalSettings(db);
  const instruments = await db
    .selectFrom('instruments')
    .select(['id', 'orgId'])
    .where('state', '=', 'listed')
    .where('valueFen', '>=', thresholdFen)
    .orderBy('valueFen', 'desc')
    .orderBy('id')
    .limit(count)
    .execute();
  const now = deps.clock.now().getTime();
  const from = dayStart(shanghaiDay(now - DAYS * 86_400_000));
  for (const i of instruments) {
    const id = `T${crypto.createHash('sha256').update(i.id).digest('hex').slice(0, 12).toUpperCase()}`;
    const key = newTerminalKey();
    await db
      .insertInto('terminals')
      .values({
        id,
        instrumentId: i.id,
        orgId: i.orgId,
        label: '演示终端',
        keySealed: sealKey(deps.config, key),
        keyVersion: 1,
        isDisabled: false,
        createdBy: null,
        createdAt: new Date(from).toISOString(),
        keyRotatedAt: null,
        disabledAt: null,
      })
      .onConflict((oc) => oc.column('instrumentId').doNothing())
      .execute();
    // a reading every few minutes, and one at each change of the plan, so the intervals start and end on time
    const times = new Set<number>();
    for (let t = from; t <= now; t += STEP_MS) times.add(t);
    for (let d = from; d <= now; d += 86_400_000) {
      const p = dayPlan(id, shanghaiDay(d));
      for (const t of [p.on, p.off, ...p.sessions.flat(), ...(p.silent ?? [])])
        if (t !== null && t <= now) times.add(t);
    }
    const batch: Incoming[] = [];
    for (const at of [...times].sort((a, b) => a - b)) {
      const s = stateAt(id, at);
      if (s) batch.push({ body: signReading(key, { terminal: id, seq: at, at, ...s }), via: 'demo', receivedAt: at });
    }
    for (let k = 0; k < batch.length; k += 500) await ingestBatch(deps, batch.slice(k, k + 500));
  }
  return instruments.length;
}
