import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { hashToken, sameHash } from './learners';

/**
 * Where a running server says how to reach it, so the CLI can drive the browser's terminals
 * and the room. No token here: the CLI proves it runs as the data folder's owner by writing a
 * one-use grant (the hash of a fresh secret, valid for a minute) that the server consumes.
 */
const Info = z.object({ url: z.string().url(), pid: z.number().int() });
export type ServerInfo = z.infer<typeof Info>;

const Grant = z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/), expires: z.number() });

const FILE = 'server.json';
const GRANT = 'cli-grant.json';
const GRANT_MS = 60_000;

export async function writeServerInfo(dataDir: string, info: ServerInfo): Promise<void> {
  await writeFile(path.join(dataDir, FILE), JSON.stringify(info), { mode: 0o600 });
}

export async function readServerInfo(dataDir: string): Promise<ServerInfo | undefined> {
  try {
    const info = Info.parse(JSON.parse(await readFile(path.join(dataDir, FILE), 'utf8')));
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}

export async function removeServerInfo(dataDir: string): Promise<void> {
  await rm(path.join(dataDir, FILE), { force: true });
  await rm(path.join(dataDir, GRANT), { force: true });
}

/** CLI side: a secret for one request to the running server, as its local instructor. */
export async function issueCliGrant(dataDir: string): Promise<string> {
  const secret = randomBytes(24).toString('base64url');
  await writeFile(path.join(dataDir, GRANT), JSON.stringify({ hash: hashToken(secret), expires: Date.now() + GRANT_MS }), { mode: 0o600 });
  return secret;
}

/** Server side: true (once) when `secret` is the CLI's current grant. */
export function takeCliGrant(dataDir: string, secret: string): boolean {
  const file = path.join(dataDir, GRANT);
  let grant: z.infer<typeof Grant>;
  try {
    grant = Grant.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return false;
  }
  if (grant.expires < Date.now() || !sameHash(hashToken(secret), grant.hash)) return false;
  rmSync(file, { force: true });
  return true;
}
