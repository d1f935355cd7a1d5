/**
 * A cookie-keeping HTTP client that walks the identity provider's pages as a browser would (redirects followed by
 * hand, forms posted), stopping at the first address outside the provider: the platform's callback.
 */
export class ProviderBrowser {
  private jar = new Map<string, string>();
  constructor(readonly issuer: string) {}

  private keep(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=/i.test(a) && new Date(a.split('=')[1]).getTime() < Date.now());
      if (!value || expired) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  private async send(url: string, form?: Record<string, string>) {
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    this.keep(res);
    return res;
  }

  /** Follows redirects from `url`: returns the first address off the provider, or the provider's page that stops. */
  async go(url: string, form?: Record<string, string>): Promise<{ leftTo: string | null; page: string; url: string }> {
    let res = await this.send(url, form);
    let at = url;
    for (let hops = 0; hops < 15; hops++) {
      const loc = res.headers.get('location');
      if (!loc || res.status < 300 || res.status >= 400) break;
      at = new URL(loc, at).href;
      if (!at.startsWith(this.issuer)) return { leftTo: at, page: '', url: at };
      res = await this.send(at);
    }
    return { leftTo: null, page: await res.text(), url: at };
  }

  /** Logs in on the provider's login page reached from `authorizeUrl`; returns the platform callback address. */
  async login(authorizeUrl: string, login: string, password: string): Promise<string> {
    const first = await this.go(authorizeUrl);
    if (first.leftTo) return first.leftTo; // the provider remembered the login
    const action = /<form method="post" action="([^"]+)"/.exec(first.page)?.[1];
    if (!action) throw new Error(`no login form at ${first.url}: ${first.page.slice(0, 300)}`);
    const done = await this.go(new URL(action, first.url).href, { login, password });
    if (!done.leftTo) throw new Error(`login as ${login} did not return: ${done.page.slice(0, 300)}`);
    return done.leftTo;
  }

  /** The provider's 退出 page: confirms with its own form and returns where the provider sends the browser after. */
  async confirmLogout(endSessionUrl: string): Promise<string | null> {
    const page = await this.go(endSessionUrl);
    if (page.leftTo) return page.leftTo;
    const action = /<form[^>]*action="([^"]+)"/.exec(page.page)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.page)?.[1];
    if (!action || !xsrf) throw new Error(`no logout form: ${page.page.slice(0, 300)}`);
    return (await this.go(new URL(action, page.url).href, { xsrf, logout: 'yes' })).leftTo;
  }
}
