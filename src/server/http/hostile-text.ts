import type { FastifyInstance } from 'fastify';
import { INVALID_TEXT, validationFailed } from './errors';

/**
 * One rule for text that no database column may hold: U+0000 (PostgreSQL refuses it in `text`, so it used to
 * surface as a 500, while SQLite stored it) and lone UTF-16 surrogates (a JSON `\ud800` is valid JSON but no valid
 * Unicode: the driver silently turns it into U+FFFD in a text column, so what is stored is not what was sent, and
 * PostgreSQL refuses the escape inside jsonb, a 500 again).
 * Without the `u` flag a regex sees UTF-16 code units, which is what lets it find unpaired halves.
 */
// eslint-disable-next-line no-control-regex -- finding U+0000 is the point
const HOSTILE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const HOSTILE_ALL = new RegExp(HOSTILE.source, 'g');

/** Stops the walk of a huge body early: the reply names enough fields for a person to find the problem. */
const MAX_REPORTED = 100;

export const isHostileText = (s: string) => HOSTILE.test(s);

/** A key that is itself hostile is named with its bad characters written as `\uXXXX`, so the reply stays valid text. */
const printableKey = (key: string) =>
  key.replace(HOSTILE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const join = (base: string, key: string) => (base ? `${base}.${printableKey(key)}` : printableKey(key));

/**
 * The dotted paths (`items.0.name`, as validation errors name fields) of every string or key in `value` that holds
 * hostile text. Walks with an explicit stack: a 1 MB body of nested arrays must not overflow the call stack.
 */
export function findHostileText(value: unknown, base = ''): string[] {
  const found: string[] = [];
  const stack: [unknown, string][] = [[value, base]];
  while (stack.length && found.length < MAX_REPORTED) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (HOSTILE.test(v)) found.push(path || 'body');
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], join(path, String(i))]);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, child] = entries[i];
        const childPath = join(path, k);
        if (HOSTILE.test(k)) found.push(childPath);
        else stack.push([child, childPath]);
      }
    }
  }
  return found.slice(0, MAX_REPORTED);
}

/**
 * Refuses hostile text in path parameters, the query and a parsed (JSON) body with 400 VALIDATION_FAILED naming each
 * field. preValidation runs after the body is parsed and after the session/policy hooks (onRequest), and before
 * every route's schema validation and handler, so no hostile string reaches a service or SQL.
 * Multipart uploads are not parsed into `req.body` here: routes read only the file part with `req.file()`, and its
 * file name passes `safeName`, which replaces control characters; bytes decoded as UTF-8 cannot form a lone surrogate.
 */
export function registerHostileTextRule(app: FastifyInstance) {
  app.addHook('preValidation', async (req) => {
    const fields = [...findHostileText(req.params), ...findHostileText(req.query), ...findHostileText(req.body)];
    if (fields.length) throw validationFailed(Object.fromEntries(fields.map((f) => [f, INVALID_TEXT])));
  });
}
