import { describe, expect, it } from 'vitest';
import { MOBILE_RE, passwordProblem, USERNAME_RE } from './password';

describe('password rule: at least 8 characters and 3 of 4 classes', () => {
  it('accepts strong passwords', () => {
    for (const pw of [
      'Test@2026x',
      'abcDEF12',
      'abc123!@',
      'ABC123!@',
      'abcDEF!@',
      'A1!bcdef',
      'x'.repeat(125) + 'A1!',
    ]) {
      expect(passwordProblem(pw), pw).toBeNull();
    }
  });

  it('refuses short ones, at 7 characters but not at 8', () => {
    expect(passwordProblem('Ab1!xyz')).toBe('密码至少 8 位');
    expect(passwordProblem('Ab1!xyzw')).toBeNull();
    expect(passwordProblem('')).toBe('密码至少 8 位');
  });

  it('refuses more than 128 characters', () => {
    expect(passwordProblem('Ab1!'.repeat(32))).toBeNull();
    expect(passwordProblem('Ab1!'.repeat(32) + 'x')).toBe('密码最多 128 位');
  });

  it('refuses passwords of one or two classes', () => {
    for (const pw of [
      'abcdefgh',
      'ABCDEFGH',
      '12345678',
      '!@#$%^&*',
      'abcdefg1',
      'ABCDEFG!',
      'abcdEFGH',
      '1234!@#$',
      'password123',
    ]) {
      expect(passwordProblem(pw), pw).toMatch(/至少 3 类/);
    }
  });

  it('counts any other character, such as Chinese or a space, as a symbol', () => {
    expect(passwordProblem('abcd1234中')).toBeNull();
    expect(passwordProblem('abcd 1234')).toBeNull();
  });
});

describe('identifiers', () => {
  it('mobile numbers: 11 digits starting with 1', () => {
    expect(MOBILE_RE.test('13912345678')).toBe(true);
    expect(MOBILE_RE.test('23912345678')).toBe(false);
    expect(MOBILE_RE.test('1391234567')).toBe(false);
    expect(MOBILE_RE.test('139123456789')).toBe(false);
  });

  it('user names: a letter, then 3–31 letters, digits or underscores', () => {
    expect(USERNAME_RE.test('abcd')).toBe(true);
    expect(USERNAME_RE.test('a_b_1')).toBe(true);
    expect(USERNAME_RE.test('abc')).toBe(false);
    expect(USERNAME_RE.test('1abc')).toBe(false);
    expect(USERNAME_RE.test('ab-cd')).toBe(false);
    expect(USERNAME_RE.test('a'.repeat(32))).toBe(true);
    expect(USERNAME_RE.test('a'.repeat(33))).toBe(false);
  });
});
