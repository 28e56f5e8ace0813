import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Where a running server says how to reach it, so the CLI can drive the browser's terminals. */
export interface ServerInfo {
  url: string;
  token: string;
  pid: number;
}

const FILE = 'server.json';

export async function writeServerInfo(dataDir: string, info: ServerInfo): Promise<void> {
  await writeFile(path.join(dataDir, FILE), JSON.stringify(info), { mode: 0o600 });
}

export async function readServerInfo(dataDir: string): Promise<ServerInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(path.join(dataDir, FILE), 'utf8')) as ServerInfo;
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}

export async function removeServerInfo(dataDir: string): Promise<void> {
  await rm(path.join(dataDir, FILE), { force: true });
}
