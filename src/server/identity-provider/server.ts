import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { demoIdentities, findDemoIdentity, IDP_PASSWORD, type DemoIdentity } from './demo-identities';

export interface IdpClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
}

export interface RunningIdp {
  issuer: string;
  port: number;
  close(): Promise<void>;
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string) {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>body{font-family:sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem;color:#1f2937}
h1{font-size:1.3rem;color:#8b0000}label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;box-sizing:border-box}
button{margin-top:1rem;padding:.6rem 1.2rem;background:#8b0000;color:#fff;border:0;border-radius:4px;font-size:1rem}
.err{color:#b91c1c}.hint{color:#4b5563;font-size:.9rem}</style></head><body><main>${body}</main></body></html>`;
}

function loginPage(uid: string, error?: string) {
  return page(
    '山东省政务服务网 · 统一身份认证',
    `<h1>山东省政务服务网 · 统一身份认证</h1>
<p class="hint">本地演示身份提供方：个人账号用户名如 zhaomin、sunli、lina；法人账号用单位简称或统一社会信用代码，如 sdatc、newco。密码均为 ${esc(IDP_PASSWORD)}。</p>
${error ? `<p class="err" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
<label for="login">账号（个人用户名 / 法人统一社会信用代码）</label><input id="login" name="login" required>
<label for="password">密码</label><input id="password" name="password" type="password" required>
<button type="submit">登录</button></form>`,
  );
}

async function readForm(req: http.IncomingMessage) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 16_384) throw new Error('form too large');
    chunks.push(c as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * A real OpenID provider (oidc-provider) on loopback with the demo identities: authorization code with PKCE
 * required, userinfo, RP-initiated logout, and its own login page. Used by `npm run idp`, the tests and the e2e.
 */
export async function startIdentityProvider(opts: {
  port?: number;
  host?: string;
  clients: IdpClient[];
  identities?: DemoIdentity[];
}): Promise<RunningIdp> {
  const identities = opts.identities ?? demoIdentities();
  const host = opts.host ?? '127.0.0.1';
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://${host}:${port}`;
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: opts.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      post_logout_redirect_uris: c.postLogoutRedirectUris,
      token_endpoint_auth_method: 'client_secret_post',
    })),
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'idp-1', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    ttl: { AuthorizationCode: 60, AccessToken: 600, IdToken: 600, Interaction: 600, Grant: 3600, Session: 8 * 3600 },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true, logoutSource } },
    claims: { openid: ['sub'], profile: ['name', 'phone_number', 'id_card_number', 'org_name', 'uscc'] },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx: unknown, sub: string) {
      const who = identities.find((i) => i.sub === sub);
      return who ? { accountId: sub, claims: async () => ({ sub, ...who.claims }) } : undefined;
    },
  });

  async function interaction(req: http.IncomingMessage, res: http.ServerResponse, uid: string, isPost: boolean) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    const clientId = String(details.params.client_id);
    const finish = async (accountId: string) => {
      const grant = new provider.Grant({ accountId, clientId });
      grant.addOIDCScope(String(details.params.scope ?? 'openid'));
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
    };
    if (details.prompt.name === 'consent' && details.session?.accountId) return finish(details.session.accountId);
    if (!isPost) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(uid));
      return;
    }
    const form = await readForm(req);
    const who = findDemoIdentity(identities, form.get('login') ?? '');
    if (!who || form.get('password') !== IDP_PASSWORD) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(uid, '账号或密码错误'));
      return;
    }
    await finish(who.sub);
  }

  const handler = provider.callback();
  server.on('request', (req, res) => {
    const m = /^\/interaction\/([\w-]+)(\/login)?$/.exec((req.url ?? '').split('?')[0]);
    if (!m) return void handler(req, res);
    interaction(req, res, m[1], req.method === 'POST' && !!m[2]).catch(() => {
      if (!res.headersSent)
        res
          .writeHead(400, { 'content-type': 'text/html; charset=utf-8' })
          .end(page('登录已失效', '<h1>登录已失效</h1><p>请回到原网站重新发起登录。</p>'));
    });
  });
  return {
    issuer,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The provider's own 退出 confirmation page (RP-initiated logout). */
async function logoutSource(ctx: { body: unknown }, form: string) {
  ctx.body = page(
    '退出统一身份认证',
    `<h1>退出统一身份认证</h1><p>是否同时退出山东省政务服务网统一身份认证？</p>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">确认退出</button>`,
  );
}
