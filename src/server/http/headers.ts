import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * Helmet's headers that only a page (an HTML document) uses. A script, a stylesheet, an image or a JSON reply needs
 * none of them, and each costs bytes on every one of the forty-odd requests of a first load (the budget of issue 11).
 * `nosniff` and the cross-origin resource policy stay on everything.
 */
const DOCUMENT_ONLY_HEADERS = [
  'content-security-policy',
  'cross-origin-opener-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
];

/** A file of the web app that is not a page: the page policies go. */
export function dropDocumentHeaders(reply: FastifyReply) {
  for (const h of DOCUMENT_ONLY_HEADERS) reply.removeHeader(h);
}

/**
 * API replies are data, never pages: instead of the page's policy they carry the short one that OWASP advises for an
 * API (nothing may load, nothing may frame it), which also holds if someone opens a reply in a tab.
 */
export function apiReplyHeaders(api: FastifyInstance) {
  api.addHook('onSend', async (_req, reply, payload) => {
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('application/json')) {
      dropDocumentHeaders(reply);
      reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    } else if (/^image\/(webp|jpeg|png|gif)/.test(type)) {
      // an uploaded picture keeps the sandboxing policy the file routes give every upload; the rest is for pages
      const policy = reply.getHeader('content-security-policy');
      dropDocumentHeaders(reply);
      if (policy) reply.header('content-security-policy', policy);
    }
    return payload;
  });
}
