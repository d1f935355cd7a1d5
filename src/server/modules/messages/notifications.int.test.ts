/**
 * Notifications of booking transitions, with a real SMTP server on loopback (smtp-server): the other party's people
 * get an email (decoded here: recipient, subject with the booking number, Chinese body) and an in-app message; the
 * actor is not told of their own action. The message centre's routes. A failing mail server (an error at DATA, or
 * nobody listening) never blocks or rolls back a transition: the outbox keeps the mail queued with its error and
 * the attempt counted, and a later flush, once the backoff has passed, delivers it.
 */
import net from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Client, createTestApp, type TestApp } from '../../test/harness';
import { pdf, upload } from '../files/testing';
import { as } from '../../test/factories';
import { bookingBody, bookingWorld, driveTo, ok, resultsBody, storedBooking, type World } from '../bookings/testing';

// ------------------------------------------------------------------ a loopback SMTP server and a small MIME reader

interface Mail {
  envelopeTo: string[];
  raw: string;
  headers: Record<string, string>;
  subject: string;
  text: string;
}

/** Bytes of quoted-printable text (soft line breaks already removed). */
function qpBytes(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const hex = s.slice(i + 1, i + 3);
    if (s[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else out.push(...Buffer.from(s[i], 'utf8'));
  }
  return Buffer.from(out);
}

/** RFC 2047 encoded words (B and Q); adjacent words are joined before decoding, as a character may span two. */
function decodeHeader(v: string): string {
  const re = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  const out: string[] = [];
  let pending: Buffer[] = [];
  let last = 0;
  const flush = () => {
    if (pending.length) out.push(Buffer.concat(pending).toString('utf8'));
    pending = [];
  };
  for (const m of v.matchAll(re)) {
    const between = v.slice(last, m.index);
    if (!(pending.length && /^\s*$/.test(between))) {
      flush();
      out.push(between);
    }
    pending.push(m[2].toUpperCase() === 'B' ? Buffer.from(m[3], 'base64') : qpBytes(m[3].replace(/_/g, ' ')));
    last = m.index! + m[0].length;
  }
  flush();
  out.push(v.slice(last));
  return out.join('');
}

function parseMail(raw: string, envelopeTo: string[]): Mail {
  const cut = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, cut).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const k = line.indexOf(':');
    if (k > 0) headers[line.slice(0, k).toLowerCase()] = line.slice(k + 1).trim();
  }
  const body = raw.slice(cut + 4);
  const cte = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const bytes =
    cte === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
      : cte === 'quoted-printable'
        ? qpBytes(body.replace(/=\r\n/g, ''))
        : Buffer.from(body, 'utf8');
  return {
    envelopeTo,
    raw,
    headers,
    subject: decodeHeader(headers.subject ?? ''),
    text: bytes.toString('utf8').replace(/\r\n/g, '\n'),
  };
}

/** An SMTP server on 127.0.0.1 that keeps what it receives, or refuses every message at DATA while `failing`. */
class Inbox {
  received: Mail[] = [];
  failing = false;
  port = 0;
  private server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1000,
    disableReverseLookup: true,
    onData: (stream, session, cb) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (this.failing) return cb(Object.assign(new Error('mailbox temporarily unavailable'), { responseCode: 451 }));
        this.received.push(
          parseMail(
            Buffer.concat(chunks).toString('utf8'),
            session.envelope.rcptTo.map((r) => r.address),
          ),
        );
        cb();
      });
    },
  });

  listen(port = 0): Promise<this> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.port = ((this.server as unknown as { server: net.Server }).server.address() as net.AddressInfo).port;
        resolve(this);
      });
    });
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
  /** What arrived since the last call. */
  take(): Mail[] {
    const r = this.received;
    this.received = [];
    return r;
  }
}

/** A loopback port that nobody listens on (just released). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

// ------------------------------------------------------------------ the world

const SITE = '山东省大型科学仪器设备协作共用网';
let inbox: Inbox;
let t: TestApp;
let w: World;
/** email address of each user of the world */
const emailOf = new Map<string, string>();
let consumerAdmins: string[];
let providerAdmins: string[];
let consumerLegal: Client;

async function adminsOf(orgId: string) {
  return (
    await t.database.db
      .selectFrom('memberships')
      .select('userId')
      .where('orgId', '=', orgId)
      .where('role', 'in', ['admin', 'legal'])
      .execute()
  ).map((r) => r.userId);
}

