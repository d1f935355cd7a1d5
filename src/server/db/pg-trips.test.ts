import { CompiledQuery } from 'kysely';
import { describe, expect, it } from 'vitest';
import { inlined } from './pg-trips';

const q = (sql: string, parameters: unknown[]) => CompiledQuery.raw(sql, parameters);

describe('inlined: a statement with its parameters written in as node-postgres would send them', () => {
  it.each([
    ['no parameters: the text as it is', q('select 1', []), 'select 1'],
    ['a string', q('select * from t where id = $1', ['a']), "select * from t where id = 'a'"],
    ['a quote in a string', q('select $1', ["O'Brien"]), "select 'O''Brien'"],
    ['a backslash: an E string', q('select $1', ['a\\b']), "select  E'a\\\\b'" /* escapeLiteral's own leading space */],
    ['a number, quoted (typed from its context)', q('update t set n = n + $1', [1]), "update t set n = n + '1'"],
    ['a fraction', q('select $1', [2.5]), "select '2.5'"],
    ['a bigint', q('select $1', [12n]), "select '12'"],
    ['booleans', q('select $1, $2', [true, false]), "select 'true', 'false'"],
    ['null and undefined', q('select $1, $2', [null, undefined]), 'select NULL, NULL'],
    [
      '$10 is not $1 followed by 0',
      q(`select ${Array.from({ length: 10 }, (_, i) => `$${i + 1}`).join(',')}`, [
        'a',
        'b',
        'c',
        'd',
        'e',
        'f',
        'g',
        'h',
        'i',
        'j',
      ]),
      "select 'a','b','c','d','e','f','g','h','i','j'",
    ],
    [
      'an array of strings',
      q('select unnest($1::text[])', [['a', 'b"c', null]]),
      `select unnest( E'{"a","b\\\\"c",NULL}'::text[])`,
    ],
    ['unicode', q('select $1', ['检测报告']), "select '检测报告'"],
  ])('%s', (_name, query, expected) => {
    expect(inlined(query)).toBe(expected);
  });

  it.each([
    ['a Buffer', q('select $1', [Buffer.from('x')])],
    ['an object', q('select $1', [{ a: 1 }])],
    ['a Date', q('select $1', [new Date(0)])],
    ['NaN', q('select $1', [NaN])],
    ['an array of objects', q('select $1', [[{ a: 1 }]])],
    ['a quote in the text: a $1 inside it must stay', q("select '$1', $1", ['a'])],
    ['a dollar quote in the text', q('select $$x$$, $1', ['a'])],
    ['a parameter the text names but was not given', q('select $1, $2', ['a'])],
  ])('keeps the parameters for %s', (_name, query) => {
    expect(inlined(query)).toBeNull();
  });
});
