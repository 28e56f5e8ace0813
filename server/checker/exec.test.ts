import { describe, expect, it } from 'vitest';
import { checkOn, edited } from './testing';

const NODE_LS = 'docker node ls --format "{{.Hostname}}"';

describe('exec checks (recorded states)', () => {
  it('passes on the exit code and an output that matches', async () => {
    expect(await checkOn('empty', { kind: 'exec', run: NODE_LS, output: '^worker2$' })).toEqual({
      ok: true,
      observed: 'code de sortie : 0 ; sortie : « manager1\nworker1\nworker2 »',
      expected: 'code de sortie : 0 ; sortie : correspond à /^worker2$/',
      progress: undefined,
    });
  });

  it('fails on an output that does not match', async () => {
    expect(await checkOn('empty', { kind: 'exec', run: NODE_LS, output: 'worker3' })).toMatchObject({
      ok: false,
      observed: 'sortie : « manager1\nworker1\nworker2 »',
      expected: 'sortie : correspond à /worker3/',
    });
  });

  it('compares the exit code on the node the condition names', async () => {
    const absent = { kind: 'exec', node: 'worker1', run: 'test -e /etc/absent' };
    expect(await checkOn('empty', { ...absent, exitCode: 1 })).toMatchObject({ ok: true, observed: 'code de sortie : 1' });
    expect(await checkOn('empty', { ...absent, output: '.' })).toMatchObject({
      ok: false,
      observed: 'code de sortie : 1 ; sortie : vide',
      expected: 'code de sortie : 0 ; sortie : correspond à /./',
    });
  });

  it('shortens a long output to 200 characters', async () => {
    const long = edited('empty', (s) => {
      s.execs[0]!.result.stdout = 'x'.repeat(300);
    });
    const seen = await checkOn(long, { kind: 'exec', run: NODE_LS, output: 'y' });
    expect(seen.observed).toBe(`sortie : « ${'x'.repeat(200)}… »`);
  });

  it('reads stdout and stderr together', async () => {
    const both = edited('empty', (s) => {
      s.execs[0]!.result = { code: 0, stdout: 'ok\n', stderr: 'warning: deprecated\n' };
    });
    expect(await checkOn(both, { kind: 'exec', run: NODE_LS, output: 'ok\\s+warning' })).toMatchObject({ ok: true });
  });
});