beforeAll(async () => {
  inbox = await new Inbox().listen();
  t = await createTestApp({ SMTP_URL: `smtp://127.0.0.1:${inbox.port}` });
  w = await bookingWorld(t);
  for (const u of await t.database.db.selectFrom('users').select(['id', 'email']).execute())
    if (u.email) emailOf.set(u.id, u.email);
  consumerAdmins = await adminsOf(w.consumer.org.id);
  providerAdmins = await adminsOf(w.provider.org.id);
  expect(consumerAdmins).toHaveLength(2); // the admin and the legal representative
  expect(providerAdmins).toHaveLength(2);
  const legalId = consumerAdmins.find((u) => u !== w.consumer.adminId)!;
  const legal = await t.database.db
    .selectFrom('users')
    .select(['username', 'mobile'])
    .where('id', '=', legalId)
    .executeTakeFirstOrThrow();
  consumerLegal = await as(t, legal);
});
afterAll(async () => {
  await t?.close();
  await inbox?.close();
});
beforeEach(async () => {
  // every test starts with an empty outbox and inbox
  await t.deps.mailer.flush();
  inbox.take();
});

const emails = (userIds: string[]) => userIds.map((u) => emailOf.get(u)!).sort();
const messagesAbout = (bookingId: string) =>
  t.database.db
    .selectFrom('messages')
    .select(['userId', 'title', 'body', 'link', 'readAt'])
    .where('subjectId', '=', bookingId)
    .orderBy('createdAt')
    .execute();
const outboxTo = (addrs: string[]) =>
  t.database.db.selectFrom('mailOutbox').selectAll().where('toAddr', 'in', addrs).orderBy('createdAt').execute();

/** Flushes the outbox and returns what arrived, one mail per recipient. */
async function delivered(): Promise<Mail[]> {
  await t.deps.mailer.flush();
  const mails = inbox.take();
  for (const m of mails) expect(m.envelopeTo).toHaveLength(1);
  return mails;
}

// ------------------------------------------------------------------ the tests

