import { sql, type Expression, type SqlBool } from 'kysely';

/** A LIKE pattern that matches `term` anywhere, with `\` as the escape character (a typed `%` or `_` matches itself). */
export const containsPattern = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** `column LIKE '%term%' ESCAPE '\'` on both databases; case as given (pass lower(column) and a lower-cased term to fold it). */
export const contains = (column: Expression<unknown>, term: string) =>
  sql<SqlBool>`${column} like ${containsPattern(term)} escape '\\'`;
