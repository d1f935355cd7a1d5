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

describe('STATS_REFRESH_SHARE', () => {
  it('defaults to 3% of the time, takes a share up to the whole, and names itself when out of range', () => {
    expect(loadConfig({}).STATS_REFRESH_SHARE).toBe(0.03);
    expect(loadConfig({ STATS_REFRESH_SHARE: '0.1' }).STATS_REFRESH_SHARE).toBe(0.1);
    expect(loadConfig({ STATS_REFRESH_SHARE: '1' }).STATS_REFRESH_SHARE).toBe(1);
    expect(() => loadConfig({ STATS_REFRESH_SHARE: '0' })).toThrow(/STATS_REFRESH_SHARE/);
    expect(() => loadConfig({ STATS_REFRESH_SHARE: '1.5' })).toThrow(/STATS_REFRESH_SHARE/);
    expect(() => loadConfig({ STATS_REFRESH_SHARE: 'half' })).toThrow(/STATS_REFRESH_SHARE/);
  });
});
