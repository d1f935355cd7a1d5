import crypto from 'node:crypto';
import net from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createTestApp, type TestApp } from '../../test/harness';
import { addMember, as, makeOrg, makeUser, mobile, PASSWORD } from '../../test/factories';

const NEW_PASSWORD = 'Fresh#2027pass';
const MINUTE = 60_000;

let t: TestApp;

const db = () => t.database.db;
const userRow = (id: string) => db().selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const sessionsOf = async (userId: string) =>
  (await db().selectFrom('sessions').select('id').where('userId', '=', userId).execute()).length;
const login = (
  c: Client,
  identifier: string,
  password: string,
  mode: 'person' | 'legal' = 'person',
  extra: Record<string, string> = {},
) => c.post('/api/auth/login', { identifier, password, mode, ...extra });
const whoAmI = async (c: Client) =>
  (await c.get('/api/auth/me')).data.user as null | { id: string; mustChangePassword: boolean };

/** Asks for a captcha and reads its answer from the database, as a person would read the picture. */
async function solveCaptcha(c: Client) {
  const res = await c.get('/api/auth/captcha');
  expect(res.statusCode).toBe(200);
  expect(res.data.svg).toContain('<svg');
  const row = await db()
    .selectFrom('captchas')
    .select('answer')
    .where('id', '=', res.data.id)
    .executeTakeFirstOrThrow();
  return { captchaId: res.data.id as string, captcha: row.answer };
}

