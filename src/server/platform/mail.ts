import nodemailer from 'nodemailer';
import type { Db } from '../db/connect';
import { newId } from '../db/ids';
import type { Clock } from './clock';

/**
 * Mail goes through the `mail_outbox` table: a transition enqueues in its own transaction, and the
 * dispatcher sends later with retries, so that a failing mail server never blocks or rolls back anything.
 */
export interface Mailer {
  enqueue(db: Db, to: string, subject: string, text: string): Promise<void>;
  /** Send what is due now; returns the number sent. */
  flush(): Promise<number>;
  start(intervalMs?: number): void;
  stop(): void;
}

const MAX_ATTEMPTS = 8;

export function createMailer(opts: { db: Db; clock: Clock; smtpUrl?: string; from: string; log: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void } }): Mailer {
  const transport = opts.smtpUrl ? nodemailer.createTransport(opts.smtpUrl) : null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;

  async function deliver(to: string, subject: string, text: string) {
    if (!transport) {
      opts.log.info({ to, subject, text }, 'mail (SMTP_URL not set, logged instead)');
      return;
    }
    await transport.sendMail({ from: opts.from, to, subject, text });
  }

  async function flushOnce(): Promise<number> {
    const now = opts.clock.now().toISOString();
    const due = await opts.db.selectFrom('mailOutbox').selectAll()
      .where('state', '=', 'queued').where('nextAttemptAt', '<=', now)
      .orderBy('createdAt').limit(50).execute();
    let sent = 0;
    for (const m of due) {
      try {
        await deliver(m.toAddr, m.subject, m.bodyText);
        await opts.db.updateTable('mailOutbox').set({ state: 'sent', sentAt: opts.clock.now().toISOString(), attempts: m.attempts + 1, lastError: null }).where('id', '=', m.id).execute();
        sent++;
      } catch (e) {
        const attempts = m.attempts + 1;
        const backoffMs = Math.min(2 ** attempts * 1000, 3_600_000);
        await opts.db.updateTable('mailOutbox').set({
          attempts,
          state: attempts >= MAX_ATTEMPTS ? 'failed' : 'queued',
          lastError: String((e as Error).message ?? e).slice(0, 500),
          nextAttemptAt: new Date(opts.clock.now().getTime() + backoffMs).toISOString(),
        }).where('id', '=', m.id).execute();
        opts.log.warn({ to: m.toAddr, err: String(e) }, 'mail delivery failed, will retry');
      }
    }
    return sent;
  }

  const mailer: Mailer = {
    async enqueue(db, to, subject, text) {
      const now = opts.clock.now().toISOString();
      await db.insertInto('mailOutbox').values({ id: newId(), toAddr: to, subject, bodyText: text, state: 'queued', attempts: 0, nextAttemptAt: now, lastError: null, createdAt: now, sentAt: null }).execute();
      if (timer) setImmediate(() => { void mailer.flush().catch(() => undefined); });
    },
    flush() {
      // one flush at a time: two would send the same row twice
      if (!running) running = flushOnce().finally(() => { running = null; });
      return running;
    },
    start(intervalMs = 15_000) {
      if (timer) return;
      timer = setInterval(() => { void mailer.flush().catch(() => undefined); }, intervalMs);
      timer.unref();
    },
    stop() { if (timer) clearInterval(timer); timer = null; transport?.close(); },
  };
  return mailer;
}
