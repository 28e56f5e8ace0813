import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { publicBase, svgQr, terminalQr } from './join';

const nic = (address: string, internal: boolean): NetworkInterfaceInfo => ({ address, internal, family: 'IPv4', netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: null });

describe('opening a room', () => {
  it('gives learners an address they can reach: the server’s own, or the first external IPv4 for a wildcard bind', () => {
    const interfaces = { lo: [nic('127.0.0.1', true)], eth0: [nic('192.168.1.20', false)] };
    expect(publicBase('http://127.0.0.1:4173', interfaces)).toBe('http://127.0.0.1:4173');
    expect(publicBase('http://10.0.0.5:4173', interfaces)).toBe('http://10.0.0.5:4173');
    expect(publicBase('http://0.0.0.0:4173', interfaces)).toBe('http://192.168.1.20:4173');
    expect(publicBase('http://[::]:8080', interfaces)).toBe('http://192.168.1.20:8080');
    // No network at all: this machine.
    expect(publicBase('http://0.0.0.0:4173', { lo: [nic('127.0.0.1', true)] })).toBe('http://127.0.0.1:4173');
  });

  it('draws the join link as a terminal QR code (half-height blocks, square) and as a standalone SVG', async () => {
    const url = 'http://192.168.1.20:4173/?join=AbCdEfGhIjKl';
    const text = await terminalQr(url);
    const lines = text.split('\n').map((l) => [...l.replace(/\x1b\[[0-9;]*m/g, '')]).filter((l) => l.length > 0);
    expect(text).toMatch(/[▀▄█]/);
    // Two modules per line: as many lines as half the width (rounded up), every line the same width.
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(lines.length).toBe(Math.ceil(lines[0]!.length / 2));
    const svg = await svgQr(url);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*viewBox="0 0 (\d+) \1"/);
    expect(svg).not.toContain('<script');
    // The same link, the same code; another link, another code.
    expect(await svgQr(url)).toBe(svg);
    expect(await svgQr(`${url}x`)).not.toBe(svg);
  });
});
