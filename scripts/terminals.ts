/**
 * Terminal simulator: `npm run terminals -- --count N --rate R`. N simulated terminals publish their readings to
 * the broker (MQTT_URL, default mqtt://127.0.0.1:1883), each R readings per second (default 0.1: one every 10 s),
 * QoS 1, following realistic working days (src/server/modules/terminals/simulation.ts): power on in the morning,
 * sessions of use and idle periods, power off in the evening, some terminals dropping out for a while.
 *
 * The terminals are those of the database the platform uses (DATABASE_URL or DATA_DIR, with the same
 * TERMINAL_KEY_SECRET / SESSION_SECRET, so their keys can be read): the first N enabled ones; when there are fewer,
 * terminals are registered for listed instruments that have none (the most valuable first) and their keys printed.
 * Each terminal connects with its own credentials (user name = terminal id, password = key) unless
 * `--gateway user:password` names one broker account that publishes for all (an ACL that allows it, as the bench's).
 * `--terminal ID --key KEY` runs that one terminal only (no database needed). `--speed S` runs the working day S
 * times faster (the simulated clock starts now). `--seconds T` stops after T seconds. `--http <base URL>` sends
 * through the HTTP ingest (POST <base>/ingest/readings) instead of MQTT. `--pattern use:5,idle:600` replaces the
 * working day with a fixed cycle (powered throughout; states with their seconds), for demonstrations and tests.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { loadConfig } from '../src/server/config';
import { connect } from '../src/server/db/connect';
import { newId } from '../src/server/db/ids';
import { newTerminalId, newTerminalKey, openKey, sealKey, signReading } from '../src/server/modules/terminals/keys';
import { topicOf } from '../src/server/modules/terminals/mqtt';
import { stateAt } from '../src/server/modules/terminals/simulation';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const count = Number(opt('count') ?? 10);
const rate = Number(opt('rate') ?? 0.1);
const speed = Number(opt('speed') ?? 1);
const seconds = opt('seconds') ? Number(opt('seconds')) : Infinity;
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
const httpBase = opt('http');
const pattern = opt('pattern')
  ?.split(',')
  .map((p) => ({ inUse: p.split(':')[0] === 'use', ms: Number(p.split(':')[1]) * 1000 }));
const started = Date.now();
/** The state at `t`: the fixed pattern's, or the simulated working day's. */
function stateOf(id: string, t: number) {
  if (!pattern) return stateAt(id, t);
  const cycle = pattern.reduce((n, p) => n + p.ms, 0);
  let into = (t - started) % cycle;
  for (const p of pattern) {
    if (into < p.ms) return { power: true, inUse: p.inUse };
    into -= p.ms;
  }
  return { power: true, inUse: false };
}
const url = opt('url') ?? config.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const prefix = config.MQTT_TOPIC_PREFIX;

interface Sim {
  id: string;
  key: string;
}

async function terminalsFromDatabase(n: number): Promise<Sim[]> {
  const database = connect({ databaseUrl: config.DATABASE_URL, sqliteFile: config.sqliteFile });
  const db = database.db;
  try {
    const rows = await db
      .selectFrom('terminals')
      .select(['id', 'keySealed'])
      .where('isDisabled', '=', false)
      .orderBy('createdAt')
      .limit(n)
      .execute();
    const out = rows.map((r) => ({ id: r.id, key: openKey(config, r.keySealed) }));
    if (out.length < n) {
      const free = await db
        .selectFrom('instruments')
        .leftJoin('terminals', 'terminals.instrumentId', 'instruments.id')
        .select(['instruments.id', 'instruments.orgId'])
        .where('instruments.state', '=', 'listed')
        .where('terminals.id', 'is', null)
        .orderBy('instruments.valueFen', 'desc')
        .limit(n - out.length)
        .execute();
      const now = new Date().toISOString();
      const made = free.map((i) => ({ i, id: newTerminalId(), key: newTerminalKey() }));
      for (let k = 0; k < made.length; k += 500)
        await db
          .insertInto('terminals')
          .values(
            made.slice(k, k + 500).map(({ i, id, key }) => ({
              id,
              instrumentId: i.id,
              orgId: i.orgId,
              label: `simulated ${newId().slice(-6)}`,
              keySealed: sealKey(config, key),
              keyVersion: 1,
              isDisabled: false,
              createdBy: null,
              createdAt: now,
              keyRotatedAt: null,
              disabledAt: null,
            })),
          )
          .execute();
      for (const m of made) {
        console.log(`registered ${m.id} key ${m.key}`);
        out.push({ id: m.id, key: m.key });
      }
    }
    return out;
  } finally {
    await database.close();
  }
}

async function main() {
  const one = opt('terminal');
  const sims: Sim[] = one ? [{ id: one, key: opt('key') ?? '' }] : await terminalsFromDatabase(count);
  const gateway = opt('gateway');
  const connectAs = (username: string, password: string) =>
    mqtt.connectAsync(url, { username, password, clientId: `sim-${username}-${newId().slice(-6)}` });
  const shared: MqttClient | null = httpBase
    ? null
    : gateway
      ? await connectAs(gateway.split(':')[0], gateway.split(':').slice(1).join(':'))
      : null;
  const clients = new Map<string, MqttClient>();
  if (!httpBase) for (const s of sims) clients.set(s.id, shared ?? (await connectAs(s.id, s.key)));
  const send = async (id: string, reading: object) => {
    if (!httpBase)
      return void (await clients.get(id)!.publishAsync(topicOf(prefix, id), JSON.stringify(reading), { qos: 1 }));
    const r = await fetch(`${httpBase.replace(/\/+$/, '')}/ingest/readings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ readings: [reading] }),
    });
    if (!r.ok) throw new Error(`HTTP ${r.status} ${await r.text()}`);
  };
  const simNow = () => started + (Date.now() - started) * speed;
  let sent = 0;
  const periodMs = 1000 / rate;
  const timers = sims.map((s, k) =>
    setTimeout(
      () => {
        const tick = () => {
          const at = simNow();
          const state = stateOf(s.id, at);
          if (!state) return; // dropped out
          const reading = signReading(s.key, { terminal: s.id, seq: Math.floor(at), at: Math.floor(at), ...state });
          void send(s.id, reading)
            .then(() => sent++)
            .catch((e: unknown) => console.error(`${s.id}: ${String(e)}`));
        };
        tick();
        timers[k] = setInterval(tick, periodMs);
      },
      (periodMs * k) / sims.length,
    ),
  );
  const report = setInterval(() => console.log(`${sims.length} terminals, ${sent} readings acknowledged`), 10_000);
  const stop = async () => {
    for (const t of timers) clearInterval(t);
    clearInterval(report);
    await Promise.all([...new Set(clients.values())].map((c) => c.endAsync()));
    console.log(`stopped: ${sent} readings acknowledged by the broker`);
    process.exit(0);
  };
  if (Number.isFinite(seconds)) setTimeout(() => void stop(), seconds * 1000);
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  console.log(
    `${sims.length} terminals sending to ${httpBase ? `${httpBase}/ingest/readings` : `${url} (${prefix}/<id>/status)`}, ${rate} readings/s each`,
  );
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
