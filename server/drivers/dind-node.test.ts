import { describe, expect, it } from 'vitest';
import { DIND_CAPS, engineCommand, nodeContainerSpec, nodeFlavour } from './dind-node';
import { LABEL } from './labels';

describe('node engine command', () => {
  it('starts docker:dind with dockerd and unix sockets only (no TCP listener, no 16 s wait)', () => {
    const exec = engineCommand('docker-dind', { shareSocket: false });
    expect(exec.cmd).toEqual(['dockerd', '--host=unix:///var/run/docker.sock']);
    const shared = engineCommand('docker-dind', { shareSocket: true, gid: 1000 });
    expect(shared.cmd).toEqual([
      'dockerd',
      '--host=unix:///var/run/docker.sock',
      '--host=unix:///run/docker-en-cluster/docker.sock',
      '--group=1000',
    ]);
    for (const c of [exec, shared]) {
      expect(c.cmd.some((a) => a.includes('tcp://'))).toBe(false);
      expect(c.env).toContain('DOCKER_TLS_CERTDIR=');
    }
  });

  it('gives our image flags only: its entrypoint runs dockerd on /var/run/docker.sock itself', () => {
    expect(engineCommand('ours', { shareSocket: false }).cmd).toEqual([]);
    expect(engineCommand('ours', { shareSocket: true, gid: 0 }).cmd).toEqual(['--host=unix:///run/docker-en-cluster/docker.sock']);
    expect(engineCommand('ours', { shareSocket: true, gid: 1000 }).cmd).toEqual(['--host=unix:///run/docker-en-cluster/docker.sock', '--group=1000']);
  });

  it('tells our image from docker:dind by the node-image label', () => {
    expect(nodeFlavour({ Config: { Labels: { [LABEL.role]: 'node-image' } } })).toBe('ours');
    expect(nodeFlavour({ Config: { Labels: null } })).toBe('docker-dind');
    expect(nodeFlavour({})).toBe('docker-dind');
  });
});

describe('node container options', () => {
  const base = {
    name: 'dec-abc-c1-manager1', hostname: 'manager1', image: 'docker:dind', network: 'dec-abc-c1', volume: 'v',
    labels: { a: 'b' }, engine: engineCommand('docker-dind', { shareSocket: false }),
  };

  it('uses the explicit capability set where --privileged is refused', () => {
    const spec = nodeContainerSpec({ ...base, privileged: false });
    expect(spec.HostConfig?.Privileged).toBeUndefined();
    expect(spec.HostConfig?.CapAdd).toEqual(DIND_CAPS);
    expect(spec.HostConfig?.Binds).toEqual(['v:/var/lib/docker']);
    expect(spec.Cmd).toEqual(['dockerd', '--host=unix:///var/run/docker.sock']);
  });

  it('uses --privileged where it works, and binds the socket folder in socket mode', () => {
    const spec = nodeContainerSpec({ ...base, privileged: true, socketDir: '/data/s/c1/manager1', extraEnv: { K: 'v' } });
    expect(spec.HostConfig?.Privileged).toBe(true);
    expect(spec.HostConfig?.CapAdd).toBeUndefined();
    expect(spec.HostConfig?.Binds).toEqual(['v:/var/lib/docker', '/data/s/c1/manager1:/run/docker-en-cluster']);
    expect(spec.Env).toEqual(['DOCKER_TLS_CERTDIR=', 'K=v']);
  });
});
