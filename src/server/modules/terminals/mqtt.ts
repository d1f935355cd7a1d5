/**
 * The MQTT subscriber: MQTT_INGEST_CONNECTIONS connections per instance, each with a stable client id
 * (<MQTT_CLIENT_ID>-<n>) and a persistent session (clean start off, a week's session expiry), subscribed with QoS 1
 * to the shared subscription $share/<MQTT_SHARE_GROUP>/<MQTT_TOPIC_PREFIX>/+/status, so the broker splits the
 * readings among the connections of every instance and keeps them for a connection that is away.
 *
 * A reading is acknowledged (PUBACK) only after the transaction that stores it has committed: mqtt.js sends the
 * PUBACK when `handleMessage` calls back. A connection hands over one message at a time, so the messages of all
 * connections are gathered (the first waits MQTT_BATCH_WAIT_MS for more) and written together, one transaction per
 * batch and one batch at a time (a row lock on the terminal orders writers across instances). On PostgreSQL four
 * batches at once (each terminal always in the same one) took four backends beside the searches on a two-core
 * machine: with one, the search p99 during 1,000 readings/s rose 49% and 116% in two runs instead of 235%, and the
 * reading-to-visible p99 was 275 and 360 ms instead of 646. A failed batch is retried, not acknowledged; a process
 * that dies before the commit leaves the readings with the broker, which delivers them again.
 */
import os from 'node:os';
import type { MqttClient } from 'mqtt';
import type { JobDeps } from '../../deps';
import { ingestBatch, type Incoming } from './ingest';

interface Pending {
  incoming: Incoming;
  done: (err?: Error) => void;
}

const RETRY_MS = 500;

export const topicFilter = (prefix: string) => `${prefix}/+/status`;
export const topicOf = (prefix: string, terminalId: string) => `${prefix}/${terminalId}/status`;

export class MqttIngest {
  private clients: MqttClient[] = [];
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private stopped = false;
  /** readings stored since start (the bench and the tests read it) */
  stored = 0;

  constructor(private readonly deps: JobDeps) {}

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
        this.queue.push({
          incoming: { body: packet.payload, topicTerminal: terminal, via: 'mqtt' },
          done: done as (err?: Error) => void,
        });
        this.schedule();
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

  private schedule() {
    if (this.writing) return;
    // every connection has handed over its one reading: nothing more comes before the acknowledgements
    if (this.queue.length >= this.clients.length) return void this.flush();
    this.timer ??= setTimeout(() => void this.flush(), this.deps.config.MQTT_BATCH_WAIT_MS);
  }

  private flush() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const queue = this.queue;
    if (this.writing || !queue.length) return;
    const batch = queue.splice(0, queue.length);
    this.writing = (async () => {
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
        this.writing = null;
      }
      if (queue.length && !this.stopped) this.schedule();
    })();
  }

  /** Stops taking readings, lets the batch being written commit and be acknowledged, then disconnects. */
  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.writing;
    // what waits unacknowledged stays with the broker (persistent session) and comes again after the restart
    await Promise.all(this.clients.map((c) => c.endAsync(true)));
    this.clients = [];
  }
}
