import nodemailer from 'nodemailer';
import { PostgresAdapter, type Selectable } from 'kysely';
import type { Db } from '../db/connect';
import { newId } from '../db/ids';
import { writeAtCommit } from '../db/pg-trips';
import type { MailOutboxTable } from '../db/types';
import type { Clock } from './clock';

/**
 * Mail goes through the `mail_outbox` table: a transition enqueues in its own transaction, and the
 * dispatcher sends later with retries, so that a failing mail server never blocks or rolls back anything.
 *
 * Several instances share the outbox, so a dispatcher claims rows before it sends them: one UPDATE marks a batch
 * of due rows `sending` with its own claim token and the time (its lease). On PostgreSQL the rows are picked with
 * `FOR UPDATE SKIP LOCKED`, so concurrent claims take disjoint rows without waiting; on SQLite the single writer
 * serialises the UPDATEs. Sending happens outside that statement; only then is the row marked `sent`, and only
 * if the claim is still ours. A claim older than MAIL_LEASE_MS (its instance died mid-send) is due again: that is
 * the one case where a mail can go twice, because nobody can know whether the dead instance's send got through.
 */
export interface Mailer {
  enqueue(db: Db, to: string, subject: string, text: string): Promise<void>;
  /** Send what is due now; returns the number sent. */
  flush(): Promise<number>;
  start(intervalMs?: number): void;
  /** Stops the timer and waits for the send in progress; rows claimed but not yet sent go back to the queue. */
  stop(): Promise<void>;
}

type OutboxRow = Selectable<MailOutboxTable>;

const MAX_ATTEMPTS = 8;
/** A claim older than this is taken to belong to a dead instance. Far above one SMTP exchange, even a slow one. */
export const MAIL_LEASE_MS = 10 * 60_000;
/** Rows claimed at a time: a small batch is sent well within its lease, and leaves the rest to other instances. */
const CLAIM_BATCH = 10;
/** At most this many are claimed per flush, so that one flush does not hold the dispatcher for long. */
const FLUSH_MAX = 50;

export function createMailer(opts: {
  db: Db;
  clock: Clock;
  smtpUrl?: string;
  from: string;
  log: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void };
}): Mailer {
  const { db, clock } = opts;
  const transport = opts.smtpUrl ? nodemailer.createTransport(opts.smtpUrl) : null;
  const isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let stopped = false;

  async function deliver(to: string, subject: string, text: string) {
    if (!transport) {
      opts.log.info({ to, subject, text }, 'mail (SMTP_URL not set, logged instead)');
      return;
    }
    await transport.sendMail({ from: opts.from, to, subject, text });
  }

  /** Marks up to CLAIM_BATCH due rows (queued and due, or claimed with an expired lease) as ours, in one statement. */
  async function claim(token: string): Promise<OutboxRow[]> {
    const now = clock.now();
    const nowIso = now.toISOString();
    const leaseExpired = new Date(now.getTime() - MAIL_LEASE_MS).toISOString();
    const due = db
      .selectFrom('mailOutbox')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'queued'), eb('nextAttemptAt', '<=', nowIso)]),
          eb.and([eb('state', '=', 'sending'), eb('claimedAt', '<', leaseExpired)]),
        ]),
      )
      .orderBy('createdAt')
      .limit(CLAIM_BATCH)
      .$if(isPostgres, (q) => q.forUpdate().skipLocked());
    const rows = await db
      .updateTable('mailOutbox')
      .set({ state: 'sending', claimToken: token, claimedAt: nowIso })
      .where('id', 'in', due)
      .returningAll()
      .execute();
    return rows.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  }

  /** Gives rows we claimed but did not try back to the queue (shutting down, or the lease running short). */
  async function release(token: string) {
    await db
      .updateTable('mailOutbox')
      .set({ state: 'queued', claimToken: null, claimedAt: null })
      .where('claimToken', '=', token)
      .where('state', '=', 'sending')
      .execute();
  }

  async function sendClaimed(m: OutboxRow, token: string): Promise<boolean> {
    const attempts = m.attempts + 1;
    try {
      await deliver(m.toAddr, m.subject, m.bodyText);
    } catch (e) {
      const backoffMs = Math.min(2 ** attempts * 1000, 3_600_000);
      await db
        .updateTable('mailOutbox')
        .set({
          attempts,
          state: attempts >= MAX_ATTEMPTS ? 'failed' : 'queued',
          lastError: String((e as Error).message ?? e).slice(0, 500),
          nextAttemptAt: new Date(clock.now().getTime() + backoffMs).toISOString(),
          claimToken: null,
          claimedAt: null,
        })
        .where('id', '=', m.id)
        .where('claimToken', '=', token)
        .execute();
      opts.log.warn({ to: m.toAddr, err: String(e) }, 'mail delivery failed, will retry');
      return false;
    }
    const marked = await db
      .updateTable('mailOutbox')
      .set({
        state: 'sent',
        sentAt: clock.now().toISOString(),
        attempts,
        lastError: null,
        claimToken: null,
        claimedAt: null,
      })
      .where('id', '=', m.id)
      .where('claimToken', '=', token)
      .executeTakeFirst();
    if (Number(marked.numUpdatedRows) === 0)
      opts.log.warn(
        { to: m.toAddr, id: m.id },
        'mail sent after its claim had expired; another instance may send it too',
      );
    return true;
  }

  async function flushOnce(): Promise<number> {
    let sent = 0;
    let claimed = 0;
    while (!stopped && claimed < FLUSH_MAX) {
      const token = newId();
      const claimedAt = performance.now();
      const batch = await claim(token);
      if (!batch.length) break;
      claimed += batch.length;
      for (const m of batch) {
        // the wall clock, not the injectable one: the lease protects against real time passing while we send
        if (stopped || performance.now() - claimedAt > MAIL_LEASE_MS / 2) {
          await release(token);
          break;
        }
        if (await sendClaimed(m, token)) sent++;
      }
    }
    return sent;
  }

  const mailer: Mailer = {
    async enqueue(target, to, subject, text) {
      const now = clock.now().toISOString();
      // sent with the transaction's commit on PostgreSQL (db/pg-trips.ts); the dispatcher is woken once it is in
      const row = target.insertInto('mailOutbox').values({
        id: newId(),
        toAddr: to,
        subject,
        bodyText: text,
        state: 'queued',
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        createdAt: now,
        sentAt: null,
      });
      await writeAtCommit(target, row, () => {
        if (timer)
          setImmediate(() => {
            void mailer.flush().catch(() => undefined);
          });
      });
    },
    flush() {
      if (stopped) return Promise.resolve(0);
      // one flush at a time per instance; other instances are kept apart by the claims
      if (!running)
        running = flushOnce().finally(() => {
          running = null;
        });
      return running;
    },
    start(intervalMs = 15_000) {
      if (timer || stopped) return;
      timer = setInterval(() => {
        void mailer.flush().catch(() => undefined);
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
      transport?.close();
    },
  };
  return mailer;
}