// each app of this file lives only while its tests run: one test schema at a time
describe('accounts (app without a mail server)', () => {
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('registration', () => {
    it('registers with a mobile number, stores an argon2id hash, and logs in by mobile', async () => {
      const m = mobile();
      const c = new Client(t.app);
      const res = await c.post('/api/auth/register', { mobile: m, realName: '王五', password: PASSWORD });
      expect(res.statusCode).toBe(201);
      const row = await userRow(res.data.id);
      expect(row.passwordHash.startsWith('$argon2id$')).toBe(true);
      expect(row.kind).toBe('person');
      expect(row.mobile).toBe(m);
      expect(JSON.stringify(res.data)).not.toContain('argon2');
      const audit = await db().selectFrom('auditLog').select('action').where('subjectId', '=', res.data.id).execute();
      expect(audit.map((a) => a.action)).toContain('user.register');

      expect((await login(c, m, PASSWORD)).statusCode).toBe(200);
      const me = (await c.get('/api/auth/me')).data;
      expect(me.user.id).toBe(res.data.id);
      expect(me.roles).toEqual(['person']);
      expect(me.user.passwordHash).toBeUndefined();
    });

    it('registers with a user name and logs in by it, in any letter case', async () => {
      const username = `Reg${Date.now().toString(36)}`;
      const c = new Client(t.app);
      const res = await c.post('/api/auth/register', {
        username,
        realName: '赵六',
        email: 'zhao@example.com',
        password: PASSWORD,
      });
      expect(res.statusCode).toBe(201);
      expect((await login(c, username.toLowerCase(), PASSWORD)).statusCode).toBe(200);
      expect((await whoAmI(c))?.id).toBe(res.data.id);
    });

    it('refuses a weak password, naming the field, and writes nothing', async () => {
      const m = mobile();
      const c = new Client(t.app);
      for (const pw of ['short1A', 'alllowercase1', 'NoDigitsHere']) {
        const res = await c.post('/api/auth/register', { mobile: m, realName: '弱密码', password: pw });
        expect(res.statusCode).toBe(400);
        expect(res.data.error.code).toBe('WEAK_PASSWORD');
        expect(res.data.error.fields.password).toMatch(/密码/);
      }
      expect(await db().selectFrom('users').select('id').where('mobile', '=', m).executeTakeFirst()).toBeUndefined();
    });

    it('needs a mobile number or a user name', async () => {
      const res = await new Client(t.app).post('/api/auth/register', { realName: '无名', password: PASSWORD });
      expect(res.statusCode).toBe(400);
      expect(res.data.error.fields.mobile).toBeTruthy();
    });

    it('refuses a taken mobile number or user name with 409 naming the field', async () => {
      const m = mobile();
      const c = new Client(t.app);
      expect((await c.post('/api/auth/register', { mobile: m, realName: '甲', password: PASSWORD })).statusCode).toBe(
        201,
      );
      const dupMobile = await c.post('/api/auth/register', { mobile: m, realName: '乙', password: PASSWORD });
      expect(dupMobile.statusCode).toBe(409);
      expect(dupMobile.data.error.fields.mobile).toBeTruthy();

      const username = `Dup${Date.now().toString(36)}`;
      expect((await c.post('/api/auth/register', { username, realName: '丙', password: PASSWORD })).statusCode).toBe(
        201,
      );
      const dupName = await c.post('/api/auth/register', { username, realName: '丁', password: PASSWORD });
      expect(dupName.statusCode).toBe(409);
      expect(dupName.data.error.fields.username).toBeTruthy();
      // user names log in without regard to case, so they must be unique without regard to case too
      const dupCase = await c.post('/api/auth/register', {
        username: username.toUpperCase(),
        realName: '戊',
        password: PASSWORD,
      });
      expect(dupCase.statusCode).toBe(409);
      expect(dupCase.data.error.fields.username).toBeTruthy();
    });
  });

  describe('login', () => {
    it('logs a person in by mobile number or by user name; a wrong password is 401 without telling which part was wrong', async () => {
      const u = await makeUser(t, { mobile: mobile() });
      expect((await login(new Client(t.app), u.mobile!, PASSWORD)).statusCode).toBe(200);
      expect((await login(new Client(t.app), u.username, PASSWORD)).statusCode).toBe(200);
      const wrong = await login(new Client(t.app), u.username, 'Wrong@2026x');
      const unknown = await login(new Client(t.app), 'nobody_at_all', 'Wrong@2026x');
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      expect(wrong.data.error.code).toBe('INVALID_CREDENTIALS');
      expect(wrong.data.error.message).toBe(unknown.data.error.message);
    });

    it("法人登录: the legal representative logs in by the organisation's USCC or by user name; others cannot use it", async () => {
      const { org, legal } = await makeOrg(t);
      const member = await addMember(t, org.id, 'admin');
      const byUscc = new Client(t.app);
      expect((await login(byUscc, org.uscc, PASSWORD, 'legal')).statusCode).toBe(200);
      const me = (await byUscc.get('/api/auth/me')).data;
      expect(me.user.id).toBe(legal.id);
      expect(me.roles).toEqual(['person', 'member', 'orgAdmin', 'legal']);
      expect(me.org.id).toBe(org.id);
      expect((await login(new Client(t.app), org.uscc.toLowerCase(), PASSWORD, 'legal')).statusCode).toBe(200);
      expect((await login(new Client(t.app), legal.username, PASSWORD, 'legal')).statusCode).toBe(200);

      const refused = await login(new Client(t.app), member.username, PASSWORD, 'legal');
      expect(refused.statusCode).toBe(401);
      expect(refused.data.error.message).toContain('统一社会信用代码');
      // the same person logs in normally
      expect((await login(new Client(t.app), member.username, PASSWORD)).statusCode).toBe(200);
      // a USCC is no identifier of the person login
      expect((await login(new Client(t.app), org.uscc, PASSWORD, 'person')).statusCode).toBe(401);
    });

    it('after 3 failures asks for a captcha, after 5 within 15 minutes locks the account until the time has passed', async () => {
      const u = await makeUser(t);
      const c = new Client(t.app);
      for (let i = 1; i <= 3; i++) {
        const res = await login(c, u.username, 'Wrong@2026x');
        expect(res.statusCode).toBe(401);
        expect(res.data.error.captchaRequired).toBe(i >= 3);
        expect(res.data.error.remaining).toBe(5 - i);
      }
      expect((await c.get(`/api/auth/login-status?identifier=${u.username}`)).data.captchaRequired).toBe(true);

      // without a captcha even the right password is not checked
      const noCaptcha = await login(c, u.username, PASSWORD);
      expect(noCaptcha.statusCode).toBe(428);
      expect(noCaptcha.data.error.code).toBe('CAPTCHA_REQUIRED');
      // a wrong answer is refused and the captcha is used up
      const cap = await solveCaptcha(c);
      const wrongAnswer = await login(c, u.username, PASSWORD, 'person', { captchaId: cap.captchaId, captcha: 'zzzz' });
      expect(wrongAnswer.statusCode).toBe(400);
      expect(wrongAnswer.data.error.code).toBe('CAPTCHA_WRONG');
      expect((await login(c, u.username, PASSWORD, 'person', cap)).data.error.code).toBe('CAPTCHA_WRONG');

      // failure 4 with a solved captcha, then failure 5 locks
      expect((await login(c, u.username, 'Wrong@2026x', 'person', await solveCaptcha(c))).statusCode).toBe(401);
      const locked = await login(c, u.username, 'Wrong@2026x', 'person', await solveCaptcha(c));
      expect(locked.statusCode).toBe(429);
      expect(locked.data.error.code).toBe('ACCOUNT_LOCKED');
      expect(locked.data.error.message).toContain('锁定');
      const row = await userRow(u.id);
      expect(row.lockedUntil).toBeTruthy();
      expect(new Date(row.lockedUntil!).getTime()).toBeGreaterThan(t.clock.now().getTime() + 14 * MINUTE);

      // the right password is refused while locked, and no session starts
      const stillLocked = await login(c, u.username, PASSWORD, 'person', await solveCaptcha(c));
      expect(stillLocked.statusCode).toBe(429);
      expect(stillLocked.data.error.message).toMatch(/锁定.*15 分钟/);
      expect(await sessionsOf(u.id)).toBe(0);
      const audit = await db().selectFrom('auditLog').select('action').where('subjectId', '=', u.id).execute();
      expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['login.failed', 'login.refused_locked']));

      t.clock.advance(10 * MINUTE);
      expect((await login(c, u.username, PASSWORD, 'person', await solveCaptcha(c))).statusCode).toBe(429);
      t.clock.advance(6 * MINUTE);
      const ok = await login(c, u.username, PASSWORD);
      expect(ok.statusCode).toBe(200);
      expect((await userRow(u.id)).lockedUntil).toBeNull();
      expect((await whoAmI(c))?.id).toBe(u.id);
    });

    it('counts failures per account, whichever identifier was typed', async () => {
      const m = mobile();
      const u = await makeUser(t, { mobile: m });
      const c = new Client(t.app);
      for (let i = 0; i < 3; i++) expect((await login(c, m, 'Wrong@2026x')).statusCode).toBe(401);
      // the 4th failure, by user name, already needs the captcha: the three by mobile count for the same account
      expect((await login(c, u.username, 'Wrong@2026x')).data.error.code).toBe('CAPTCHA_REQUIRED');
      expect((await login(c, u.username, 'Wrong@2026x', 'person', await solveCaptcha(c))).statusCode).toBe(401);
      const locked = await login(c, u.username, 'Wrong@2026x', 'person', await solveCaptcha(c));
      expect(locked.data.error.code).toBe('ACCOUNT_LOCKED');
      expect((await userRow(u.id)).lockedUntil).toBeTruthy();
    });

    it('a disabled account cannot log in', async () => {
      const u = await makeUser(t, { isDisabled: true });
      const res = await login(new Client(t.app), u.username, PASSWORD);
      expect(res.statusCode).toBe(403);
      expect(res.data.error.code).toBe('ACCOUNT_DISABLED');
    });
  });

  describe('sessions', () => {
    it('stores only the HMAC of the session token with SESSION_SECRET, never the token itself', async () => {
      const u = await makeUser(t);
      const c = new Client(t.app);
      await login(c, u.username, PASSWORD);
      const token = c.cookies.sid;
      const ids = (await db().selectFrom('sessions').select('id').where('userId', '=', u.id).execute()).map(
        (r) => r.id,
      );
      expect(ids).toEqual([crypto.createHmac('sha256', t.deps.config.SESSION_SECRET!).update(token).digest('hex')]);
      expect(ids).not.toContain(token);
      expect(ids).not.toContain(crypto.createHash('sha256').update(token).digest('hex'));
    });

    it('sets the session cookie HttpOnly and SameSite=Lax; the CSRF cookie is readable by the page', async () => {
      const u = await makeUser(t);
      const c = new Client(t.app);
      const res = await login(c, u.username, PASSWORD);
      const cookies = res.cookies as { name: string; httpOnly?: boolean; sameSite?: string; path?: string }[];
      const sid = cookies.find((k) => k.name === 'sid')!;
      expect(sid.httpOnly).toBe(true);
      expect(sid.sameSite).toBe('Lax');
      expect(sid.path).toBe('/');
      const setCookie = ([] as string[]).concat(res.headers['set-cookie'] as string | string[]);
      expect(setCookie.find((h) => h.startsWith('sid='))).toMatch(/HttpOnly/i);
      expect(setCookie.find((h) => h.startsWith('sid='))).toMatch(/SameSite=Lax/i);
      const csrf = cookies.find((k) => k.name === 'csrf')!;
      expect(csrf.httpOnly).toBeFalsy();
      expect((await c.get('/api/auth/me')).data.csrfToken).toBe(c.cookies.csrf);
    });

    it('refuses a write without the x-csrf-token header, or with a wrong one (403 CSRF_FAILED)', async () => {
      const u = await makeUser(t);
      const c = await as(t, u);
      const cookie = Object.entries(c.cookies)
        .map(([k, v]) => `${k}=${v}`)
        .join('; ');
      const without = await t.app.inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { cookie, 'content-type': 'application/json' },
        payload: '{}',
      });
      expect(without.statusCode).toBe(403);
      expect(without.json().error.code).toBe('CSRF_FAILED');
      const wrong = await t.app.inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { cookie, 'x-csrf-token': 'forged', 'content-type': 'application/json' },
        payload: '{}',
      });
      expect(wrong.statusCode).toBe(403);
      expect(wrong.json().error.code).toBe('CSRF_FAILED');
      // nothing happened: still logged in
      expect((await whoAmI(c))?.id).toBe(u.id);
      // a visitor's login is protected the same way (login CSRF)
      const anon = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ identifier: u.username, password: PASSWORD }),
      });
      expect(anon.statusCode).toBe(403);
      expect(anon.json().error.code).toBe('CSRF_FAILED');
    });

    it('logout ends this session only', async () => {
      const u = await makeUser(t);
      const a = await as(t, u);
      const b = await as(t, u);
      expect(await sessionsOf(u.id)).toBe(2);
      const res = await a.post('/api/auth/logout');
      expect(res.statusCode).toBe(200);
      expect(await whoAmI(a)).toBeNull();
      expect((await a.get('/api/orgs/mine')).statusCode).toBe(401);
      expect((await whoAmI(b))?.id).toBe(u.id);
      expect(await sessionsOf(u.id)).toBe(1);
      const audit = await db().selectFrom('auditLog').select('action').where('subjectId', '=', u.id).execute();
      expect(audit.map((x) => x.action)).toContain('logout');
    });

    it('ends after 30 idle minutes', async () => {
      const u = await makeUser(t);
      const c = await as(t, u);
      t.clock.advance(20 * MINUTE);
      expect((await whoAmI(c))?.id).toBe(u.id); // activity moves the idle limit
      t.clock.advance(20 * MINUTE);
      expect((await whoAmI(c))?.id).toBe(u.id);
      t.clock.advance(31 * MINUTE);
      expect(await whoAmI(c)).toBeNull();
      expect(await sessionsOf(u.id)).toBe(0);
    });

    it('ends after 12 hours even when active', async () => {
      const u = await makeUser(t);
      const c = await as(t, u);
      for (let i = 1; i <= 28; i++) {
        t.clock.advance(25 * MINUTE); // 28 × 25 min = 11 h 40 min
        expect((await whoAmI(c))?.id, `after ${i * 25} minutes`).toBe(u.id);
      }
      t.clock.advance(25 * MINUTE); // 12 h 05 min
      expect(await whoAmI(c)).toBeNull();
    });
  });

  describe('change password', () => {
    it('needs the old password and a strong new one; ends the other sessions, keeps this one', async () => {
      const u = await makeUser(t);
      const a = await as(t, u);
      const b = await as(t, u);
      const wrongOld = await a.post('/api/auth/password', { oldPassword: 'Wrong@2026x', newPassword: NEW_PASSWORD });
      expect(wrongOld.statusCode).toBe(400);
      expect(wrongOld.data.error.fields.oldPassword).toBeTruthy();
      const weak = await a.post('/api/auth/password', { oldPassword: PASSWORD, newPassword: 'weakweak' });
      expect(weak.statusCode).toBe(400);
      expect(weak.data.error.fields.newPassword).toBeTruthy();

      const res = await a.post('/api/auth/password', { oldPassword: PASSWORD, newPassword: NEW_PASSWORD });
      expect(res.statusCode).toBe(200);
      expect((await whoAmI(a))?.id).toBe(u.id);
      expect(await whoAmI(b)).toBeNull();
      expect(await sessionsOf(u.id)).toBe(1);
      expect((await login(new Client(t.app), u.username, PASSWORD)).statusCode).toBe(401);
      expect((await login(new Client(t.app), u.username, NEW_PASSWORD)).statusCode).toBe(200);
    });
  });
});

