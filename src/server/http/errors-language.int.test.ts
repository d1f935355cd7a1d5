import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createTestApp, type TestApp } from '../test/harness';
import { as, makeInstrument, makeOrg, makeUser } from '../test/factories';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const EN = { 'accept-language': 'en-GB,en;q=0.9,zh-CN;q=0.5' };
const ZH = { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' };
const CJK = /[\u3400-\u9fff]/;

/** The same request in Chinese (no header, and zh-CN) and in English; both replies. */
async function both(
  c: Client,
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const zh = await c.request(method, url, body, headers);
  expect((await c.request(method, url, body, { ...headers, ...ZH })).data).toEqual(zh.data);
  const en = await c.request(method, url, body, { ...headers, ...EN });
  expect(en.statusCode).toBe(zh.statusCode);
  expect(en.data.error.code).toBe(zh.data.error.code);
  expect(CJK.test(JSON.stringify(en.data)), JSON.stringify(en.data)).toBe(false);
  return { zh: zh.data.error, en: en.data.error, status: zh.statusCode };
}

describe('error texts follow Accept-Language', () => {
  it('zod validation: the summary names no field ids; each field has its reason, in either language', async () => {
    const c = new Client(t.app);
    const r = await both(c, 'POST', '/api/auth/register', { username: '1x', realName: '', extra: 1 });
    expect(r.status).toBe(400);
    expect(r.zh.message).toBe('输入有误，请检查标出的项');
    expect(r.zh.message).not.toMatch(/username|realName|password/);
    expect(r.en.message).toBe('Please check the highlighted fields');
    expect(Object.keys(r.en.fields).sort()).toEqual(Object.keys(r.zh.fields).sort());
    expect(r.zh.fields.username).toBe('用户名须以字母开头，4–32 位字母、数字或下划线');
    expect(r.en.fields.username).toBe('A user name starts with a letter and has 4–32 letters, digits or underscores');
    // a message zod wrote itself (a missing field) comes from zod's English locale
    expect(r.zh.fields.password).toMatch(CJK);
    expect(r.en.fields.password).toMatch(/^Invalid input/);
    expect(r.en.fields.extra).toBe('Field not allowed');
  });

  it('a domain error with a value in it', async () => {
    const { org } = await makeOrg(t);
    const listed = await makeInstrument(t, org.id);
    const c = await as(t, await makeUser(t));
    const r = await both(c, 'POST', '/api/cart', { instrumentIds: [listed.id, 'no-such-instrument'] });
    expect(r.status).toBe(422);
    expect(r.zh.message).toBe('有 1 台仪器不存在或尚未入网，未加入预选清单');
    expect(r.en.message).toBe(
      'Not added to the preselection list, as they do not exist or are not listed: 1 instruments',
    );
    expect(r.en.fields).toEqual({ instrumentIds: 'Includes instruments that are not listed' });
  });

  it('404, 401, 403 and a refused CSRF token', async () => {
    const visitor = new Client(t.app);
    const missing = await both(visitor, 'GET', '/api/instruments/no-such-instrument');
    expect([missing.status, missing.zh.message, missing.en.message]).toEqual([
      404,
      '仪器不存在',
      'Instrument not found',
    ]);
    const route = await both(visitor, 'GET', '/api/no-such-route');
    expect([route.status, route.en.message]).toEqual([404, 'No such API endpoint']);

    const anonymous = await both(visitor, 'GET', '/api/cart');
    expect([anonymous.status, anonymous.zh.message, anonymous.en.message]).toEqual([
      401,
      '请先登录',
      'Please sign in first',
    ]);

    const person = await as(t, await makeUser(t));
    const denied = await both(person, 'GET', '/api/admin/departments');
    expect([denied.status, denied.zh.message, denied.en.message]).toEqual([
      403,
      '无权执行此操作',
      'You are not allowed to do this',
    ]);

    const csrf = await both(person, 'POST', '/api/cart', { instrumentIds: ['x'] }, { 'x-csrf-token': 'wrong' });
    expect([csrf.status, csrf.zh.code, csrf.zh.message, csrf.en.message]).toEqual([
      403,
      'CSRF_FAILED',
      '页面已过期，请刷新后重试',
      'This page has expired. Please refresh it and try again',
    ]);
  });

  it('a bad URL, refused before routing, too', async () => {
    const c = new Client(t.app);
    const r = await both(c, 'GET', '/api/instruments/%ED%A0%80');
    expect(r.status).toBe(400);
    expect(r.en.fields).toEqual({ path: 'Must not contain null or invalid characters' });
  });
});
