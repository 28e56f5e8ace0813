import { describe, expect, it } from 'vitest';
import { answerAddresses } from './network';
import { formatBytes, formatDuration, normalizeImage, parseBytes, parseDuration } from './swarm-objects';

describe('image references', () => {
  it('compares on repository and tag, whatever the registry prefix and digest', () => {
    expect(normalizeImage('nginx:alpine')).toBe('nginx:alpine');
    expect(normalizeImage('docker.io/library/nginx:alpine@sha256:0123')).toBe('nginx:alpine');
    expect(normalizeImage('redis')).toBe('redis:latest');
    expect(normalizeImage('traefik/whoami')).toBe('traefik/whoami:latest');
    expect(normalizeImage('registry.local:5000/team/app')).toBe('registry.local:5000/team/app:latest');
  });
});

describe('durations', () => {
  it('reads Go durations as the CLI takes them', () => {
    expect(parseDuration('10s')).toBe(10e9);
    expect(parseDuration('1m30s')).toBe(90e9);
    expect(parseDuration('500ms')).toBe(500e6);
    expect(parseDuration('1.5s')).toBe(1.5e9);
  });

  it('refuses anything else, with examples in French', () => {
    expect(() => parseDuration('10')).toThrow('durée invalide « 10 » (exemples : 10s, 1m30s, 500ms)');
    expect(() => parseDuration('10 s')).toThrow('durée invalide');
    expect(() => parseDuration('')).toThrow('durée invalide');
  });

  it('writes them back in seconds or milliseconds', () => {
    expect([formatDuration(undefined), formatDuration(0), formatDuration(5e9), formatDuration(2.5e9)]).toEqual(['0s', '0s', '5s', '2500ms']);
  });
});

describe('memory sizes', () => {
  it('reads binary units like the Docker CLI', () => {
    expect(parseBytes('256M')).toBe(256 * 1024 ** 2);
    expect(parseBytes('1g')).toBe(1024 ** 3);
    expect(parseBytes('512k')).toBe(512 * 1024);
    expect(parseBytes('100')).toBe(100);
  });

  it('refuses unknown units', () => {
    expect(() => parseBytes('12 parsecs')).toThrow('taille invalide « 12 parsecs » (exemples : 256M, 1G)');
  });

  it('writes them back with the largest exact unit', () => {
    expect([formatBytes(undefined), formatBytes(64 * 1024 ** 2), formatBytes(2 * 1024 ** 3), formatBytes(1536), formatBytes(1000)]).toEqual(['0', '64M', '2G', '1536 octets', '1000 octets']);
  });
});

describe('nslookup answers', () => {
  it('keeps the answer section only, not the DNS server (busybox)', () => {
    const out = 'Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\nName:\ttasks.web\nAddress: 10.0.1.3\nName:\ttasks.web\nAddress: 10.0.1.4\n';
    expect(answerAddresses(out)).toEqual(['10.0.1.3', '10.0.1.4']);
  });

  it('reads bind’s numbered addresses and drops duplicates', () => {
    const out = 'Server:  127.0.0.11\nAddress 1: 127.0.0.11\n\nName:      tasks.web\nAddress 1: 10.0.1.3 web.1.x\nAddress 2: 10.0.1.3\n';
    expect(answerAddresses(out)).toEqual(['10.0.1.3']);
  });

  it('finds nothing without an answer', () => {
    expect(answerAddresses("** server can't find tasks.web: NXDOMAIN\n")).toEqual([]);
  });
});
