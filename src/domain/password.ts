/** Password rule: at least 8 characters and at least 3 of 4 classes (lower, upper, digit, symbol). */
export function passwordProblem(pw: string): string | null {
  if (pw.length < 8) return '密码至少 8 位';
  if (pw.length > 128) return '密码最多 128 位';
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((r) => r.test(pw)).length;
  if (classes < 3) return '密码须包含大写字母、小写字母、数字、符号中的至少 3 类';
  return null;
}

export const MOBILE_RE = /^1\d{10}$/;
export const USERNAME_RE = /^[A-Za-z][A-Za-z0-9_]{3,31}$/;