describe('each transition tells the other party, by mail and in the message centre', () => {
  it('submit: the provider admins get a mail and a message; the consumer (the actor) and the provider members do not', async () => {
    const id = await driveTo(t, w, 'draft');
    const { no } = await storedBooking(t, id);
    expect(await delivered()).toEqual([]); // saving a draft tells nobody
    ok(await w.consumer.member.post(`/api/bookings/${id}/submit`, { liabilityAccepted: true }));

    const mails = await delivered();
    expect(mails.map((m) => m.envelopeTo[0]).sort()).toEqual(emails(providerAdmins));
    for (const m of mails) {
      expect(m.subject).toBe(`【${SITE}】新的预约申请 ${no}`);
      expect(m.headers.to).toContain(m.envelopeTo[0]);
      expect(m.headers.from).toContain('noreply@localhost');
      expect(m.text).toContain(
        `${w.consumer.org.name}提交了预约单 ${no}（场发射扫描电子显微镜、X射线衍射仪），请及时受理。`,
      );
      expect(m.text).toContain(`查看详情：http://localhost:3000/member/bookings/${id}`);
      // the subject went over the wire encoded, not as raw UTF-8
      expect(m.raw).not.toContain(`新的预约申请 ${no}`);
    }
    const toAdmin = mails.find((m) => m.envelopeTo[0] === emailOf.get(w.provider.adminId))!;
    expect(toAdmin.text.startsWith(`${w.provider.org.name}管理员，您好：`)).toBe(true);

    const msgs = await messagesAbout(id);
    expect(msgs.map((m) => m.userId).sort()).toEqual([...providerAdmins].sort());
    expect(msgs[0]).toMatchObject({ title: `新的预约申请 ${no}`, link: `/member/bookings/${id}`, readAt: null });
    const sent = await outboxTo(emails(providerAdmins));
    expect(sent.filter((r) => r.subject.includes(no)).map((r) => [r.state, r.attempts, r.lastError])).toEqual([
      ['sent', 1, null],
      ['sent', 1, null],
    ]);

    const inbox2 = ok(await w.provider.admin.get('/api/messages')).data;
    expect(inbox2.items[0]).toMatchObject({
      title: `新的预约申请 ${no}`,
      isRead: false,
      subjectKind: 'booking',
      link: `/member/bookings/${id}`,
    });
    for (const c of [w.consumer.member, w.consumer.admin, w.provider.member]) {
      expect(ok(await c.get('/api/messages?pageSize=100')).data.items.filter((m: any) => m.title.includes(no))).toEqual(
        [],
      );
    }
  });

  it('accept, results, settle and rate: each tells the other side only, never the actor', async () => {
    const id = await driveTo(t, w, 'submitted');
    const { no } = await storedBooking(t, id);
    await delivered();
    const consumerSide = [w.consumer.memberId, ...consumerAdmins]; // the applicant and the consumer's admins

    ok(await w.provider.admin.post(`/api/bookings/${id}/accept`, { plannedTestDate: null }));
    let mails = await delivered();
    expect(mails.map((m) => m.envelopeTo[0]).sort()).toEqual(emails(consumerSide));
    expect(mails.every((m) => m.subject === `【${SITE}】预约已受理 ${no}`)).toBe(true);
    expect(mails[0].text).toContain(`您的预约单 ${no} 已被受理。请按约定送样。`);

    const v = Number((await storedBooking(t, id)).version);
    ok(await w.provider.admin.put(`/api/bookings/${id}/results`, resultsBody(w.instruments, v)));
    expect(await delivered()).toEqual([]); // saving results tells nobody
    ok(await w.provider.admin.post(`/api/bookings/${id}/results/submit`, resultsBody(w.instruments, v + 1)));
    mails = await delivered();
    expect(mails.map((m) => m.envelopeTo[0]).sort()).toEqual(emails(consumerSide));
    expect(mails[0].subject).toBe(`【${SITE}】检测结果已登记 ${no}`);
    expect(mails[0].text).toContain('费用合计 ¥1,903.00');

    ok(
      await upload(
        w.consumer.member,
        `/api/bookings/${id}/files?slot=report`,
        pdf('r'),
        '检测报告.pdf',
        'application/pdf',
      ),
      201,
    );
    ok(
      await upload(
        w.consumer.member,
        `/api/bookings/${id}/files?slot=invoice`,
        pdf('i'),
        '发票.pdf',
        'application/pdf',
      ),
      201,
    );
    expect(await delivered()).toEqual([]); // uploads tell nobody
    ok(await w.consumer.member.post(`/api/bookings/${id}/settle`, {}));
    mails = await delivered();
    expect(mails.map((m) => m.envelopeTo[0]).sort()).toEqual(emails(providerAdmins));
    expect(mails[0].subject).toBe(`【${SITE}】预约单已结算 ${no}`);

    ok(await w.consumer.admin.post(`/api/bookings/${id}/rating`, { stars: 5, comment: '数据可靠，出具报告及时' }));
    mails = await delivered();
    expect(mails.map((m) => m.envelopeTo[0]).sort()).toEqual(emails(providerAdmins));
    expect(mails[0].subject).toBe(`【${SITE}】收到新的评价 ${no}`);
    expect(mails[0].text).toContain('5 星评价：数据可靠，出具报告及时');

    // in the message centre: the consumer side got accept and results, the provider admins submit, settle and rate
    const msgs = await messagesAbout(id);
    const titles = (u: string) => msgs.filter((m) => m.userId === u).map((m) => m.title.replace(` ${no}`, ''));
    for (const u of consumerSide) expect(titles(u), u).toEqual(['预约已受理', '检测结果已登记']);
    for (const u of providerAdmins) expect(titles(u), u).toEqual(['新的预约申请', '预约单已结算', '收到新的评价']);
    expect(titles(w.provider.memberId)).toEqual([]);
    // the rater is a consumer admin: not told of the rating, though consumer admins are told of provider actions
    expect(msgs.filter((m) => m.userId === w.consumer.adminId && m.title.startsWith('收到新的评价'))).toEqual([]);
  });

  it('decline and withdraw tell the other side, with the reason', async () => {
    const declined = await driveTo(t, w, 'submitted');
    const withdrawn = await driveTo(t, w, 'submitted');
    await delivered();
    ok(await w.provider.admin.post(`/api/bookings/${declined}/decline`, { reason: '仪器年度检定，暂停对外服务' }));
    let mails = await delivered();
    expect(mails.map((m) => m.envelopeTo[0]).sort()).toEqual(emails([w.consumer.memberId, ...consumerAdmins]));
    expect(mails[0].subject).toContain((await storedBooking(t, declined)).no);
    expect(mails[0].text).toContain('理由：仪器年度检定，暂停对外服务');

    ok(await w.consumer.member.post(`/api/bookings/${withdrawn}/withdraw`, { comment: '样品未准备好' }));
    mails = await delivered();
    expect(mails.map((m) => m.envelopeTo[0]).sort()).toEqual(emails(providerAdmins));
    expect(mails[0].subject).toBe(`【${SITE}】预约单已撤回 ${(await storedBooking(t, withdrawn)).no}`);
    expect(mails[0].text).toContain('说明：样品未准备好');
    expect((await messagesAbout(withdrawn)).map((m) => m.userId)).not.toContain(w.consumer.memberId);
  });
});

