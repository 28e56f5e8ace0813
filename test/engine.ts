import Docker from 'dockerode';
import path from 'node:path';
import { chooseNodeImage } from '../server/drivers/detect';
import { expect } from 'vitest';
import { ClusterManager } from '../server/clusters';
import { REPO_ROOT } from '../server/config';
import { DindDriver, type DindOptions } from '../server/drivers/dind';
import type { Driver } from '../server/drivers/types';
import { ProgressStore } from '../server/labs/progress';
import { LabRunner } from '../server/labs/runner';

/**
 * Docker-dependent tests run where an engine answers. Without one they are skipped LOUDLY on a
 * developer's machine, and fail in CI (CI=true), where .ci/run starts an engine.
 */
export async function engineAvailable(suite: string): Promise<boolean> {
  try {
    await new Docker().ping();
    return true;
  } catch (error) {
    if (process.env.CI) throw new Error(`${suite}: no Docker engine reachable in CI (${(error as Error).message})`);
    console.warn(`\n!!! ${suite}: SKIPPED — no Docker engine reachable (${(error as Error).message}).\n!!! Start dockerd to run these tests.\n`);
    return false;
  }
}

export const engine = new Docker();

/** Every Docker object of the project that belongs to a cluster id. */
export async function leftovers(cluster: string): Promise<string[]> {
  const label = [`org.docker-en-cluster.cluster=${cluster}`];
  const containers = await engine.listContainers({ all: true, filters: { label } });
  const networks = await engine.listNetworks({ filters: { label } });
  const volumes = (await engine.listVolumes({ filters: { label } })).Volumes ?? [];
  return [
    ...containers.map((c) => `container ${c.Names[0]}`),
    ...networks.map((n) => `network ${n.Name}`),
    ...volumes.map((v) => `volume ${v.Name}`),
  ];
}

export interface EngineEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  timeNano: number;
}

/** The events an engine recorded between two instants (ms since the epoch): what really happened there. */
export async function engineEvents(docker: Docker, sinceMs: number, untilMs: number, filters: Record<string, string[]>): Promise<EngineEvent[]> {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  // The API takes fractional seconds; dockerode's types say integers.
  const stream = await docker.getEvents({ since: seconds(sinceMs), until: seconds(untilMs), filters } as unknown as Docker.GetEventsOptions);
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EngineEvent)
    .filter((e) => e.timeNano >= sinceMs * 1e6 && e.timeNano <= untilMs * 1e6);
}

/** A DinD driver whose data (sockets, image cache) lives in `dir`, on the node image CI built. */
export async function dindDriverIn(dir: string, extra: Partial<DindOptions> = {}): Promise<DindDriver> {
  return new DindDriver({
    host: engine,
    image: await chooseNodeImage(engine, process.env.DEC_NODE_IMAGE),
    privileged: 'auto',
    socketDir: path.join(dir, 'sockets'),
    cacheDir: path.join(dir, 'cache'),
    ...extra,
  });
}

/**
 * A whole lab on a driver's cluster: setup, then for each exercise the check fails, the
 * reference solution runs, the check passes (every condition, once the swarm converged).
 */
export async function runWholeLab(driver: Driver, dataDir: string, cluster: string, labId: string, exercises: string[]): Promise<void> {
  const runner = new LabRunner(new ClusterManager(driver), path.join(REPO_ROOT, 'labs'), new ProgressStore(path.join(dataDir, 'progress')));
  await runner.reset(cluster, labId);
  for (const exercise of exercises) {
    expect((await runner.check(cluster, labId, exercise, { wait: false })).ok).toBe(false);
    await runner.solve(cluster, labId, exercise);
    const report = await runner.check(cluster, labId, exercise, { wait: true });
    expect(report.conditions.filter((c) => !c.ok).map((c) => c.observed)).toEqual([]);
  }
}
