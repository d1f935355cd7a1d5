/**
 * The terminals of `npm run bench -- --terminals N` (scripts/bench-terminals.ts), in a process of their own: signing
 * and publishing a thousand readings a second must not delay the search load that the benchmark times, as real
 * terminals are devices of their own. Driven over IPC by the benchmark:
 *   start {url, gateway, prefix, terminals, probes, gateways} → ready; go → the readings flow (each terminal one every
 *   10 s), and each probe terminal's reading is told (probe {instrumentId, at}); stop → done {published, acked, failed}
 *   once every reading published has been acknowledged or refused (at most 120 s).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { signReading } from '../src/server/modules/terminals/keys';
import { topicOf } from '../src/server/modules/terminals/mqtt';

export interface PublisherStart {
  type: 'start';
  url: string;
  gateway: { username: string; password: string };
  prefix: string;
  terminals: { id: string; key: string; instrumentId: string }[];
  probes: number;
  gateways: number;
}
type FromBench = PublisherStart | { type: 'go' } | { type: 'stop' };
export type FromPublisher =
  | { type: 'ready' }
  | { type: 'probe'; instrumentId: string; at: number }
  | { type: 'done'; published: number; acked: number; failed: number };

const send = (m: FromPublisher) => process.send!(m);
let start: PublisherStart;
const gateways: MqttClient[] = [];
let pump: NodeJS.Timeout | null = null;
let published = 0,
  acked = 0,
  failed = 0;

function go() {
  const { terminals, prefix, probes } = start;
  const seq = new Int32Array(terminals.length);
  const perSecond = terminals.length / 10; // each terminal every 10 s
  let cursor = 0;
  const pumpStart = Date.now();
  pump = setInterval(() => {
    // as many as are due by now: a late timer catches up instead of sending less
    const due = Math.floor(((Date.now() - pumpStart) / 1000) * perSecond) - published;
    for (let d = 0; d < due; d++) {
      const k = cursor++ % terminals.length;
      const t = terminals[k];
      const s = ++seq[k];
      const at = Date.now();
      const reading = signReading(t.key, {
        terminal: t.id,
        seq: s,
        at,
        power: s % 200 !== 0,
        inUse: Math.floor(s / 30) % 2 === 0,
      });
      if (k < probes) send({ type: 'probe', instrumentId: t.instrumentId, at });
      published++;
      gateways[k % gateways.length]
        .publishAsync(topicOf(prefix, t.id), JSON.stringify(reading), { qos: 1 })
        .then(() => acked++)
        .catch(() => failed++);
    }
  }, 10);
}

async function stop() {
  if (pump) clearInterval(pump);
  const until = Date.now() + 120_000;
  while (acked + failed < published && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  send({ type: 'done', published, acked, failed });
  for (const g of gateways) await g.endAsync();
  process.disconnect();
}

process.on('message', (m: FromBench) => {
  if (m.type === 'start') {
    start = m;
    void (async () => {
      for (let g = 0; g < m.gateways; g++)
        gateways.push(await mqtt.connectAsync(m.url, { ...m.gateway, clientId: `bench-gw-${g}` }));
      send({ type: 'ready' });
    })();
  } else if (m.type === 'go') go();
  else void stop();
});
