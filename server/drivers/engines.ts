import type Docker from 'dockerode';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { knownKeys } from './inventory';

/**
 * The Docker engines a server places clusters on (`--engine`, DEC_ENGINES), each given as an
 * engine URL or a Docker context name, resolved here into what dockerode takes (the server's
 * API calls) and what the docker CLI takes (the terminals' `docker exec`).
 *
 * - `unix:///path/docker.sock`: an engine on this machine;
 * - `tcp://host:2376?certs=DIR`: TLS with the client files of DIR (ca.pem, cert.pem, key.pem,
 *   the DOCKER_CERT_PATH layout); without `certs`, DOCKER_CERT_PATH when set, else plain HTTP;
 * - `ssh://user@host[:port][?key=FILE]`: `docker system dial-stdio` over SSH (ssh-agent, or the
 *   key file), the host key checked against the user's ~/.ssh/known_hosts, the remote user
 *   allowed to use Docker;
 * - any other word: a Docker context (`docker context create …`), read from the CLI's
 *   configuration (DOCKER_CONFIG, else ~/.docker): its endpoint and TLS files.
 */

export interface EngineTarget {
  /** How the instructor named it (the URL without its options, or the context name): logs, messages, labels. */
  readonly id: string;
  /** The endpoint (`unix://…`, `tcp://…`, `ssh://…`). */
  readonly url: string;
  /** dockerode's options for it. */
  readonly docker: Docker.DockerOptions;
  /** Environment of a docker CLI that talks to it (on top of the server's). */
  readonly cliEnv: Record<string, string>;
  /** The engine runs on this machine: its containers may share a unix socket with the server. */
  readonly local: boolean;
}

export const DEFAULT_ENGINE = 'unix:///var/run/docker.sock';

/** DEC_ENGINES (comma-separated) or the repeated --engine flags; none: the local engine as always. */
export function engineSpecs(flags: string[] | undefined, env: string | undefined): string[] {
  const given = [...(flags ?? []), ...(env?.split(',') ?? [])].map((s) => s.trim()).filter(Boolean);
  return [...new Set(given)];
}

interface ContextMeta {
  Name?: string;
  Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } };
}

/** Where the docker CLI keeps its configuration. */
function dockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || path.join(homedir(), '.docker');
}

/** A Docker context's endpoint and TLS folder, as `docker context create` stored them. */
export function readContext(name: string, env: NodeJS.ProcessEnv = process.env): { host: string; tlsDir?: string; skipVerify: boolean } {
  const digest = createHash('sha256').update(name).digest('hex');
  const dir = dockerConfigDir(env);
  const metaFile = path.join(dir, 'contexts', 'meta', digest, 'meta.json');
  let meta: ContextMeta;
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8')) as ContextMeta;
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'contexte inconnu' : (error as Error).message;
    throw new Error(`moteur Docker « ${name} » : ni une adresse (unix://, tcp://, ssh://) ni un contexte Docker lisible (${why}, ${metaFile}) ; voir « docker context ls »`);
  }
  const host = meta.Endpoints?.docker?.Host;
  if (!host) throw new Error(`contexte Docker « ${name} » sans point d’accès docker (${metaFile})`);
  const tlsDir = path.join(dir, 'contexts', 'tls', digest, 'docker');
  const hasTls = (() => {
    try {
      readFileSync(path.join(tlsDir, 'ca.pem'));
      return true;
    } catch {
      return false;
    }
  })();
  return { host, tlsDir: hasTls ? tlsDir : undefined, skipVerify: meta.Endpoints?.docker?.SkipTLSVerify === true };
}

/** Whether known_hosts (read at each connection: it may change) holds this key for the host. */
function knownHostKey(file: string, host: string, port: number, key: Buffer): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  return knownKeys(text, host, port).includes(key.toString('base64'));
}

function readPem(dir: string, file: string, what: string): Buffer {
  try {
    return readFileSync(path.join(dir, file));
  } catch {
    throw new Error(`moteur Docker ${what} : fichier TLS ${path.join(dir, file)} illisible (il faut ca.pem, cert.pem et key.pem)`);
  }
}

