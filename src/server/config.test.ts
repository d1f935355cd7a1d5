import { describe, expect, it } from 'vitest';
import { loadConfig, publicUrlDefault } from './config';

describe('PUBLIC_URL', () => {
  it('defaults to the address the app listens on', () => {
    expect(loadConfig({}).PUBLIC_URL).toBe('http://localhost:3000');
    expect(loadConfig({ PORT: '8080' })).toMatchObject({
      PUBLIC_URL: 'http://localhost:8080',
      publicUrlIsDefault: true,
    });
    expect(loadConfig({ HOST: '192.168.1.20', PORT: '3100' }).PUBLIC_URL).toBe('http://192.168.1.20:3100');
    expect(loadConfig({ HOST: 'yiqi.local', PORT: '80' }).PUBLIC_URL).toBe('http://yiqi.local:80');
    expect(publicUrlDefault('::', 3000)).toBe('http://localhost:3000');
    expect(publicUrlDefault('::1', 3000)).toBe('http://[::1]:3000');
  });

  it('a set PUBLIC_URL wins, without a trailing slash', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://yiqi.example.gov.cn/', PORT: '8080' })).toMatchObject({
      PUBLIC_URL: 'https://yiqi.example.gov.cn',
      publicUrlIsDefault: false,
    });
    expect(() => loadConfig({ PUBLIC_URL: 'not a url' })).toThrow(/PUBLIC_URL/);
  });
});
