import net from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSecondInstance, createTestApp, type TestApp } from '../test/harness';
import { createMailer, MAIL_LEASE_MS, type Mailer } from './mail';

/** A real SMTP server on a loopback port that keeps what it receives; `delayMs` holds each message before accepting it. */
class Inbox {
  subjects: string[] = [];
  delayMs = 0;
  /** resolved when a client has started a message (MAIL FROM): a send is in progress */
  private onStart: (() => void) | null = null;
  readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom: (_address, _session, done) => {
      this.onStart?.();
      done();
    },
    onData: (stream, _session, done) => {
      const chunks: Buffer[] = [];
      stream.on('data', (b: Buffer) => chunks.push(b));
      stream.on('end', () => {
        const subject = /^Subject: (.*)$/m.exec(Buffer.concat(chunks).toString('utf8'))?.[1] ?? '?';
        setTimeout(() => {
          this.subjects.push(subject);
          done();
        }, this.delayMs);
      });
    },
  });
  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.server.address() as net.AddressInfo).port;
  }
  nextStart() {
    return new Promise<void>((resolve) => {
      this.onStart = () => {
        this.onStart = null;
        resolve();
      };
    });
  }
  close() {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const quiet = { info: () => undefined, warn: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const inbox = new Inbox();
let smtpUrl: string;
let t: TestApp;
let t2: TestApp;
const extra: Mailer[] = [];

/** A dispatcher on `app`'s database connections: two on one instance share its pool, another instance has its own. */
function dispatcher(app: TestApp): Mailer {
  const m = createMailer({ db: app.database.db, clock: t.clock, smtpUrl, from: 'noreply@example.com', log: quiet });
  extra.push(m);
  return m;
}
const db = () => t.database.db;
const enqueue = (subject: string) => t.deps.mailer.enqueue(db(), 'someone@example.com', subject, '正文');
const waiting = async () =>
  (await db().selectFrom('mailOutbox').select('id').where('state', 'in', ['queued', 'sending']).execute()).length;

beforeAll(async () => {
  smtpUrl = `smtp://127.0.0.1:${await inbox.listen()}`;
  t = await createTestApp({ SMTP_URL: smtpUrl });
  t2 = await createSecondInstance(t);
});
afterAll(async () => {
  for (const m of extra) await m.stop();
  await t2?.close();
  await t?.close();
  await inbox.close();
});
beforeEach(async () => {
  await db().deleteFrom('mailOutbox').execute();
  inbox.subjects = [];
  inbox.delayMs = 0;
});

describe('the outbox with several instances', () => {
  it('three dispatchers on two instances, flushing concurrently and repeatedly, deliver each of 40 mails exactly once', async () => {
    const N = 40;
    const expected = Array.from({ length: N }, (_, i) => `once-${String(i).padStart(2, '0')}`);
    for (const s of expected) await enqueue(s);
    inbox.delayMs = 5; // a send takes a while, so that the dispatchers' claims and sends overlap
    const dispatchers = [dispatcher(t), dispatcher(t), dispatcher(t2)];
    const sentBy = dispatchers.map(() => 0);
    const flushes = dispatchers.map(() => 0);
    await Promise.all(
      dispatchers.map(async (m, i) => {
        for (let round = 0; round < 400 && (await waiting()) > 0; round++) {
          const n = await m.flush();
          sentBy[i] += n;
          flushes[i]++;
          if (n === 0) await sleep(5); // the rest is claimed by others: look again shortly
        }
      }),
    );

    expect([...inbox.subjects].sort()).toEqual(expected);
    expect(sentBy.reduce((a, b) => a + b, 0)).toBe(N);
    // it was a race: more than one dispatcher sent
    expect(sentBy.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    const rows = await db()
      .selectFrom('mailOutbox')
      .select(['state', 'attempts', 'claimToken', 'claimedAt', 'sentAt'])
      .execute();
    expect(rows).toHaveLength(N);
    for (const r of rows)
      expect(r).toMatchObject({
        state: 'sent',
        attempts: 1,
        claimToken: null,
        claimedAt: null,
        sentAt: expect.any(String),
      });
    console.info(
      `mail-once (${t.database.dialect}): ${N} mails, ${inbox.subjects.length} delivered, sent by dispatcher ${sentBy.join('/')} in ${flushes.join('/')} flushes`,
    );
  });

  it('a mail claimed by an instance that died mid-send goes again once its lease has expired, and only then', async () => {
    await enqueue('orphan');
    // what a dispatcher leaves behind when its process is killed between the claim and the send
    await db()
      .updateTable('mailOutbox')
      .set({ state: 'sending', claimToken: 'dead-instance', claimedAt: t.clock.now().toISOString() })
      .execute();
    const survivor = dispatcher(t2);
    expect(await survivor.flush()).toBe(0);
    t.clock.advance(MAIL_LEASE_MS - 60_000);
    expect(await survivor.flush()).toBe(0);
    expect(inbox.subjects).toEqual([]);
    expect(await waiting()).toBe(1);

    t.clock.advance(60_000 + 1_000);
    expect(await survivor.flush()).toBe(1);
    expect(await survivor.flush()).toBe(0);
    expect(inbox.subjects).toEqual(['orphan']);
    const row = await db().selectFrom('mailOutbox').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'sent', attempts: 1, claimToken: null });
  });

  it('a failed send goes back to the queue, unclaimed, with its back-off, and goes once due', async () => {
    inbox.delayMs = 0;
    await enqueue('retry-me');
    const m = dispatcher(t);
    // the server refuses this message: the attempt counts, the row is queued again for 2 s later, unclaimed
    const refusing = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _s, done) {
        stream.resume();
        stream.on('end', () => done(Object.assign(new Error('try later'), { responseCode: 451 })));
      },
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const failing = createMailer({
      db: db(),
      clock: t.clock,
      smtpUrl: `smtp://127.0.0.1:${(refusing.server.address() as net.AddressInfo).port}`,
      from: 'noreply@example.com',
      log: quiet,
    });
    try {
      expect(await failing.flush()).toBe(0);
    } finally {
      await failing.stop();
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
    const after = await db().selectFrom('mailOutbox').selectAll().executeTakeFirstOrThrow();
    expect(after).toMatchObject({ state: 'queued', attempts: 1, claimToken: null, claimedAt: null });
    expect(after.lastError).toMatch(/451|try later/);
    expect(new Date(after.nextAttemptAt).getTime() - t.clock.now().getTime()).toBeGreaterThan(1_500);
    expect(await m.flush()).toBe(0); // not due yet
    t.clock.advance(2_500);
    expect(await m.flush()).toBe(1);
    expect(inbox.subjects).toEqual(['retry-me']);
    expect(
      await db().selectFrom('mailOutbox').select(['state', 'attempts', 'lastError']).executeTakeFirstOrThrow(),
    ).toEqual({ state: 'sent', attempts: 2, lastError: null });
  });

  it('stop() waits for the send in progress, and gives the claimed rows it has not tried back to the queue', async () => {
    for (const s of ['stop-1', 'stop-2', 'stop-3']) await enqueue(s);
    inbox.delayMs = 300;
    const m = dispatcher(t);
    const started = inbox.nextStart();
    const flushing = m.flush();
    await started; // the first mail is on the wire
    const t0 = Date.now();
    await m.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200); // it waited for the server's answer
    expect(await flushing).toBe(1);
    expect(inbox.subjects).toEqual(['stop-1']);
    const rows = await db()
      .selectFrom('mailOutbox')
      .select(['subject', 'state', 'claimToken'])
      .orderBy('subject')
      .execute();
    expect(rows).toEqual([
      { subject: 'stop-1', state: 'sent', claimToken: null },
      { subject: 'stop-2', state: 'queued', claimToken: null },
      { subject: 'stop-3', state: 'queued', claimToken: null },
    ]);
    expect(await m.flush()).toBe(0); // a stopped dispatcher sends nothing more

    inbox.delayMs = 0;
    expect(await dispatcher(t2).flush()).toBe(2);
    expect([...inbox.subjects].sort()).toEqual(['stop-1', 'stop-2', 'stop-3']);
  });
});
