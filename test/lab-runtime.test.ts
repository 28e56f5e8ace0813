import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabServer, type LabServer } from '../server/app';
import { loadConfig, REPO_ROOT } from '../server/config';
import { TestClient } from '../server/terminals/testing';
import { engineAvailable, leftovers } from './engine';

const enabled = await engineAvailable('lab runtime (DinD swarm, terminals)');

describe.skipIf(!enabled)('lab runtime on a real engine', () => {
  let dataDir: string;
  let lab: LabServer;
  let tokenA: string;
  let learnerA: string;
  let tokenB: string;
  let learnerB: string;

  const wsUrl = (node: string, token: string, tab = '1') => `${lab.url.replace('http', 'ws')}/api/terminal/${node}/${tab}?token=${token}`;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'dec-lab-'));
    lab = await startLabServer(loadConfig({ port: '0', static: true, 'data-dir': dataDir, driver: 'dind' }));
    const a = await lab.registry.register('Alice');
    const b = await lab.registry.register('Bob');
    tokenA = a.token;
    learnerA = a.learner.id;
    tokenB = b.token;
    learnerB = b.learner.id;
  });

  afterAll(async () => {
    if (!lab) return;
    for (const l of lab.registry.list()) await lab.clusters?.down(l.id);
    await lab.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('brings up a 3-node swarm with 3 Ready nodes and one leader', async () => {
    const res = await fetch(`${lab.url}/api/cluster/up`, { method: 'POST', headers: { Authorization: `Bearer ${tokenA}` } });
    expect(res.status).toBe(200);
    const status = (await res.json()) as { nodes: { name: string; swarm?: { state: string; leader: boolean } }[] };
    expect(status.nodes.map((n) => n.name)).toEqual(['manager1', 'worker1', 'worker2']);
    expect(status.nodes.every((n) => n.swarm?.state === 'ready')).toBe(true);
    expect(status.nodes.filter((n) => n.swarm?.leader).map((n) => n.name)).toEqual(['manager1']);
  });

  it('types `docker node ls` on manager1 through the WebSocket and reads it back', async () => {
    const client = await TestClient.connect(wsUrl('manager1', tokenA));
    const out = await client.run('docker node ls --format "{{.Hostname}} {{.Status}}"', 20_000);
    expect(out).toMatch(/manager1 Ready/);
    expect(out).toMatch(/worker1 Ready/);
    expect(out).toMatch(/worker2 Ready/);
    await client.close();
  });

  it('reattaches the same shell (PID, history, scrollback once) after a disconnect', async () => {
    const first = await TestClient.connect(wsUrl('worker1', tokenA, '2'));
    const pid = (await first.run('echo "PID=$$"')).match(/PID=(\d+)/)?.[1];
    expect(pid).toBeTruthy();
    await first.run('echo marker-$((40+2))');
    await first.kill();
    const again = await TestClient.connect(wsUrl('worker1', tokenA, '2'));
    await again.waitForText('marker-42');
    expect(again.text.split('marker-42').length - 1).toBe(1);
    expect(await again.run('echo "PID=$$"')).toContain(`PID=${pid}`);
    expect(await again.run('history | tail -n 5')).toContain('echo marker-$((40+2))');
    await again.close();
  });

  it("never attaches a learner to another learner's terminal", async () => {
    const a = await TestClient.connect(wsUrl('manager1', tokenA));
    await a.run('echo secret-of-$((1+1))-alice');
    const sessionA = a.session;
    await a.close();
    // Bob's own cluster first (its creation is not what this test times).
    expect((await fetch(`${lab.url}/api/cluster/up`, { method: 'POST', headers: { Authorization: `Bearer ${tokenB}` } })).status).toBe(200);
    // Bob presents Alice's stream id: he gets a terminal of his own cluster, without her output.
    const b = await TestClient.connect(wsUrl('manager1', tokenB), { session: sessionA, offset: 0 });
    expect(b.session).not.toBe(sessionA);
    await b.run('hostname');
    expect(b.text).not.toContain('secret-of-2-alice');
    await b.close();
    const terminalsOfB = (await (await fetch(`${lab.url}/api/terminals`, { headers: { Authorization: `Bearer ${tokenB}` } })).json()) as unknown[];
    const terminalsOfA = (await (await fetch(`${lab.url}/api/terminals`, { headers: { Authorization: `Bearer ${tokenA}` } })).json()) as unknown[];
    expect(terminalsOfB).toHaveLength(1);
    expect(terminalsOfA.length).toBeGreaterThanOrEqual(2);
  });

  it('reset gives a fresh cluster and down leaves nothing behind', async () => {
    const before = await (await fetch(`${lab.url}/api/cluster`, { headers: { Authorization: `Bearer ${tokenA}` } })).json() as { nodes: { swarm?: { id: string } }[] };
    const reset = await fetch(`${lab.url}/api/cluster/reset`, { method: 'POST', headers: { Authorization: `Bearer ${tokenA}` } });
    expect(reset.status).toBe(200);
    const after = (await reset.json()) as { nodes: { swarm?: { id: string; state: string } }[] };
    expect(after.nodes.every((n) => n.swarm?.state === 'ready')).toBe(true);
    expect(after.nodes[0]!.swarm!.id).not.toBe(before.nodes[0]!.swarm!.id);
    const down = await fetch(`${lab.url}/api/cluster/down`, { method: 'POST', headers: { Authorization: `Bearer ${tokenA}` } });
    expect(down.status).toBe(200);
    expect(await leftovers(learnerA)).toEqual([]);
  });

  it('a lab whose cluster was removed under it starts again in its starting state; its ended shells rebuild nothing', async () => {
    const start = () => fetch(`${lab.url}/api/labs/drain-pause/start`, { method: 'POST', headers: { Authorization: `Bearer ${tokenB}` } });
    expect((await start()).status).toBe(200);
    const term = await TestClient.connect(wsUrl('manager1', tokenB));
    // Removed behind the server's back, as `npm run lab -- down` does from another process.
    await lab.clusters!.driver.down(learnerB);
    // The shell ended; the session asked whether its node is there (it is not), and said so.
    await term.waitFor(() => term.messages.some((m) => m.t === 'state' && m.state === 'unavailable'), 60_000, 'the node gone');
    expect(await lab.clusters!.driver.nodes(learnerB)).toEqual([]);
    // Starting the lab again rebuilds it with its setup (a service of 6 replicas), not an empty swarm.
    expect((await start()).status).toBe(200);
    const services = await lab.clusters!.driver.exec(learnerB, 'manager1', ['docker', 'service', 'ls', '--format', '{{.Name}} {{.Replicas}}']);
    expect(services.stdout, `code ${services.code}: ${services.stderr}`).toMatch(/^web \d\/6/m);
    await term.close();
    await lab.clusters!.down(learnerB);
  });

  it('types the reference solution into the browser terminal when the CLI solves (demo mode)', async () => {
    const localToken = new URL(lab.localUrl).searchParams.get('token')!;
    const start = await fetch(`${lab.url}/api/labs/services-replicas/start`, { method: 'POST', headers: { Authorization: `Bearer ${localToken}` } });
    expect(start.status).toBe(200);
    const browser = await TestClient.connect(wsUrl('manager1', localToken));
    // The server runs in this process: the CLI must run beside it, not block it.
    const { stdout: out } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'server/cli.ts'), 'solve', 'services-replicas/create', '--data-dir', dataDir], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(out).toContain('tapée dans le terminal du navigateur');
    await browser.waitForText('docker service create --name web', 0, 30_000);
    await browser.waitForText(/^[a-z0-9]{25}\r?$/m, 0, 60_000);
    await browser.close();
  });

  it('leaves no orphan when the process is killed in the middle of `up`', async () => {
    // Its own id each run: objects an earlier, interrupted run left behind cannot count here.
    const cluster = `killed-midway-${process.pid}`;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'server/cli.ts'), 'up', '--cluster', cluster, '--data-dir', dataDir, '--driver', 'dind'], {
      cwd: REPO_ROOT,
      stdio: 'ignore',
    });
    // Kill it as soon as some of its objects exist, before the cluster is complete.
    for (let i = 0; i < 400 && (await leftovers(cluster)).length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    expect((await leftovers(cluster)).length).toBeGreaterThan(0);
    // A restarted server adopts complete clusters and removes half-built ones.
    const restarted = await startLabServer(loadConfig({ port: '0', static: true, 'data-dir': dataDir, driver: 'dind' }));
    await restarted.close();
    expect(await leftovers(cluster)).toEqual([]);
  });
});

