import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { engineSpecs, readContext, resolveEngine } from './engines';

/** A folder of TLS client files (the DOCKER_CERT_PATH layout): contents only matter to the reader. */
function certDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dec-certs-'));
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(dir, f), `-- ${f} --\n`);
  return dir;
}

/** A Docker configuration folder holding one context, laid out as `docker context create` does. */
function contextConfig(name: string, host: string, tls?: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dec-docker-config-'));
  const digest = createHash('sha256').update(name).digest('hex');
  mkdirSync(path.join(dir, 'contexts', 'meta', digest), { recursive: true });
  writeFileSync(
    path.join(dir, 'contexts', 'meta', digest, 'meta.json'),
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }),
  );
  if (tls) {
    const target = path.join(dir, 'contexts', 'tls', digest, 'docker');
    mkdirSync(target, { recursive: true });
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(target, f), `-- ${f} --\n`);
  }
  return dir;
}

describe('engine specs', () => {
  it('takes repeated flags, else DEC_ENGINES, trimmed and without duplicates', () => {
    expect(engineSpecs(undefined, undefined)).toEqual([]);
    expect(engineSpecs(undefined, ' unix:///a.sock , ssh://u@h,,unix:///a.sock')).toEqual(['unix:///a.sock', 'ssh://u@h']);
    expect(engineSpecs(['tcp://h:2376'], undefined)).toEqual(['tcp://h:2376']);
  });

  it('reads --engine flags, which win over DEC_ENGINES, and defaults to none (the local engine)', () => {
    expect(loadConfig({}, {}).engines).toEqual([]);
    expect(loadConfig({}, { DEC_ENGINES: 'unix:///a.sock,salle-2' }).engines).toEqual(['unix:///a.sock', 'salle-2']);
    expect(loadConfig({ engine: ['ssh://p@h'] }, { DEC_ENGINES: 'unix:///a.sock' }).engines).toEqual(['ssh://p@h']);
  });

  it('resolves a unix socket as a local engine', () => {
    const e = resolveEngine('unix:///run/dec-engine2/docker.sock', {});
    expect(e).toMatchObject({ id: 'unix:///run/dec-engine2/docker.sock', local: true, docker: { socketPath: '/run/dec-engine2/docker.sock' } });
    expect(e.cliEnv).toEqual({ DOCKER_HOST: 'unix:///run/dec-engine2/docker.sock' });
  });

  it('resolves tcp:// with the TLS files of ?certs= for dockerode and the CLI', () => {
    const certs = certDir();
    const e = resolveEngine(`tcp://10.0.0.5:2376?certs=${certs}`, {});
    expect(e.id).toBe('tcp://10.0.0.5:2376');
    expect(e.local).toBe(false);
    expect(e.docker).toMatchObject({ host: '10.0.0.5', port: 2376, protocol: 'https' });
    expect(String((e.docker as { ca: Buffer }).ca)).toContain('ca.pem');
    expect(e.cliEnv).toEqual({ DOCKER_HOST: 'tcp://10.0.0.5:2376', DOCKER_CERT_PATH: certs, DOCKER_TLS_VERIFY: '1' });
  });

  it('takes DOCKER_CERT_PATH when tcp:// names no folder, and plain HTTP without any', () => {
    const certs = certDir();
    expect(resolveEngine('tcp://h', { DOCKER_CERT_PATH: certs }).docker).toMatchObject({ port: 2376, protocol: 'https' });
    expect(resolveEngine('tcp://h', {}).docker).toMatchObject({ port: 2375, protocol: 'http' });
  });

  it('says which TLS file is missing', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'dec-nocerts-'));
    expect(() => resolveEngine(`tcp://h:2376?certs=${empty}`, {})).toThrow(`${path.join(empty, 'ca.pem')} illisible`);
  });

  it('resolves ssh:// with the agent or a key file, and refuses neither', () => {
    const e = resolveEngine('ssh://prof@salle-2:2222', { SSH_AUTH_SOCK: '/tmp/agent.sock' });
    expect(e.docker).toMatchObject({ host: 'salle-2', port: 2222, protocol: 'ssh', username: 'prof', sshOptions: { agent: '/tmp/agent.sock' } });
    expect(e.cliEnv).toEqual({ DOCKER_HOST: 'ssh://prof@salle-2:2222' });
    const key = path.join(certDir(), 'key.pem');
    expect(resolveEngine(`ssh://prof@salle-2?key=${key}`, {}).docker).toMatchObject({ port: 22, sshOptions: { privateKey: expect.any(Buffer) } });
    expect(() => resolveEngine('ssh://prof@salle-2', {})).toThrow('SSH_AUTH_SOCK');
  });

  it('accepts an ssh host key only when the user\'s known_hosts holds it for that host and port', () => {
    const home = mkdtempSync(path.join(tmpdir(), 'dec-home-'));
    mkdirSync(path.join(home, '.ssh'));
    const blob = Buffer.from('a host key blob');
    writeFileSync(path.join(home, '.ssh', 'known_hosts'), `[salle-2]:2222 ssh-ed25519 ${blob.toString('base64')}\n`);
    const verifier = (spec: string) =>
      (resolveEngine(spec, { HOME: home, SSH_AUTH_SOCK: '/tmp/a' }).docker as { sshOptions: { hostVerifier(k: Buffer): boolean } }).sshOptions.hostVerifier;
    expect(verifier('ssh://prof@salle-2:2222')(blob)).toBe(true);
    expect(verifier('ssh://prof@salle-2:2222')(Buffer.from('another key'))).toBe(false);
    expect(verifier('ssh://prof@salle-2')(blob)).toBe(false);
    expect(verifier('ssh://prof@salle-3:2222')(blob)).toBe(false);
  });

  it('refuses other schemes', () => {
    expect(() => resolveEngine('npipe:////./pipe/docker_engine', {})).toThrow('non prise en charge');
  });

  it('reads a Docker context: its endpoint, its TLS files, and the CLI uses the context itself', () => {
    const config = contextConfig('salle-b', 'tcp://192.0.2.10:2376', 'tls');
    const e = resolveEngine('salle-b', { DOCKER_CONFIG: config });
    expect(e).toMatchObject({ id: 'salle-b', url: 'tcp://192.0.2.10:2376', local: false, docker: { host: '192.0.2.10', protocol: 'https' } });
    expect(e.cliEnv).toEqual({ DOCKER_CONTEXT: 'salle-b', DOCKER_CONFIG: config });
    expect(readContext('salle-b', { DOCKER_CONFIG: config }).tlsDir).toContain(path.join('contexts', 'tls'));
  });

  it('names the context folder it looked in for an unknown name', () => {
    const config = contextConfig('autre', 'unix:///x.sock');
    expect(() => resolveEngine('salle-z', { DOCKER_CONFIG: config })).toThrow(/contexte inconnu.*docker context ls/);
  });

});
