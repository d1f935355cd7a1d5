import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError, type FieldErrors } from '../../domain/errors';
import { prefersEnglish, toEnglish, translate } from './messages-en';

export interface ErrorBody {
  error: { code: string; message: string; fields?: FieldErrors; [k: string]: unknown };
}

/** What a field holding U+0000 or a lone surrogate is told (http/hostile-text.ts), and a path that is not valid UTF-8. */
export const INVALID_TEXT = '不能包含空字符或无效字符';

/**
 * The one answer to bad input, whichever check found it: 400 VALIDATION_FAILED. The message says to look at the
 * fields (it names none: a field's id means nothing to a reader); each field carries its own reason.
 */
export const VALIDATION_SUMMARY = '输入有误，请检查标出的项';
export const validationFailed = (fields: FieldErrors) =>
  new DomainError(400, 'VALIDATION_FAILED', VALIDATION_SUMMARY, fields);

const EN_ZOD = z.locales.en().localeError;

/** A zod issue's reason in English: the table's English of its own (Chinese) message, else zod's English. */
function zodIssueInEnglish(v: { keyword: string; instancePath: string; message?: string; params: object }): string {
  const own = v.message ? translate(v.message) : null;
  if (own !== null) return own;
  const issue = { ...v.params, code: v.keyword, path: v.instancePath.split('/').filter(Boolean), message: v.message };
  const out = EN_ZOD(issue as unknown as Parameters<typeof EN_ZOD>[0]);
  const text = typeof out === 'string' ? out : out?.message;
  return text ?? 'Invalid input';
}

/**
 * The language of the error texts: every error body (`{ error: { message, fields } }`) goes through here before it
 * is serialised, from the error handler, the not-found handler or a route. A request that prefers English
 * (Accept-Language: en) gets the message and each field's reason from messages-en.ts; a text the table lacks stays
 * Chinese.
 */
function registerErrorLanguage(app: FastifyInstance) {
  app.addHook('preSerialization', async (req, reply, payload: unknown) =>
    reply.statusCode < 400 ? payload : inRequestLanguage(req, payload),
  );
}

/** An error body in the request's language (see registerErrorLanguage); anything else is returned as it is. */
export function inRequestLanguage<T>(req: FastifyRequest, payload: T): T {
  if (!prefersEnglish(req.headers['accept-language'])) return payload;
  const error = (payload as Partial<ErrorBody> | null)?.error;
  if (!error || typeof error !== 'object' || typeof error.message !== 'string') return payload;
  const fields = error.fields
    ? Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [k, toEnglish(String(v))]))
    : undefined;
  return { ...payload, error: { ...error, message: toEnglish(error.message), ...(fields ? { fields } : {}) } };
}

/**
 * Fastify's `frameworkErrors` option: errors raised before routing never reach the error handler. A path that is
 * not valid percent-encoded UTF-8 (`%ED%A0%80`, a lone surrogate; `%C0`) gets the one error format instead of Fastify's.
 */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (err.code === 'FST_ERR_BAD_URL') {
    const e = validationFailed({ path: INVALID_TEXT });
    return reply
      .status(400)
      .send(inRequestLanguage(req, { error: { code: e.code, message: e.message, fields: e.fields } }));
  }
  req.log.error({ err }, 'framework error');
  return reply
    .status(500)
    .send(inRequestLanguage(req, { error: { code: 'INTERNAL', message: '服务器内部错误，请稍后再试' } }));
}

/** One error format for the whole API: `{ error: { code, message, fields } }`. */
export function registerErrorHandler(app: FastifyInstance) {
  registerErrorLanguage(app);
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof DomainError) {
      return reply.status(err.status).send({
        error: { code: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}), ...err.extra },
      });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const fields: FieldErrors = {};
      const english = prefersEnglish(req.headers['accept-language']);
      for (const v of err.validation) {
        const base = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
        const keys = (v.params as { keys?: string[] }).keys;
        if (v.keyword === 'unrecognized_keys' && keys?.length) {
          for (const k of keys) fields[base ? `${base}.${k}` : k] = '不允许的字段';
        } else {
          fields[base || err.validationContext || 'body'] = english ? zodIssueInEnglish(v) : (v.message ?? '无效');
        }
      }
      const e = validationFailed(fields);
      return reply.status(400).send({ error: { code: e.code, message: e.message, fields } });
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err }, 'response did not match its schema');
      return reply.status(500).send({ error: { code: 'INTERNAL', message: '服务器内部错误' } });
    }
    const status = err.statusCode ?? 500;
    if (status === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.code === 'FST_REQ_FILE_TOO_LARGE') {
      return reply
        .status(413)
        .send({ error: { code: 'PAYLOAD_TOO_LARGE', message: '提交的内容过大', fields: { body: '内容过大' } } });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
      return reply.status(415).send({
        error: {
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: '不支持的内容类型，请以 JSON 提交',
          fields: { body: '内容类型不支持' },
        },
      });
    }
    if (
      err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
      err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
      err instanceof SyntaxError
    ) {
      return reply.status(400).send({
        error: { code: 'MALFORMED_JSON', message: '请求内容不是有效的 JSON', fields: { body: 'JSON 格式错误' } },
      });
    }
    if (status === 429) {
      return reply.status(429).send({ error: { code: 'TOO_MANY_REQUESTS', message: '请求过于频繁，请稍后再试' } });
    }
    if (status >= 400 && status < 500) {
      return reply.status(status).send({ error: { code: err.code ?? 'BAD_REQUEST', message: err.message } });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'INTERNAL', message: '服务器内部错误，请稍后再试' } });
  });
}
