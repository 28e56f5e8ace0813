import { describe, expect, it } from 'vitest';
import { fixtureContext } from './fixture-context';
import { isQuorumLoss, leaderlessRefusal } from './quorum';
import { isSettled } from './settle';
import type { SwarmNode } from './swarm-objects';
import { checkOn, edited } from './testing';

/** What a manager left alone of three said in `docker info` (Docker 26.1, recorded by hand). */
const NO_LEADER = "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";

/** The recorded swarm, seen from a manager that lost its quorum. */
const leaderless = () =>
  edited('empty', (s) => {
    const manager1 = s.engines.manager1!;
    if ('info' in manager1) manager1.info.Swarm = { ...manager1.info.Swarm, Error: NO_LEADER };
  });

describe('quorum (recorded states)', () => {
  it('tells a refusal for want of a leader from other errors', async () => {
    expect(isQuorumLoss(new Error(`(HTTP code 500) server error - ${NO_LEADER}`))).toBe(true);
    expect(isQuorumLoss(new Error('rpc error: code = DeadlineExceeded desc = context deadline exceeded'))).toBe(false);
    expect(isQuorumLoss(new Error('connect ENOENT /run/docker.sock'))).toBe(false);
    const manager = await fixtureContext(leaderless()).manager();
    expect(await leaderlessRefusal(manager)).toBe('The swarm does not have a leader.');
    expect(await leaderlessRefusal(await fixtureContext(edited('empty', () => undefined)).manager())).toBeUndefined();
  });

  it('a swarm with a leader passes « quorum » and fails « quorum lost »', async () => {
    expect(await checkOn('empty', { kind: 'swarm', quorum: true, managers: 1 })).toMatchObject({
      ok: true,
      observed: 'swarm : actif ; quorum : un leader élu ; managers : 1 manager',
    });
    expect(await checkOn('empty', { kind: 'swarm', quorum: false })).toMatchObject({
      ok: false,
      observed: 'quorum : un leader élu',
      expected: 'quorum : perdu, aucun leader',
    });
  });

  it('a leaderless swarm passes « quorum lost », quoting the engine, and fails « quorum »', async () => {
    expect(await checkOn(leaderless(), { kind: 'swarm', quorum: false })).toEqual({
      ok: true,
      observed: 'swarm : actif ; quorum : perdu, aucun leader (« The swarm does not have a leader. »)',
      expected: 'swarm : actif ; quorum : perdu, aucun leader',
      progress: undefined,
    });
    expect(await checkOn(leaderless(), { kind: 'swarm', quorum: true })).toMatchObject({ ok: false, expected: 'quorum : un leader élu' });
  });

  it('cannot judge counts without a leader: they fail, they are never skipped', async () => {
    expect(await checkOn(leaderless(), { kind: 'swarm', quorum: false, managers: 3 })).toMatchObject({
      ok: false,
      observed: 'nœuds : illisibles sans leader',
    });
    // Without `quorum`, a leaderless swarm is an error of the Docker API, as before.
    expect(await checkOn(leaderless(), { kind: 'swarm', managers: 3 })).toMatchObject({ ok: false, observed: expect.stringContaining('does not have a leader') });
  });

  it('a leaderless swarm is settled: nothing moves until a manager returns', async () => {
    expect(await isSettled(fixtureContext(leaderless()))).toBe(true);
  });
});

describe('reachability of a manager (recorded states)', () => {
  it('the leader is reachable; a worker is no manager', async () => {
    expect(await checkOn('empty', { kind: 'node', node: 'manager1', reachable: true })).toMatchObject({ ok: true, observed: 'statut de manager : joignable (Reachable)' });
    expect(await checkOn('empty', { kind: 'node', node: 'worker1', reachable: true })).toMatchObject({
      ok: false,
      observed: 'statut de manager : pas manager',
      expected: 'statut de manager : joignable (Reachable)',
    });
    expect(await checkOn('empty', { kind: 'node', node: 'worker1', reachable: false })).toMatchObject({ ok: false });
  });

  it('a manager the others lost', async () => {
    const lost = edited('empty', (s) => {
      const node = (s.swarm!.nodes as SwarmNode[]).find((n) => n.Description?.Hostname === 'manager1')!;
      node.ManagerStatus = { Leader: false, Reachability: 'unreachable' };
    });
    expect(await checkOn(lost, { kind: 'node', node: 'manager1', reachable: true })).toMatchObject({
      ok: false,
      observed: 'statut de manager : injoignable (Unreachable)',
    });
    expect(await checkOn(lost, { kind: 'node', node: 'manager1', reachable: false })).toMatchObject({ ok: true });
  });
});