/** One engine given on the command line, resolved (contexts are read now: a typo fails at start). */
export function resolveEngine(spec: string, env: NodeJS.ProcessEnv = process.env): EngineTarget {
  if (!/^[a-z]+:\/\//.test(spec)) {
    if (spec === 'default') return { ...resolveEngine(env.DOCKER_HOST || DEFAULT_ENGINE, env), id: spec };
    const context = readContext(spec, env);
    const target = endpoint(context.host, { certs: context.tlsDir, skipVerify: context.skipVerify }, spec, env);
    // The CLI reads the same context itself (and the same configuration folder).
    const cliEnv: Record<string, string> = { DOCKER_CONTEXT: spec };
    if (env.DOCKER_CONFIG) cliEnv.DOCKER_CONFIG = env.DOCKER_CONFIG;
    return { ...target, id: spec, cliEnv };
  }
  const url = new URL(spec);
  const options = { certs: url.searchParams.get('certs') ?? undefined, key: url.searchParams.get('key') ?? undefined, skipVerify: false };
  url.search = '';
  return endpoint(url.toString().replace(/\/$/, ''), options, undefined, env);
}

function endpoint(
  address: string,
  opts: { certs?: string; key?: string; skipVerify: boolean },
  id: string | undefined,
  env: NodeJS.ProcessEnv,
): EngineTarget {
  const url = new URL(address);
  const name = id ?? address;
  switch (url.protocol) {
    case 'unix:': {
      const socketPath = url.pathname || '/var/run/docker.sock';
      return { id: name, url: `unix://${socketPath}`, docker: { socketPath }, cliEnv: { DOCKER_HOST: `unix://${socketPath}` }, local: true };
    }
    case 'tcp:': {
      const port = Number(url.port || (opts.certs || env.DOCKER_CERT_PATH ? 2376 : 2375));
      const certs = opts.certs ?? env.DOCKER_CERT_PATH;
      const plain = `tcp://${url.hostname}:${port}`;
      if (!certs) return { id: name, url: plain, docker: { host: url.hostname, port, protocol: 'http' }, cliEnv: { DOCKER_HOST: plain }, local: false };
      const tls = { ca: readPem(certs, 'ca.pem', name), cert: readPem(certs, 'cert.pem', name), key: readPem(certs, 'key.pem', name) };
      const cliEnv: Record<string, string> = { DOCKER_HOST: plain, DOCKER_CERT_PATH: certs };
      if (!opts.skipVerify) cliEnv.DOCKER_TLS_VERIFY = '1';
      const docker = { host: url.hostname, port, protocol: 'https', ...tls, ...(opts.skipVerify ? { checkServerIdentity: () => undefined } : {}) };
      return { id: name, url: plain, docker: docker as Docker.DockerOptions, cliEnv, local: false };
    }
    case 'ssh:': {
      const username = decodeURIComponent(url.username) || env.USER || 'root';
      const port = Number(url.port || 22);
      const privateKey = opts.key ? readFileSync(opts.key) : undefined;
      if (!privateKey && !env.SSH_AUTH_SOCK) {
        throw new Error(`moteur Docker ${name} : pour ssh://, un agent SSH (SSH_AUTH_SOCK) ou une clé (?key=/chemin/de/la/clé)`);
      }
      const plain = `ssh://${username}@${url.hostname}${url.port ? `:${port}` : ''}`;
      const knownHosts = path.join(env.HOME || homedir(), '.ssh', 'known_hosts');
      const docker = {
        host: url.hostname,
        port,
        protocol: 'ssh',
        username,
        sshOptions: {
          ...(privateKey ? { privateKey } : { agent: env.SSH_AUTH_SOCK }),
          // The host key must be in the user's known_hosts, as for the CLI's own ssh.
          hostVerifier: (key: Buffer) => knownHostKey(knownHosts, url.hostname, port, key),
          readyTimeout: 10_000,
        },
      };
      // The CLI runs `ssh … docker system dial-stdio` with the user's ssh configuration.
      return { id: name, url: plain, docker: docker as Docker.DockerOptions, cliEnv: { DOCKER_HOST: plain }, local: false };
    }
    default:
      throw new Error(`moteur Docker « ${name} » : adresse ${url.protocol}// non prise en charge (unix://, tcp://, ssh:// ou un contexte Docker)`);
  }
}
