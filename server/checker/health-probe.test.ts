import { describe, expect, it } from 'vitest';
import { healthArgv } from './health-probe';

describe('the health command a probe runs', () => {
  it('runs CMD-SHELL through a shell and CMD as is', () => {
    expect(healthArgv(['CMD-SHELL', '[ -f /usr/share/nginx/html/index.html ]'])).toEqual(['/bin/sh', '-c', '[ -f /usr/share/nginx/html/index.html ]']);
    expect(healthArgv(['CMD', 'test', '-f', '/index.html'])).toEqual(['test', '-f', '/index.html']);
  });

  it('has nothing to run without a test (NONE, empty, inherited)', () => {
    expect(healthArgv(['NONE'])).toBeUndefined();
    expect(healthArgv([])).toBeUndefined();
    expect(healthArgv(['CMD-SHELL'])).toBeUndefined();
  });
});
