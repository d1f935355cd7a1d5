/** English of the API's error texts of issue 13's module (see messages-en.ts for the key format). */
export const EN_IDENTITY: Record<string, string> = {};
