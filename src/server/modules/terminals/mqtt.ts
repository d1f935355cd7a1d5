/**
 * The MQTT subscriber: MQTT_INGEST_CONNECTIONS connections per instance, each with a stable client id
 * (<MQTT_CLIENT_ID>-<n>) and a persistent session (clean start off, a week's session expiry), subscribed with QoS 1
 * to the shared subscription $share/<MQTT_SHARE_GROUP>/<MQTT_TOPIC_PREFIX>/+/status, so the broker splits the
 * readings among the connections of every instance and keeps them for a connection that is away.
 *
 * A reading is acknowledged (PUBACK) only after the transaction that stores it has committed: mqtt.js sends the
 * PUBACK when `handleMessage` calls back. A connection hands over one message at a time, so the messages of all
 * connections are gathered and written together, one transaction per batch (on PostgreSQL in four lanes at once, each
 * terminal always in the same lane; a row lock on the terminal orders writers across instances). A failed batch is retried, not
 * acknowledged; a process that dies before the commit leaves the readings with the broker, which delivers them again.
 */
import os from 'node:os';
import type { MqttClient } from 'mqtt';
import type { JobDeps } from '../../deps';
import { ingestBatch, type Incoming } from './ingest';

interface Pending {
  incoming: Incoming;
  done: (err?: Error) => void;
}

const BATCH_WAIT_MS = 10;
const RETRY_MS = 500;

export const topicFilter = (prefix: string) => `${prefix}/+/status`;
export const topicOf = (prefix: string, terminalId: string) => `${prefix}/${terminalId}/status`;

/** Lanes of batches written at the same time; a terminal always goes to the same lane (PostgreSQL: 4, SQLite: 1). */
const laneOf = (terminal: string, lanes: number) => {
  let h = 0;
  for (let i = 0; i < terminal.length; i++) h = (h * 31 + terminal.charCodeAt(i)) >>> 0;
  return h % lanes;
};

export class MqttIngest {
  private clients: MqttClient[] = [];
  private readonly lanes: number;
  private queues: Pending[][];
  private timers: (NodeJS.Timeout | null)[];
  private writing: (Promise<void> | null)[];
  private stopped = false;
  /** readings stored since start (the bench and the tests read it) */
  stored = 0;

  constructor(private readonly deps: JobDeps) {
    this.lanes = deps.database.dialect === 'postgres' ? 4 : 1;
    this.queues = Array.from({ length: this.lanes }, () => []);
    this.timers = new Array<NodeJS.Timeout | null>(this.lanes).fill(null);
    this.writing = new Array<Promise<void> | null>(this.lanes).fill(null);
  }

  get connected() {
    return this.clients.filter((c) => c.connected).length;
  }

  async start() {
    const c = this.deps.config;
    if (!c.MQTT_URL) return;
    // mqtt.js is loaded only where MQTT_URL is set (memory)
    const { default: mqtt } = await import('mqtt');
    const base = c.MQTT_CLIENT_ID ?? `isp-${os.hostname().replace(/[^A-Za-z0-9_-]/g, '')}-${c.PORT}`.slice(0, 40);
    const filter = `$share/${c.MQTT_SHARE_GROUP}/${topicFilter(c.MQTT_TOPIC_PREFIX)}`;
    const prefix = `${c.MQTT_TOPIC_PREFIX}/`;
    const connects = [];
    for (let n = 0; n < c.MQTT_INGEST_CONNECTIONS; n++) {
      const client = mqtt.connect(c.MQTT_URL, {
        clientId: `${base}-${n}`,
        clean: false,
        protocolVersion: 5,
        properties: { sessionExpiryInterval: 7 * 86_400 },
        username: c.MQTT_USERNAME,
        password: c.MQTT_PASSWORD,
        reconnectPeriod: 1000,
        connectTimeout: 10_000,
      });
      client.handleMessage = (packet, done) => {
        const topic = String(packet.topic);
        const rest = topic.startsWith(prefix) ? topic.slice(prefix.length) : '';
        const terminal = rest.endsWith('/status') ? rest.slice(0, -'/status'.length) : '';
        const lane = laneOf(terminal, this.lanes);
        this.queues[lane].push({
          incoming: { body: packet.payload, topicTerminal: terminal, via: 'mqtt' },
          done: done as (err?: Error) => void,
        });
        this.schedule(lane);
      };
      client.on('connect', () => {
        void client.subscribeAsync(filter, { qos: 1 }).catch((e: unknown) => {
          this.deps.log.warn({ err: String(e) }, 'terminals: MQTT subscribe failed');
        });
      });
      client.on('error', (e) => this.deps.log.warn({ err: String(e) }, 'terminals: MQTT error'));
      this.clients.push(client);
      connects.push(
        new Promise<void>((resolve) => {
          client.once('connect', () => resolve());
          setTimeout(resolve, 10_000).unref();
        }),
      );
    }
    await Promise.all(connects);
  }

  private schedule(lane: number) {
    if (this.writing[lane]) return;
    if (this.queues[lane].length >= this.clients.length / this.lanes) return void this.flush(lane);
    this.timers[lane] ??= setTimeout(() => void this.flush(lane), BATCH_WAIT_MS);
  }

  private flush(lane: number) {
    const timer = this.timers[lane];
    if (timer) clearTimeout(timer);
    this.timers[lane] = null;
    const queue = this.queues[lane];
    if (this.writing[lane] || !queue.length) return;
    const batch = queue.splice(0, queue.length);
    this.writing[lane] = (async () => {
      try {
        await ingestBatch(
          this.deps,
          batch.map((p) => p.incoming),
        );
        this.stored += batch.length;
        for (const p of batch) p.done();
      } catch (e) {
        this.deps.log.warn({ err: String(e) }, 'terminals: batch not stored, retrying');
        queue.unshift(...batch);
        if (!this.stopped) await new Promise((r) => setTimeout(r, RETRY_MS));
      } finally {
        this.writing[lane] = null;
      }
      if (queue.length && !this.stopped) this.schedule(lane);
    })();
  }

  /** Stops taking readings, lets the batch being written commit and be acknowledged, then disconnects. */
  async stop() {
    this.stopped = true;
    for (const t of this.timers) if (t) clearTimeout(t);
    await Promise.all(this.writing);
    // what waits unacknowledged stays with the broker (persistent session) and comes again after the restart
    await Promise.all(this.clients.map((c) => c.endAsync(true)));
    this.clients = [];
  }
}
