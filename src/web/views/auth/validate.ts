import type { z } from 'zod';

type T = (key: string, named?: Record<string, unknown>) => string;

/** The domain's password rule (Chinese, shared with the server) in the language shown. */
export function passwordText(problem: string | null, t: T): string {
  if (!problem) return '';
  if (problem.includes('至少 8')) return t('auth.rules.passwordShort');
  if (problem.includes('最多')) return t('auth.rules.passwordLong');
  return t('auth.rules.passwordClasses');
}

/**
 * Checks a body against the same zod contract the server uses, and returns one message per field, in the language
 * shown: the contract's own (Chinese) wording, or its English by the kind of issue.
 */
export function fieldIssues(schema: z.ZodType, body: unknown, t: T, lang: string): Record<string, string> {
  const r = schema.safeParse(body);
  const out: Record<string, string> = {};
  if (r.success) return out;
  for (const issue of r.error.issues) {
    const field = String(issue.path[0] ?? '');
    if (!field || out[field]) continue;
    out[field] = lang === 'en' ? english(field, issue, t) : issue.message;
  }
  return out;
}

function english(field: string, issue: z.core.$ZodIssue, t: T): string {
  if (issue.code === 'too_small') return t('auth.rules.required');
  if (issue.code === 'too_big') return t('auth.rules.tooLong', { max: (issue as { maximum?: number }).maximum ?? '' });
  if (field === 'mobile') return t('auth.rules.mobile');
  if (field === 'username') return t('auth.rules.username');
  if (field === 'email') return t('auth.rules.email');
  return issue.message;
}

/** A server's field error, named by the field's label where the message would name the field's id. */
export function serverFieldText(message: string, lang: string, fallback: string): string {
  // the server writes Chinese; in English the field's own English rule is more useful than a Chinese sentence
  return lang === 'en' && /[\u4e00-\u9fff]/.test(message) ? fallback : message;
}
