import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DriverChoice } from './drivers/types';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ServerConfig {
  host: string;
  port: number;
  /** `dev`: Vite middleware with hot reload; `static`: the built site in dist/. */
  mode: 'dev' | 'static';
  dataDir: string;
  driver: DriverChoice;
  nodeImage?: string;
  privileged: 'auto' | 'yes' | 'no';
  /** Origins allowed besides the server's own (e.g. the course on GitHub Pages pointing at a local server). */
  allowedOrigins: string[];
  /** How long a terminal survives without a browser. */
  graceMs: number;
  /** Inventory of the `ssh` driver. */
  inventory?: string;
  /** How the checker reaches DinD nodes' engines (see DindOptions.api). */
  nodeApi: 'auto' | 'socket' | 'exec';
}

export interface ConfigFlags {
  host?: string;
  port?: string;
  static?: boolean;
  'data-dir'?: string;
  driver?: string;
  image?: string;
  privileged?: string;
  'allow-origin'?: string[];
  inventory?: string;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], what: string, fallback: T): T {
  if (value === undefined || value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`${what} « ${value} » inconnu : valeurs possibles ${allowed.join(', ')}`);
}

/** Flags win over environment variables (DEC_HOST, DEC_PORT, DEC_DATA_DIR, DEC_DRIVER, DEC_NODE_IMAGE, DEC_PRIVILEGED). */
export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const port = Number(flags.port ?? env.DEC_PORT ?? 4173);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`port invalide : ${flags.port ?? env.DEC_PORT}`);
  return {
    host: flags.host ?? env.DEC_HOST ?? '127.0.0.1',
    port,
    mode: flags.static ? 'static' : 'dev',
    dataDir: path.resolve(flags['data-dir'] ?? env.DEC_DATA_DIR ?? path.join(REPO_ROOT, 'var')),
    driver: oneOf(flags.driver ?? env.DEC_DRIVER, ['auto', 'dind', 'local', 'ssh', 'vagrant', 'none'] as const, 'pilote', 'auto'),
    inventory: flags.inventory ?? env.DEC_INVENTORY ?? undefined,
    nodeApi: oneOf(env.DEC_NODE_API, ['auto', 'socket', 'exec'] as const, 'accès aux nœuds', 'auto'),
    nodeImage: flags.image ?? env.DEC_NODE_IMAGE ?? undefined,
    privileged: oneOf(flags.privileged ?? env.DEC_PRIVILEGED, ['auto', 'yes', 'no'] as const, 'mode privilégié', 'auto'),
    allowedOrigins: [...(flags['allow-origin'] ?? []), ...(env.DEC_ALLOW_ORIGINS?.split(',').filter(Boolean) ?? [])],
    graceMs: Number(env.DEC_TERMINAL_GRACE_MS ?? 15 * 60_000),
  };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
