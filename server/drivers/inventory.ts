import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';

/**
 * The machines of an SSH cluster: written by hand for a lab room or cloud VMs, or generated
 * from `vagrant ssh-config` (server/drivers/vagrant.ts). Host keys are always verified against
 * an OpenSSH known_hosts file.
 */
const Node = z
  .object({
    name: z.string().regex(/^(manager|worker)[1-9]$/, 'nom de nœud attendu : manager1…, worker1…'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().min(1).optional(),
    identityFile: z.string().min(1).optional(),
    /** Address the swarm advertises (defaults to `host`). */
    advertiseAddr: z.string().optional(),
  })
  .strict();

const Inventory = z
  .object({
    user: z.string().min(1).default('root'),
    identityFile: z.string().min(1),
    knownHosts: z.string().min(1),
    /** Prefix for commands that need root (`sudo -n` for a non-root user with passwordless sudo). */
    sudo: z.string().default(''),
    nodes: z.array(Node).min(1),
  })
  .strict();

export interface InventoryNode {
  name: string;
  role: 'manager' | 'worker';
  host: string;
  port: number;
  user: string;
  identityFile: string;
  advertiseAddr: string;
}

export interface SshInventory {
  file: string;
  knownHosts: string;
  sudo: string;
  nodes: InventoryNode[];
}

export class InventoryError extends Error {}

function expandHome(p: string, base: string): string {
  if (p.startsWith('~/')) return path.join(os.homedir(), p.slice(2));
  return path.resolve(base, p);
}

export function parseInventory(file: string, text: string): SshInventory {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length) {
    const pos = lines.linePos(doc.errors[0]!.pos[0]);
    throw new InventoryError(`${file}:${pos.line}:${pos.col}: YAML invalide : ${doc.errors[0]!.message.split('\n')[0]}`);
  }
  const parsed = Inventory.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const node = doc.getIn(issue.path as (string | number)[], true) as { range?: [number] } | undefined;
    const pos = lines.linePos(node?.range?.[0] ?? 0);
    throw new InventoryError(`${file}:${pos.line}:${pos.col}: champ « ${issue.path.join('.')} » : ${issue.message}`);
  }
  const base = path.dirname(path.resolve(file));
  const inv = parsed.data;
  const names = new Set<string>();
  for (const n of inv.nodes) {
    if (names.has(n.name)) throw new InventoryError(`${file}: nœud « ${n.name} » en double`);
    names.add(n.name);
  }
  if (!names.has('manager1')) throw new InventoryError(`${file}: l’inventaire doit contenir manager1 (il initialise le swarm)`);
  return {
    file,
    knownHosts: expandHome(inv.knownHosts, base),
    sudo: inv.sudo,
    nodes: inv.nodes.map((n) => ({
      name: n.name,
      role: n.name.startsWith('manager') ? 'manager' : 'worker',
      host: n.host,
      port: n.port,
      user: n.user ?? inv.user,
      identityFile: expandHome(n.identityFile ?? inv.identityFile, base),
      advertiseAddr: n.advertiseAddr ?? n.host,
    })),
  };
}

export function loadInventory(file: string): SshInventory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InventoryError(`inventaire SSH introuvable : ${file}`);
  }
  return parseInventory(file, text);
}

/** The base64 key blobs that known_hosts lists for a host (plain entries, `host` or `[host]:port`). */
export function knownKeys(knownHostsText: string, host: string, port: number): string[] {
  const names = new Set([port === 22 ? host : `[${host}]:${port}`, `[${host}]:${port}`]);
  const keys: string[] = [];
  for (const line of knownHostsText.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 3 || fields[0]!.startsWith('#')) continue;
    const [hosts, , blob] = fields[0]!.startsWith('@') ? fields.slice(1) : fields;
    if (hosts!.split(',').some((h) => names.has(h))) keys.push(blob!);
  }
  return keys;
}