describe('the message centre', () => {
  it("lists, counts unread, marks one read (only one's own) and all read", async () => {
    // a fresh reader: the consumer's legal representative, told of what the provider does
    ok(await consumerLegal.post('/api/messages/read-all'));
    expect(ok(await consumerLegal.get('/api/messages/unread-count')).data).toEqual({ unread: 0 });
    const a = await driveTo(t, w, 'accepted');
    const b = await driveTo(t, w, 'submitted');
    ok(await w.provider.admin.post(`/api/bookings/${b}/decline`, { reason: '不在服务范围' }));
    const [noA, noB] = [(await storedBooking(t, a)).no, (await storedBooking(t, b)).no];

    expect(ok(await consumerLegal.get('/api/messages/unread-count')).data).toEqual({ unread: 2 });
    const unread = ok(await consumerLegal.get('/api/messages?unread=1')).data;
    expect(unread).toMatchObject({ total: 2, unread: 2 });
    expect(unread.items.map((m: any) => m.title).sort()).toEqual([`预约已受理 ${noA}`, `预约未被受理 ${noB}`].sort());
    expect(unread.items.every((m: any) => m.isRead === false)).toBe(true);

    const target = unread.items.find((m: any) => m.title.includes(noA));
    // another user cannot mark it, nor can a visitor
    expect((await w.consumer.member.post(`/api/messages/${target.id}/read`)).statusCode).toBe(404);
    expect((await w.provider.admin.post(`/api/messages/${target.id}/read`)).statusCode).toBe(404);
    expect((await new Client(t.app).post(`/api/messages/${target.id}/read`)).statusCode).toBe(401);
    expect((await consumerLegal.post('/api/messages/no-such-message/read')).statusCode).toBe(404);
    expect(ok(await consumerLegal.get('/api/messages/unread-count')).data.unread).toBe(2);

    expect(ok(await consumerLegal.post(`/api/messages/${target.id}/read`)).data).toEqual({ unread: 1 });
    expect(ok(await consumerLegal.post(`/api/messages/${target.id}/read`)).data).toEqual({ unread: 1 }); // again: no change
    const stored = await t.database.db
      .selectFrom('messages')
      .select('readAt')
      .where('id', '=', target.id)
      .executeTakeFirstOrThrow();
    expect(stored.readAt).toBeTruthy();
    const read = ok(await consumerLegal.get('/api/messages?unread=0&pageSize=100')).data;
    expect(read.items.map((m: any) => m.id)).toContain(target.id);
    expect(read.items.every((m: any) => m.isRead)).toBe(true);
    expect(ok(await consumerLegal.get('/api/messages?unread=1')).data.items.map((m: any) => m.title)).toEqual([
      `预约未被受理 ${noB}`,
    ]);

    // the member's own messages are untouched by the legal representative's reading
    const memberUnread = ok(await w.consumer.member.get('/api/messages/unread-count')).data.unread;
    expect(memberUnread).toBeGreaterThanOrEqual(2);
    expect(ok(await consumerLegal.post('/api/messages/read-all')).data).toEqual({ unread: 0 });
    expect(ok(await consumerLegal.get('/api/messages?unread=1')).data).toMatchObject({
      total: 0,
      items: [],
      unread: 0,
    });
    expect(ok(await w.consumer.member.get('/api/messages/unread-count')).data.unread).toBe(memberUnread);

    // paging, newest first
    const all = ok(await consumerLegal.get('/api/messages?pageSize=1')).data;
    expect(all.items).toHaveLength(1);
    expect(all.total).toBeGreaterThanOrEqual(2);
    expect(all.items[0].title).toBe(`预约未被受理 ${noB}`);
    expect(ok(await consumerLegal.get('/api/messages?pageSize=1&page=2')).data.items[0].id).not.toBe(all.items[0].id);
    expect((await new Client(t.app).get('/api/messages')).statusCode).toBe(401);
    expect((await new Client(t.app).get('/api/messages/unread-count')).statusCode).toBe(401);
  });
});

