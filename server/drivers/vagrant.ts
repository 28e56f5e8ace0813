import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { isNodeName, roleOf } from '../../src/shared/nodes';
import type { SshInventory } from './inventory';

const run = promisify(execFile);

interface SshConfigHost {
  name: string;
  host: string;
  port: number;
  user: string;
  identityFile: string;
}

/** Parses `vagrant ssh-config` output (one `Host` block per machine). */
export function parseSshConfig(text: string): SshConfigHost[] {
  const hosts: SshConfigHost[] = [];
  let current: Partial<SshConfigHost> | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const m = /^(\S+)\s+(.+)$/.exec(line);
    if (!m) continue;
    const [, key, value] = m;
    if (key === 'Host') {
      current = { name: value!.trim() };
      hosts.push(current as SshConfigHost);
    } else if (current) {
      if (key === 'HostName') current.host = value!.trim();
      else if (key === 'Port') current.port = Number(value);
      else if (key === 'User') current.user = value!.trim();
      else if (key === 'IdentityFile' && !current.identityFile) current.identityFile = value!.trim().replace(/^"|"$/g, '');
    }
  }
  return hosts.filter((h) => h.host && h.port && h.user && h.identityFile);
}

/**
 * The `vagrant` backend is the `ssh` driver fed by Vagrant: machines from `vagrant ssh-config`
 * in vagrant/, host keys recorded on first contact (ssh-keyscan) into the data folder and
 * verified on every later connection.
 */
export async function vagrantInventory(vagrantDir: string, dataDir: string): Promise<SshInventory> {
  let stdout: string;
  try {
    ({ stdout } = await run('vagrant', ['ssh-config'], { cwd: vagrantDir, timeout: 60_000 }));
  } catch (error) {
    throw new Error(`« vagrant ssh-config » a échoué dans ${vagrantDir} : les VM sont-elles démarrées (vagrant up) ? (${(error as Error).message.split('\n')[0]})`);
  }
  const hosts = parseSshConfig(stdout).filter((h) => isNodeName(h.name));
  if (!hosts.some((h) => h.name === 'manager1')) throw new Error('aucune VM manager1 dans « vagrant ssh-config »');
  const knownHosts = path.join(dataDir, 'vagrant_known_hosts');
  await mkdir(dataDir, { recursive: true });
  const known = await readFile(knownHosts, 'utf8').catch(() => '');
  let added = '';
  for (const h of hosts) {
    const name = h.port === 22 ? h.host : `[${h.host}]:${h.port}`;
    if (known.split('\n').some((l) => l.split(' ')[0] === name)) continue;
    const { stdout: keys } = await run('ssh-keyscan', ['-p', String(h.port), '-T', '10', h.host], { timeout: 20_000 });
    added += keys;
  }
  if (added) await writeFile(knownHosts, known + added, { mode: 0o600 });
  return {
    file: path.join(vagrantDir, 'Vagrantfile'),
    knownHosts,
    sudo: 'sudo -n',
    nodes: hosts.map((h) => ({
      name: h.name,
      role: roleOf(h.name),
      host: h.host,
      port: h.port,
      user: h.user,
      identityFile: h.identityFile,
      // The private network of the Vagrantfile is the VM's second interface.
      advertiseAddr: 'eth1',
    })),
  };
}