describe('the real edge without an engine (tokens, origins, another site)', () => {
  it('refuses a terminal WebSocket without token, with a wrong token, or from another Origin (real edge, no engine needed)', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dec-ws-'));
    const lab = await startLabServer(loadConfig({ port: '0', static: true, 'data-dir': dataDir, driver: 'none' }), { log: () => undefined });
    try {
      const { token: tokenA } = await lab.registry.register('Alice');
      const attempt = (url: string, origin?: string) =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(url, origin ? { origin } : {});
          ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
          ws.on('open', () => {
            ws.close();
            resolve(101);
          });
          ws.on('error', () => undefined);
        });
      const base = `${lab.url.replace('http', 'ws')}/api/terminal/manager1/1`;
      expect(await attempt(base)).toBe(401);
      expect(await attempt(`${base}?token=not-a-valid-token-at-all`)).toBe(401);
      expect(await attempt(`${base}?token=${tokenA}`, 'https://evil.example')).toBe(403);
      expect(await attempt(`${base}?token=${tokenA}`, lab.url)).toBe(101);
      expect((await fetch(`${lab.url}/api/session`)).status).toBe(401);
    } finally {
      await lab.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('answers CORS only for the allowed origins, with a bearer token', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dec-cors-'));
    const lab = await startLabServer(loadConfig({ port: '0', static: true, 'data-dir': dataDir, driver: 'none', 'allow-origin': ['https://cours.example'] }), { log: () => undefined });
    try {
      const { token } = await lab.registry.register('Distante');
      const preflight = await fetch(`${lab.url}/api/session`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://cours.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Private-Network': 'true' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://cours.example');
      expect(preflight.headers.get('access-control-allow-private-network')).toBe('true');
      const ok = await fetch(`${lab.url}/api/session`, { headers: { Origin: 'https://cours.example', Authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe('https://cours.example');
      const other = await fetch(`${lab.url}/api/session`, { headers: { Origin: 'https://evil.example', Authorization: `Bearer ${token}` } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      const post = await fetch(`${lab.url}/api/cluster/up`, { method: 'POST', headers: { Origin: 'https://evil.example', Authorization: `Bearer ${token}` } });
      expect(post.status).toBe(403);
    } finally {
      await lab.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
