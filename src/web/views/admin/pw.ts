import { currentLang } from '@/i18n';

/** The password rule's message (src/domain/password.ts, Chinese) in the language shown. */
const EN: Record<string, string> = {
  '密码至少 8 位': 'At least 8 characters',
  '密码最多 128 位': 'At most 128 characters',
  '密码须包含大写字母、小写字母、数字、符号中的至少 3 类': 'Use at least 3 of: capitals, lower case, digits, symbols',
};
export const pwText = (m: string | null) => (m && currentLang() === 'en' ? (EN[m] ?? m) : m);
