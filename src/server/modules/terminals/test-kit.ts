/** The shared fixture of the terminal integration tests: a real Mosquitto, an app, its MQTT ingest, helpers. */
import mqtt, { type MqttClient } from 'mqtt';
import { expect } from 'vitest';
import { newId } from '../../db/ids';
import { createTestApp, type TestApp } from '../../test/harness';
import { as, makeInstrument, makeOrg } from '../../test/factories';
import { MqttIngest } from './mqtt';
import { startBroker, type TestBroker } from './test-broker';

export const MIN = 60_000;

export interface Kit {
  broker: TestBroker;
  t: TestApp;
  ingest: MqttIngest | null;
  clients: MqttClient[];
}

/** `inProcessIngest: false`: the app's MQTT settings without its ingest (the background process's test runs one). */
export async function startKit(o: { inProcessIngest?: boolean; env?: Record<string, string> } = {}): Promise<Kit> {
  const broker = await startBroker();
  const t = await createTestApp({
    MQTT_URL: broker.url,
    MQTT_USERNAME: broker.platform.username,
    MQTT_PASSWORD: broker.platform.password,
    MQTT_CLIENT_ID: `it-${newId().slice(-12)}`,
    MQTT_INGEST_CONNECTIONS: '3',
    TERMINAL_HEARTBEAT_SECONDS: '600',
    ...o.env,
  });
  const ingest = o.inProcessIngest === false ? null : new MqttIngest(t.deps);
  await ingest?.start();
  return { broker, t, ingest, clients: [] };
}

export async function stopKit(k: Kit | undefined) {
  if (!k) return;
  for (const c of k.clients) await c.endAsync(true);
  await k.ingest?.stop();
  await k.t.close();
  await k.broker.stop();
}

/** An organisation with an instrument and a terminal registered through the API (and known to the broker). */
export async function setup(k: Kit, valueFen = 50_000_000) {
  const { org, legal } = await makeOrg(k.t);
  const admin = await as(k.t, legal);
  const instrument = await makeInstrument(k.t, org.id, { valueFen });
  const res = await admin.post('/api/terminals', { instrumentId: instrument.id, label: '一号终端' });
  expect(res.statusCode).toBe(201);
  const { terminal, key, topic } = res.data as { terminal: { id: string }; key: string; topic: string };
  await k.broker.addUsers([{ username: terminal.id, password: key }]);
  return { org, legal, admin, instrument, id: terminal.id, key, topic };
}

export async function connect(k: Kit, username: string, password: string) {
  const c = await mqtt.connectAsync(k.broker.url, {
    username,
    password,
    reconnectPeriod: 0,
    clientId: `term-${newId()}`,
  });
  k.clients.push(c);
  return c;
}

export const waitFor = async (what: () => Promise<boolean>, ms = 10_000) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await what()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
};

export const stored = async (t: TestApp, terminalId: string) =>
  Number(
    (
      await t.database.db
        .selectFrom('terminalMessages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('terminalId', '=', terminalId)
        .executeTakeFirstOrThrow()
    ).n,
  );

/** The instrument's intervals as [kind, start, end (minutes from base), open | cut | closed]. */
export const intervals = async (t: TestApp, instrumentId: string, base: number) =>
  (
    await t.database.db
      .selectFrom('usageIntervals')
      .selectAll()
      .where('instrumentId', '=', instrumentId)
      .orderBy('kind')
      .orderBy('startedAt')
      .execute()
  ).map((i) => [
    i.kind,
    (Date.parse(i.startedAt) - base) / MIN,
    (Date.parse(i.endedAt) - base) / MIN,
    i.isOpen ? 'open' : i.isCut ? 'cut' : 'closed',
  ]);
