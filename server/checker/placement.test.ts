import { describe, expect, it } from 'vitest';
import { admits, canonicalConstraint, eligibleNodes, parseConstraint } from './placement';
import type { SwarmNode } from './swarm-objects';

const node = (hostname: string, role: string, labels: Record<string, string> = {}, engine: Record<string, string> = {}): SwarmNode => ({
  ID: `id-${hostname}`,
  Description: { Hostname: hostname, Platform: { OS: 'linux', Architecture: 'x86_64' }, Engine: { Labels: engine } },
  Spec: { Role: role, Availability: 'active', Labels: labels },
  Status: { State: 'ready', Addr: '10.0.0.1' },
});

const nodes = [node('manager1', 'manager', { zone: 'a' }), node('worker1', 'worker', { zone: 'a' }), node('worker2', 'worker', { disk: 'ssd', zone: 'b' }, { stockage: 'rapide' })];

describe('placement constraints, as Swarm evaluates them', () => {
  it('parses both operators, with or without spaces', () => {
    expect(parseConstraint('node.labels.disk==ssd')).toEqual({ key: 'node.labels.disk', operator: '==', value: 'ssd' });
    expect(parseConstraint(' node.labels.disk == ssd ')).toEqual({ key: 'node.labels.disk', operator: '==', value: 'ssd' });
    expect(parseConstraint('node.role != manager')).toEqual({ key: 'node.role', operator: '!=', value: 'manager' });
    expect(parseConstraint('node.role=worker')).toBeUndefined();
    expect(parseConstraint('node.role==')).toBeUndefined();
  });

  it('judges what a constraint admits, whatever its spelling', () => {
    expect(eligibleNodes(nodes, ['node.labels.disk==ssd'])).toEqual(['worker2']);
    expect(eligibleNodes(nodes, ['node.labels.disk == SSD'])).toEqual(['worker2']);
    expect(eligibleNodes(nodes, ['node.role==worker'])).toEqual(['worker1', 'worker2']);
    expect(eligibleNodes(nodes, ['node.role != manager'])).toEqual(['worker1', 'worker2']);
    expect(eligibleNodes(nodes, ['node.hostname==worker2'])).toEqual(['worker2']);
    expect(eligibleNodes(nodes, ['engine.labels.stockage==rapide'])).toEqual(['worker2']);
    expect(eligibleNodes(nodes, [])).toEqual(['manager1', 'worker1', 'worker2']);
  });

  it('ANDs several constraints; a missing label fails == and passes !=', () => {
    expect(eligibleNodes(nodes, ['node.role==worker', 'node.labels.zone==a'])).toEqual(['worker1']);
    expect(eligibleNodes(nodes, ['node.labels.disk!=ssd'])).toEqual(['manager1', 'worker1']);
    expect(admits(nodes[0]!, ['node.labels.disk==ssd'])).toBe(false);
  });

  it('admits no node with a constraint Swarm would refuse, or an unknown attribute', () => {
    expect(eligibleNodes(nodes, ['disk=ssd'])).toEqual([]);
    expect(eligibleNodes(nodes, ['node.disk==ssd'])).toEqual([]);
  });

  it('writes equivalent constraints the same way', () => {
    expect(canonicalConstraint('node.labels.disk == ssd')).toBe(canonicalConstraint('node.labels.disk==ssd'));
    expect(canonicalConstraint('Node.Role==Worker')).toBe('node.role==worker');
    expect(canonicalConstraint('node.labels.Disk==ssd')).not.toBe(canonicalConstraint('node.labels.disk==ssd'));
  });
});
