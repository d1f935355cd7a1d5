import { currentLang } from './i18n';

/** Display formats: ¥ with separators, 万元 with 2 decimals, times in China Standard Time. */
export function yuan(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return '—';
  const neg = fen < 0;
  const a = Math.abs(fen);
  return `${neg ? '-' : ''}¥${Math.floor(a / 100).toLocaleString('en-US')}.${String(a % 100).padStart(2, '0')}`;
}
export const wan = (fen: number | null | undefined) =>
  fen === null || fen === undefined ? '—' : `${(fen / 1_000_000).toFixed(2)} 万元`;

const fmt = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const p = Object.fromEntries(fmt.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}
export const formatDate = (iso: string | null | undefined) => (iso ? formatTime(iso).slice(0, 10) : '—');

/** Names in a row, in the language shown: 甲、乙 / A, B. */
export const listText = (items: readonly string[]) => items.join(currentLang() === 'en' ? ', ' : '、');
/** A note in brackets after a text, in the language shown: （注） / (note). */
export const bracketed = (text: string) => (currentLang() === 'en' ? ` (${text})` : `（${text}）`);
/** An instrument's name in the language shown: its English name, where it has one, on English pages. */
export const instrumentName = (i: { name: string; nameEn?: string | null }) =>
  (currentLang() === 'en' && i.nameEn) || i.name;
