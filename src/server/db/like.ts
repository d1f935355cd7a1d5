import { sql, type Expression, type SqlBool } from 'kysely';

/** A LIKE pattern that matches `term` anywhere, with `\` as the escape character. */
export const containsPattern = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** `column LIKE '%term%' ESCAPE '\'` on both databases (the column holds lower-cased text; so must the term). */
export const contains = (column: Expression<unknown>, term: string) => sql<SqlBool>`${column} like ${containsPattern(term)} escape '\\'`;
