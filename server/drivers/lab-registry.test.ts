import { describe, expect, it } from 'vitest';
import { labRegistryDaemonArgs, registryRef } from './lab-registry';

describe('registryRef: where a lab image lives in the lab registry', () => {
  it('stores Docker Hub names under their canonical path, as a mirror is asked for them', () => {
    expect(registryRef('nginx:alpine')).toEqual({ source: 'nginx:alpine', repository: 'library/nginx', tag: 'alpine' });
    expect(registryRef('traefik/whoami')).toEqual({ source: 'traefik/whoami:latest', repository: 'traefik/whoami', tag: 'latest' });
  });

  it('publishes the course app registry:5000/web:N from the host image docker-en-cluster/web:N', () => {
    expect(registryRef('registry:5000/web:2')).toEqual({ source: 'docker-en-cluster/web:2', repository: 'web', tag: '2' });
    expect(registryRef('registry:5000/team/api')).toEqual({ source: 'docker-en-cluster/team/api:latest', repository: 'team/api', tag: 'latest' });
  });

  it('refuses what neither a mirror nor the lab registry can serve, in French', () => {
    expect(() => registryRef('ghcr.io/acme/app:1')).toThrow(/seules les images de Docker Hub/);
    expect(() => registryRef('localhost:5000/app')).toThrow(/seules les images/);
    expect(() => registryRef('nginx@sha256:0123')).toThrow(/digest/);
  });

  it('makes nodes trust the registry and use it as their Docker Hub mirror', () => {
    expect(labRegistryDaemonArgs()).toEqual(['--insecure-registry=registry:5000', '--registry-mirror=http://registry:5000']);
  });
});
