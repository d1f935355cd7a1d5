/** Money is an integer number of fen everywhere. */
export const yuanToFen = (yuan: number) => Math.round(yuan * 100);
export const wanToFen = (wan: number) => Math.round(wan * 1_000_000);
export function formatYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100).toLocaleString('en-US');
  return `${sign}¥${yuan}.${String(abs % 100).padStart(2, '0')}`;
}
export const formatWan = (fen: number) => (fen / 1_000_000).toFixed(2);
