// The lab CLI refuses arguments a command does not take, before touching any engine, and names
// the right command (issue: `reset <lab>` used to ignore the lab and rebuild a plain cluster).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function lab(...args: string[]) {
  const r = spawnSync(TSX, ['server/cli.ts', ...args, '--driver', 'none'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stderr: r.stderr };
}

describe('lab CLI arguments', () => {
  it('reset <lab> is an error that names setup <lab>', () => {
    const r = lab('reset', 'stack');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('reset ne prend pas de TP');
    expect(r.stderr).toContain('npm run lab -- setup stack');
  });

  it('an extra argument is refused with the usage of the command', () => {
    const r = lab('check', 'stack/deploy', 'encore');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('check : argument en trop « encore » (usage : check <tp>[/<exercice>])');
  });

  it('isolate and reconnect take one node, like stop and start', () => {
    for (const command of ['isolate', 'reconnect']) {
      const r = lab(command, 'worker1', 'worker2');
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${command} : argument en trop « worker2 » (usage : ${command} <nœud>)`);
    }
  });

  it('an unknown command is refused', () => {
    const r = lab('demarrer');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('commande inconnue « demarrer »');
  });
});
