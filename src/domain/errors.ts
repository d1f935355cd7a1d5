/** The one error type of the platform. The HTTP layer maps `status` and shapes `{ error: { code, message, fields } }`. */
export type FieldErrors = Record<string, string>;

export class DomainError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 423 | 428 | 429 | 503,
    readonly code: string,
    message: string,
    readonly fields?: FieldErrors,
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const badInput = (code: string, message: string, fields?: FieldErrors) =>
  new DomainError(400, code, message, fields);
export const unauthenticated = (message = '请先登录') => new DomainError(401, 'UNAUTHENTICATED', message);
export const forbidden = (message = '无权执行此操作') => new DomainError(403, 'FORBIDDEN', message);
export const notFound = (what: string) => new DomainError(404, 'NOT_FOUND', `${what}不存在`);
export const conflict = (code: string, message: string, fields?: FieldErrors) =>
  new DomainError(409, code, message, fields);
export const ruleBroken = (code: string, message: string, fields?: FieldErrors) =>
  new DomainError(422, code, message, fields);
