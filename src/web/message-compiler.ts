import type { MessageCompiler } from 'vue-i18n';

/** What vue-i18n passes a message function (its type leaves out `interpolate` and `normalize`). */
interface Context {
  named(key: string): unknown;
  interpolate(value: unknown): unknown;
  normalize(values: unknown[]): unknown;
}

/**
 * The web app's messages are plain text with named places, `{name}` (no plurals, linked messages or list places:
 * message-compiler.test.ts checks every message of every module against vue-i18n's own compiler). This small
 * compiler does that much, so that vue-i18n's full message compiler (about 16 KB) stays out of the first load
 * (vite.config.ts drops it with `__INTLIFY_DROP_MESSAGE_COMPILER__`).
 */
export const compileMessage: MessageCompiler = (message) => {
  const text = String(message);
  const parts = text.split(/\{\s*(\w+)\s*\}/);
  if (parts.length === 1) return () => text;
  return (ctx: unknown) => {
    const c = ctx as unknown as Context;
    return c.normalize(parts.map((part, i) => (i % 2 ? c.interpolate(c.named(part)) : part))) as string;
  };
};
