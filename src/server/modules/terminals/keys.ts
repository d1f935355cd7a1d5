/**
 * Terminal credentials. A terminal's key (32 random bytes, base64url) is shown once, at registration and at each
 * rotation. The platform must verify each message's HMAC-SHA256 with it, so it cannot keep only a hash: it keeps the
 * key sealed with AES-256-GCM under a key derived from TERMINAL_KEY_SECRET (or SESSION_SECRET). A copy of the
 * database alone does not reveal the keys. The same key is the terminal's broker password (user name = terminal id).
 */
import crypto from 'node:crypto';
import type { Config } from '../../config';

export const newTerminalKey = () => crypto.randomBytes(32).toString('base64url');

/** Terminal ids are MQTT user names and topic segments: letters and digits only. */
export const newTerminalId = () => `T${crypto.randomBytes(6).toString('hex').toUpperCase()}`;
export const TERMINAL_ID = /^T[0-9A-F]{12}$/;

const sealingKey = (config: Pick<Config, 'TERMINAL_KEY_SECRET' | 'SESSION_SECRET'>) =>
  crypto
    .createHash('sha256')
    .update(`terminal-keys:${config.TERMINAL_KEY_SECRET ?? config.SESSION_SECRET ?? ''}`)
    .digest();

export function sealKey(config: Pick<Config, 'TERMINAL_KEY_SECRET' | 'SESSION_SECRET'>, key: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', sealingKey(config), iv);
  const body = Buffer.concat([cipher.update(key, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

export function openKey(config: Pick<Config, 'TERMINAL_KEY_SECRET' | 'SESSION_SECRET'>, sealed: string): string {
  const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  const decipher = crypto.createDecipheriv('aes-256-gcm', sealingKey(config), iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}

/** What a terminal signs: its id, the sequence number, its time (epoch ms), power and use, joined by `|`. */
export const signedText = (m: { terminal: string; seq: number; at: number; power: boolean; inUse: boolean }) =>
  `${m.terminal}|${m.seq}|${m.at}|${m.power ? 1 : 0}|${m.inUse ? 1 : 0}`;

export const sign = (key: string, text: string) => crypto.createHmac('sha256', key).update(text).digest('hex');

export function signatureValid(key: string, text: string, sig: string): boolean {
  const want = Buffer.from(sign(key, text), 'hex');
  const got = Buffer.from(/^[0-9a-f]{64}$/i.test(sig) ? sig : '', 'hex');
  return got.length === want.length && crypto.timingSafeEqual(got, want);
}

/** A reading as a terminal sends it (the simulator, the bench and the tests use this). */
export const signReading = (
  key: string,
  m: { terminal: string; seq: number; at: number; power: boolean; inUse: boolean },
) => ({
  ...m,
  sig: sign(key, signedText(m)),
});
