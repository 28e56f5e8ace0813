// The automatic checks over a real live hub and real WebSocket pages, on a cluster recorded
// from a real swarm (server/checker/fixtures/deployed.json): results pushed to the pages that
// show the exercise, a pass recorded in progress without counting an attempt, conditions that
// run probes left to « Vérifier », nothing evaluated on a cluster that holds another lab, and
// bursts of triggers coalesced into few evaluations.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { autoCheckTopic, type AutoCheckResult } from '../../src/shared/auto-check';
import { frame } from '../../src/shared/live-protocol';
import { parseLab } from '../../src/labs/loader';
import { fixtureContext, loadSnapshot } from '../checker/fixture-context';
import { ProgressStore } from '../labs/progress';
import type { Learner } from '../learners';
import { AutoChecks } from './auto-check';
import { LiveHub } from './hub';

const LAB = parseLab(
  'demo',
  'labs/demo/lab.yaml',
  `title: Démo
summary: Un TP pour les tests des vérifications automatiques.
cluster: { managers: 1, workers: 2 }
exercises:
  - id: web
    title: Le service web
    instructions: Créez-le.
    conditions:
      - { kind: service, service: web, image: nginx:alpine, replicas: 3, message: Trois répliques de web. }
      - { kind: tasks, service: web, running: 3, message: Trois tâches en cours. }
    solution: [{ run: docker service create --name web --replicas 3 nginx:alpine }]
  - id: missing
    title: Un service absent
    instructions: Créez-le.
    conditions:
      - { kind: service, service: web, message: web existe. }
      - { kind: service, service: absent, message: absent existe. }
    solution: [{ run: docker service create --name absent nginx:alpine }]
  - id: probe
    title: Un contrôle de santé
    instructions: Ajoutez-le.
    conditions:
      - { kind: service, service: web, message: web existe. }
      - { kind: service, service: web, healthcheck: { failsAfter: rm /usr/share/nginx/html/index.html }, message: Le contrôle de santé détecte la panne. }
    solution: [{ run: docker service update --health-cmd true web }]
`,
);

const alice: Learner = { id: 'alice', name: 'Alice', role: 'learner', created: '' };

let server: Server;
let hub: LiveHub;
let checks: AutoChecks;
let progress: ProgressStore;
let dir: string;
let port: number;
const sockets: WebSocket[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dec-auto-'));
  progress = new ProgressStore(dir);
  hub = new LiveHub();
  const snapshot = loadSnapshot('deployed');
  checks = new AutoChecks({ hub, progress, lab: () => LAB, context: () => fixtureContext(snapshot), debounceMs: 20 });
  server = createServer();
  server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head, alice));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  checks.close();
  await hub.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

async function page(): Promise<{ ws: WebSocket; results: AutoCheckResult[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  sockets.push(ws);
  const results: AutoCheckResult[] = [];
  ws.on('message', (data) => {
    const env = JSON.parse(data.toString()) as { topic: string; data: AutoCheckResult };
    if (env.topic === autoCheckTopic.name) results.push(env.data);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, results };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`toujours pas : ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('automatic checks', () => {
  it('pushes the verdict of the exercise shown and records the pass without an attempt', async () => {
    await progress.update('alice', (s) => void (s.currentLab = 'demo'));
    const p = await page();
    p.ws.send(frame(autoCheckTopic, { lab: 'demo', exercise: 'web' }));
    await until(() => p.results.length > 0, 'un résultat');
    expect(p.results[0]).toMatchObject({ lab: 'demo', exercise: 'web', passed: true });
    expect(p.results[0]!.conditions.map((c) => c.ok)).toEqual([true, true]);
    const saved = (await new ProgressStore(dir).get('alice')).exercises['demo/web'];
    expect(saved?.passedAt).toBeTruthy();
    expect(saved?.attempts).toBe(0);
  });

  it('a failing condition keeps the exercise open; a probe condition is left to « Vérifier »', async () => {
    await progress.update('alice', (s) => void (s.currentLab = 'demo'));
    const p = await page();
    p.ws.send(frame(autoCheckTopic, { lab: 'demo', exercise: 'missing' }));
    await until(() => p.results.length > 0, 'un résultat');
    expect(p.results[0]!.passed).toBe(false);
    expect(p.results[0]!.conditions.map((c) => c.ok)).toEqual([true, false]);
    p.ws.send(frame(autoCheckTopic, { lab: 'demo', exercise: 'probe' }));
    await until(() => p.results.length > 1, 'le second résultat');
    expect(p.results[1]!.conditions).toMatchObject([{ ok: true }, { ok: false, skipped: true }]);
    expect(p.results[1]!.passed).toBe(false);
    const state = await new ProgressStore(dir).get('alice');
    expect(state.exercises['demo/missing']?.passedAt).toBeUndefined();
    expect(state.exercises['demo/probe']?.passedAt).toBeUndefined();
  });

  it('evaluates nothing while the cluster holds another lab, and coalesces bursts of triggers', async () => {
    await progress.update('alice', (s) => void (s.currentLab = 'other'));
    const p = await page();
    p.ws.send(frame(autoCheckTopic, { lab: 'demo', exercise: 'web' }));
    await new Promise((r) => setTimeout(r, 100));
    expect(checks.evaluations).toBe(0);
    expect(p.results).toEqual([]);
    await progress.update('alice', (s) => void (s.currentLab = 'demo'));
    for (let i = 0; i < 50; i++) checks.trigger('alice');
    await until(() => p.results.length > 0, 'un résultat');
    await new Promise((r) => setTimeout(r, 100));
    // 50 triggers: one evaluation, and at most one more for the triggers during it.
    expect(checks.evaluations).toBeLessThanOrEqual(2);
    // An unchanged verdict is not sent again.
    expect(p.results).toHaveLength(1);
  });

  it('stops following a learner whose page leaves the slide', async () => {
    await progress.update('alice', (s) => void (s.currentLab = 'demo'));
    const p = await page();
    p.ws.send(frame(autoCheckTopic, { lab: 'demo', exercise: 'web' }));
    await until(() => p.results.length > 0, 'un résultat');
    p.ws.send(frame(autoCheckTopic, { lab: null }));
    await new Promise((r) => setTimeout(r, 50));
    const before = checks.evaluations;
    checks.trigger('alice');
    await new Promise((r) => setTimeout(r, 100));
    expect(checks.evaluations).toBe(before);
  });
});
