import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { NODE_NAME, NODE_NAME_HINT, roleOf } from '../../src/shared/nodes';

/**
 * The machines of an SSH cluster: written by hand for a lab room or cloud VMs, or generated
 * from `vagrant ssh-config` (server/drivers/vagrant.ts). Host keys are always verified against
 * an OpenSSH known_hosts file.
 */
const Node = z
  .object({
    name: z.string().regex(NODE_NAME, NODE_NAME_HINT),
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
    throw new InventoryError(`${file}:${pos.line}:${pos.col}: YAML invalide : ${doc.errors[0]!.message.split('\n')[0]}`);
  }
  const parsed = Inventory.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const node = doc.getIn(issue.path as (string | number)[], true) as { range?: [number] } | undefined;
    const pos = lines.linePos(node?.range?.[0] ?? 0);
    throw new InventoryError(`${file}:${pos.line}:${pos.col}: champ « ${issue.path.join('.')} » : ${issue.message}`);
  }
  const base = path.dirname(path.resolve(file));
  const inv = parsed.data;
  const names = new Set<string>();
  for (const n of inv.nodes) {
    if (names.has(n.name)) throw new InventoryError(`${file}: nœud « ${n.name} » en double`);
    names.add(n.name);
  }
  if (!names.has('manager1')) throw new InventoryError(`${file}: l’inventaire doit contenir manager1 (il initialise le swarm)`);
  return {
    file,
    knownHosts: expandHome(inv.knownHosts, base),
    sudo: inv.sudo,
    nodes: inv.nodes.map((n) => ({
      name: n.name,
      role: roleOf(n.name),
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
    throw new InventoryError(`inventaire SSH introuvable : ${file}`);
  }
  const inventory = parseInventory(file, text);
  let known: string | undefined;
  try {
    known = readFileSync(inventory.knownHosts, 'utf8');
  } catch {
    // Missing: every connection is refused with the host key error, which names the file.
  }
  const problems = known === undefined ? [] : checkKnownHosts(inventory.knownHosts, known, inventory.nodes);
  if (problems.length) throw new InventoryError(problems.join('\n'));
  return inventory;
}

/** One line of an OpenSSH known_hosts file (man 8 sshd, « SSH_KNOWN_HOSTS FILE FORMAT »). */
interface KnownHost {
  line: number;
  marker: '@revoked' | '@cert-authority' | null;
  hosts: string;
  type: string;
  blob: string;
}

function parseKnownHosts(text: string): KnownHost[] {
  const entries: KnownHost[] = [];
  text.split('\n').forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (fields.length < 3 || fields[0]!.startsWith('#')) return;
    const marker = fields[0] === '@revoked' || fields[0] === '@cert-authority' ? fields[0] : null;
    if (fields[0]!.startsWith('@') && !marker) return; // an unknown marker: the line is ignored, as OpenSSH does
    const [hosts, type, blob] = marker ? fields.slice(1) : fields;
    if (hosts && type && blob) entries.push({ line: i + 1, marker, hosts, type, blob });
  });
  return entries;
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
function lookupName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** OpenSSH wildcards: `*` any run, `?` one character; case-insensitive. */
function wildcard(pattern: string, name: string): boolean {
  const re = pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(name.toLowerCase());
}

/** Whether a hosts field (`|1|salt|hash`, or comma-separated patterns with `!` negations) names `name`. */
function hostsMatch(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
    const want = Buffer.from(hash, 'base64');
    return want.length === mac.length && timingSafeEqual(mac, want);
  }
  let matched = false;
  for (const pattern of hosts.split(',')) {
    if (pattern.startsWith('!')) {
      if (wildcard(pattern.slice(1), name)) return false;
    } else if (wildcard(pattern, name)) matched = true;
  }
  return matched;
}

/**
 * The base64 key blobs known_hosts accepts for a host: plain, hashed (`ssh-keygen -H`) and
 * pattern entries for `host` or `[host]:port`, minus every key marked `@revoked` (whatever its
 * host). `@cert-authority` lines are never host keys (checkKnownHosts refuses them clearly).
 */
export function knownKeys(knownHostsText: string, host: string, port: number): string[] {
  const entries = parseKnownHosts(knownHostsText);
  const revoked = new Set(entries.filter((e) => e.marker === '@revoked').map((e) => e.blob));
  const name = lookupName(host, port);
  return entries.filter((e) => e.marker === null && !revoked.has(e.blob) && hostsMatch(e.hosts, name)).map((e) => e.blob);
}

/**
 * Problems of a known_hosts file for these nodes, in French with file:line: host certificates
 * (`@cert-authority`) are not supported by the SSH library, so a node that relies on one
 * would never connect; say so rather than fail later.
 */
export function checkKnownHosts(file: string, knownHostsText: string, nodes: Pick<InventoryNode, 'name' | 'host' | 'port'>[]): string[] {
  const problems: string[] = [];
  for (const entry of parseKnownHosts(knownHostsText)) {
    if (entry.marker !== '@cert-authority') continue;
    for (const n of nodes) {
      if (hostsMatch(entry.hosts, lookupName(n.host, n.port))) {
        problems.push(`${file}:${entry.line}: @cert-authority n’est pas pris en charge (${n.name}) : ajoutez la clé de l’hôte elle-même (ssh-keyscan -p ${n.port} ${n.host} >> ${path.basename(file)})`);
      }
    }
  }
  return problems;
}
