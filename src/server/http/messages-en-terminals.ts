/** English of the API's error texts of issue 14's module (see messages-en.ts for the key format). */
export const EN_TERMINALS: Record<string, string> = {};
