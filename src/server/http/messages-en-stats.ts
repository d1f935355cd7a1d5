/** English of the API's error texts of issue 15's module (see messages-en.ts for the key format). */
export const EN_STATS: Record<string, string> = {};