// ------------------------------------------------------------------ password reset

interface Received {
  to: string[];
  raw: string;
}

/** The text of a single-part mail as nodemailer writes it (quoted-printable, base64 or plain). */
function mailText(raw: string) {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split);
  const body = raw.slice(split + 4);
  const enc = /content-transfer-encoding:\s*([\w-]+)/i.exec(head)?.[1]?.toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => `%${h}`);
    return decodeURIComponent(bytes);
  }
  return body;
}
const tokenIn = (text: string) => /reset-password\?token=([A-Za-z0-9_-]+)/.exec(text)?.[1];

describe('password reset by mail through a real SMTP server', () => {
  let smtp: SMTPServer;
  let m: TestApp;
  const inbox: Received[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, done) {
        const chunks: Buffer[] = [];
        stream.on('data', (b: Buffer) => chunks.push(b));
        stream.on('end', () => {
          inbox.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          done();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as net.AddressInfo).port;
    m = await createTestApp({ SMTP_URL: `smtp://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await m?.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  async function requestReset(identifier: string) {
    const res = await new Client(m.app).post('/api/auth/password-reset', { identifier });
    expect(res.statusCode).toBe(202);
    await m.deps.mailer.flush();
  }

  it('mails a link that sets a new password once, ends the sessions, and cannot be used again', async () => {
    const u = await makeUser(m, { email: 'reset.me@example.com' });
    const before = await as(m, u);
    await requestReset(u.username);
    const mail = inbox.find((x) => x.to.includes('reset.me@example.com'));
    expect(mail, 'the mail reached the SMTP server').toBeTruthy();
    const text = mailText(mail!.raw);
    expect(text).toContain('http://localhost:3000/reset-password?token=');
    expect(text).toContain('30 分钟');
    const token = tokenIn(text)!;
    expect(token.length).toBeGreaterThan(30);
    const row = await m.database.db
      .selectFrom('mailOutbox')
      .selectAll()
      .where('toAddr', '=', 'reset.me@example.com')
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('sent');
    // only the hash of the token is stored
    const reset = await m.database.db
      .selectFrom('passwordResets')
      .selectAll()
      .where('userId', '=', u.id)
      .executeTakeFirstOrThrow();
    expect(reset.tokenHash).not.toContain(token);

    const c = new Client(m.app);
    // the reset page asks first whether the link is still usable; asking does not use it
    const check = async (tk: string) => (await c.get(`/api/auth/password-reset/check?token=${tk}`)).data.valid;
    expect(await check(token)).toBe(true);
    expect(await check('no-such-token-at-all')).toBe(false);
    expect(await check('')).toBe(false);
    const weak = await c.post('/api/auth/password-reset/confirm', { token, password: 'weakweak' });
    expect(weak.statusCode).toBe(400);
    expect(weak.data.error.fields.password).toBeTruthy();
    const ok = await c.post('/api/auth/password-reset/confirm', { token, password: NEW_PASSWORD });
    expect(ok.statusCode).toBe(200);
    expect(await whoAmI(before)).toBeNull();
    expect((await login(new Client(m.app), u.username, NEW_PASSWORD)).statusCode).toBe(200);
    expect((await login(new Client(m.app), u.username, PASSWORD)).statusCode).toBe(401);

    expect(await check(token), 'a used link is no longer valid').toBe(false);
    const again = await c.post('/api/auth/password-reset/confirm', { token, password: 'Another#2028pw' });
    expect(again.statusCode).toBe(400);
    expect(again.data.error.code).toBe('RESET_TOKEN_INVALID');
    expect(again.data.error.fields.token).toBeTruthy();
  });

  it('refuses a link older than 30 minutes', async () => {
    const u = await makeUser(m, { email: 'late@example.com' });
    await requestReset(u.email!);
    const token = tokenIn(mailText(inbox.filter((x) => x.to.includes('late@example.com')).at(-1)!.raw))!;
    m.clock.advance(31 * MINUTE);
    expect((await new Client(m.app).get(`/api/auth/password-reset/check?token=${token}`)).data.valid).toBe(false);
    const res = await new Client(m.app).post('/api/auth/password-reset/confirm', { token, password: NEW_PASSWORD });
    expect(res.statusCode).toBe(400);
    expect(res.data.error.code).toBe('RESET_TOKEN_INVALID');
    expect((await login(new Client(m.app), u.username, PASSWORD)).statusCode).toBe(200);
  });

  it('answers the same for an unknown account and sends nothing', async () => {
    const outbox = async () => (await m.database.db.selectFrom('mailOutbox').select('id').execute()).length;
    const n = await outbox();
    const sms = m.sms.sent.length;
    await requestReset('no_such_account');
    expect(await outbox()).toBe(n);
    expect(m.sms.sent.length).toBe(sms);
  });

  it('sends the link by SMS to an account without an email address', async () => {
    const u = await makeUser(m, { mobile: mobile(), email: null });
    const n = inbox.length;
    await requestReset(u.mobile!);
    expect(inbox.length).toBe(n);
    const sms = m.sms.sent.filter((s) => s.mobile === u.mobile).at(-1);
    expect(sms?.text).toContain('reset-password?token=');
    const token = tokenIn(sms!.text)!;
    expect(
      (await new Client(m.app).post('/api/auth/password-reset/confirm', { token, password: NEW_PASSWORD })).statusCode,
    ).toBe(200);
    expect((await login(new Client(m.app), u.mobile!, NEW_PASSWORD)).statusCode).toBe(200);
  });
});

describe('mail delivery failure', () => {
  let f: TestApp;
  beforeAll(async () => {
    // a port that was just free: nothing listens there
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    f = await createTestApp({ SMTP_URL: `smtp://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('does not fail the request; the mail stays queued with the attempt counted', async () => {
    const u = await makeUser(f, { email: 'unreachable@example.com' });
    const res = await new Client(f.app).post('/api/auth/password-reset', { identifier: u.username });
    expect(res.statusCode).toBe(202);
    await f.deps.mailer.flush();
    const row = await f.database.db
      .selectFrom('mailOutbox')
      .selectAll()
      .where('toAddr', '=', 'unreachable@example.com')
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('queued');
    expect(row.attempts).toBe(1);
    expect(row.lastError).toBeTruthy();
    expect(row.nextAttemptAt > f.clock.now().toISOString()).toBe(true);
    // the reset itself was recorded and its token works once the mail gets through
    expect(
      await f.database.db.selectFrom('passwordResets').select('id').where('userId', '=', u.id).executeTakeFirst(),
    ).toBeTruthy();
  });
});