describe('a failing mail server', () => {
  it('refusing at DATA: the transition is stored, the mail stays queued with its error, and goes once the server works again', async () => {
    const id = await driveTo(t, w, 'submitted');
    await delivered();
    inbox.failing = true;
    try {
      const res = await w.provider.admin.post(`/api/bookings/${id}/accept`, {});
      expect(res.statusCode).toBe(200);
      expect((await storedBooking(t, id)).state).toBe('accepted');
      const { no } = await storedBooking(t, id);
      expect(await t.deps.mailer.flush()).toBe(0);
      expect(inbox.take()).toEqual([]);
      const rows = (await outboxTo(emails([w.consumer.memberId, ...consumerAdmins]))).filter((r) =>
        r.subject.includes(no),
      );
      expect(rows).toHaveLength(3);
      for (const r of rows) {
        expect(r).toMatchObject({ state: 'queued', attempts: 1, sentAt: null });
        expect(r.lastError).toMatch(/451|temporarily unavailable/);
        expect(new Date(r.nextAttemptAt).getTime()).toBeGreaterThan(t.clock.now().getTime());
      }
      // the in-app messages are there regardless
      expect((await messagesAbout(id)).filter((m) => m.title.startsWith('预约已受理'))).toHaveLength(3);
      // before the backoff has passed nothing is tried again
      expect(await t.deps.mailer.flush()).toBe(0);
      expect(
        (await outboxTo([emailOf.get(w.consumer.memberId)!])).filter((r) => r.subject.includes(no))[0].attempts,
      ).toBe(1);
    } finally {
      inbox.failing = false;
    }
    const { no } = await storedBooking(t, id);
    t.clock.advance(2_500); // the first retry waits 2 s
    expect(await t.deps.mailer.flush()).toBe(3);
    const mails = inbox.take();
    expect(mails.map((m) => m.envelopeTo[0]).sort()).toEqual(emails([w.consumer.memberId, ...consumerAdmins]));
    expect(mails.every((m) => m.subject === `【${SITE}】预约已受理 ${no}`)).toBe(true);
    const rows = (await outboxTo(emails([w.consumer.memberId, ...consumerAdmins]))).filter((r) =>
      r.subject.includes(no),
    );
    expect(rows.map((r) => [r.state, r.attempts, r.lastError])).toEqual([
      ['sent', 2, null],
      ['sent', 2, null],
      ['sent', 2, null],
    ]);
  });

  it('nobody listening: the transition is stored, the mail is queued with the connection error, and goes once a server listens', async () => {
    const port = await closedPort();
    const t2 = await createTestApp({ SMTP_URL: `smtp://127.0.0.1:${port}` });
    let late: Inbox | null = null;
    try {
      const w2 = await bookingWorld(t2);
      const id = ok(await w2.consumer.member.post('/api/bookings', bookingBody(t2, w2.instruments)), 201).data.id;
      const started = Date.now();
      const res = await w2.consumer.member.post(`/api/bookings/${id}/submit`, { liabilityAccepted: true });
      expect(res.statusCode).toBe(200);
      expect(res.data.state).toBe('submitted');
      expect(
        (await t2.database.db.selectFrom('bookings').select('state').where('id', '=', id).executeTakeFirstOrThrow())
          .state,
      ).toBe('submitted');
      expect(await t2.deps.mailer.flush()).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      const queued = await t2.database.db.selectFrom('mailOutbox').selectAll().execute();
      expect(queued).toHaveLength(2); // the provider's admin and legal representative
      for (const r of queued) {
        expect(r).toMatchObject({ state: 'queued', attempts: 1, sentAt: null });
        expect(r.lastError).toMatch(/ECONNREFUSED|connect/i);
      }
      expect(ok(await w2.provider.admin.get('/api/messages/unread-count')).data.unread).toBe(1);
      // the provider can act meanwhile
      ok(await w2.provider.admin.post(`/api/bookings/${id}/accept`, {}));
      expect(await t2.deps.mailer.flush()).toBe(0); // the new mails fail too; the old ones are not due yet

      late = await new Inbox().listen(port);
      t2.clock.advance(2_500);
      expect(await t2.deps.mailer.flush()).toBe(2 + 3);
      const got = late.take();
      expect(got).toHaveLength(5);
      expect(got.filter((m) => m.subject.startsWith(`【${SITE}】新的预约申请 `))).toHaveLength(2);
      expect(got.filter((m) => m.subject.startsWith(`【${SITE}】预约已受理 `))).toHaveLength(3);
      const rows = await t2.database.db.selectFrom('mailOutbox').select(['state', 'attempts', 'lastError']).execute();
      expect(rows.every((r) => r.state === 'sent' && r.attempts === 2 && r.lastError === null)).toBe(true);
    } finally {
      await t2.close();
      await late?.close();
    }
  });
});
