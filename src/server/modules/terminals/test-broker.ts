/**
 * A real Mosquitto for tests and the bench: its own loopback port, a password file (mosquitto_passwd) and an ACL —
 * the platform reads `<prefix>/#`; each terminal (user name = terminal id) may only publish to its own topic.
 * Users can be added while it runs (the files are rewritten and the broker reloads them on SIGHUP).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const MOSQUITTO = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';
const PASSWD = process.env.MOSQUITTO_PASSWD_BIN ?? '/usr/bin/mosquitto_passwd';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function listening(port: number, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.end();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mosquitto did not listen on ${port}`);
}

export interface TestBroker {
  url: string;
  port: number;
  platform: { username: string; password: string };
  /** an account that may publish for every terminal (the bench's load generator); the readings stay signed */
  gateway: { username: string; password: string };
  addUsers(users: { username: string; password: string }[]): Promise<void>;
  /** stops it (SIGTERM: the persistent sessions are saved) and starts it again on the same port */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBroker(opts: { prefix?: string; dir?: string } = {}): Promise<TestBroker> {
  const prefix = opts.prefix ?? 'isp/terminals';
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'h14-broker-'));
  const port = await freePort();
  const platform = { username: 'platform', password: `pw-${Math.random().toString(36).slice(2)}` };
  const gateway = { username: 'gateway', password: `gw-${Math.random().toString(36).slice(2)}` };
  const users = new Map<string, string>([
    [platform.username, platform.password],
    [gateway.username, gateway.password],
  ]);
  const passwd = path.join(dir, 'passwd');
  const writeFiles = () => {
    fs.writeFileSync(passwd, [...users].map(([u, p]) => `${u}:${p}`).join('\n') + '\n', { mode: 0o600 });
    execFileSync(PASSWD, ['-U', passwd]);
  };
  writeFiles();
  fs.writeFileSync(
    path.join(dir, 'acl'),
    [
      `user ${platform.username}`,
      `topic read ${prefix}/#`,
      `user ${gateway.username}`,
      `topic write ${prefix}/#`,
      '',
      `pattern write ${prefix}/%u/status`,
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(dir, 'mosquitto.conf'),
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${passwd}`,
      `acl_file ${path.join(dir, 'acl')}`,
      'persistence true',
      `persistence_location ${dir}/`,
      'autosave_interval 1',
      'max_queued_messages 1000000',
      'max_inflight_messages 100',
      'user root',
      `log_dest file ${path.join(dir, 'mosquitto.log')}`,
      '',
    ].join('\n'),
  );
  let child: ChildProcess | null = null;
  const launch = async () => {
    child = spawn(MOSQUITTO, ['-c', path.join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    await listening(port, 10_000);
  };
  const halt = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
    child = null;
  };
  await launch();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    platform,
    gateway,
    async addUsers(list) {
      for (const u of list) users.set(u.username, u.password);
      writeFiles();
      child?.kill('SIGHUP');
      await new Promise((r) => setTimeout(r, 200));
    },
    async restart() {
      await halt();
      await launch();
    },
    async stop() {
      await halt();
      if (!opts.dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
