// The promises of README « Sécurité », proved against the REAL server: class mode (host
// 0.0.0.0, the built deck) on its defaults, with its data folder inside the repository like the
// default var/, and loopback dev mode (Vite) for the same path probes. Without an engine
// (--driver none) for everything HTTP; the cross-learner isolation of real shells and clusters
// runs on DinD when an engine answers.
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabServer, type LabServer } from '../server/app';
import { loadConfig, REPO_ROOT } from '../server/config';
import { ROUTES, SOCKETS, type RouteSpec } from '../server/http/routes';
import { TestClient } from '../server/terminals/testing';
import { rawGet, rawRequest, wsStatus } from './edge-client';
import { engineAvailable } from './engine';

const EVIL = 'https://evil.example';
const quiet = { log: () => undefined };

interface Room {
  lab: LabServer;
  dataDir: string;
  port: number;
  base: string;
  instructor: string;
  alice: { token: string; id: string };
  bob: { token: string; id: string };
  /** Every secret the server handed out (tokens, join code). */
  secrets(): string[];
}

async function openRoom(host: string, driver: 'none' | 'dind', name: string): Promise<Room> {
  // Inside the repository, like the default var/: the data folder must stay unreachable anyway.
  mkdirSync(path.join(REPO_ROOT, 'var'), { recursive: true });
  const dataDir = await mkdtemp(path.join(REPO_ROOT, 'var', `${name}-`));
  const lab = await startLabServer(loadConfig({ host, port: '0', 'data-dir': dataDir, driver }), quiet);
  const port = (lab.server.address() as { port: number }).port;
  const a = await lab.registry.register('Alice');
  const b = await lab.registry.register('Bob');
  const instructor = new URL(lab.localUrl).searchParams.get('token')!;
  return {
    lab,
    dataDir,
    port,
    base: `http://127.0.0.1:${port}`,
    instructor,
    alice: { token: a.token, id: a.learner.id },
    bob: { token: b.token, id: b.learner.id },
    secrets: () => [instructor, a.token, b.token, lab.registry.joinCode],
  };
}

async function closeRoom(room: Room | undefined): Promise<void> {
  if (!room) return;
  await room.lab.close();
  rmSync(room.dataDir, { recursive: true, force: true });
}

/** Path probes: the data folder, the repository, Vite's special URLs, every encoding trick. */
function probes(room: Room): string[] {
  const rel = path.relative(REPO_ROOT, room.dataDir);
  const data = `/${rel}/learners.json`;
  return [
    data,
    `/./${rel}/learners.json`,
    `/${rel.replace('var', '%76ar')}/learners.json`,
    `/${rel}/%6cearners.json`,
    `/%2e/${rel}/learners.json`,
    `/x/../${rel}/learners.json`,
    `/x/%2e%2e/${rel}/learners.json`,
    `/x/%2E%2E/${rel}/learners.json`,
    `/..%2f${rel}/learners.json`,
    `/%2e%2e%2f%2e%2e%2fetc/passwd`,
    `/..%252f..%252fetc/passwd`,
    `//${rel}/learners.json`,
    '///etc/passwd',
    `/@fs${room.dataDir}/learners.json`,
    `/@fs${REPO_ROOT}/package.json`,
    `/@fs${REPO_ROOT}/.git/config`,
    '/@fs/etc/passwd',
    `/@id/${REPO_ROOT}/package.json`,
    `/@id/${rel}/learners.json`,
    `${data}?raw`,
    `${data}?import`,
    `${data}?import&raw`,
    `${data}?url`,
    `${data}?inline`,
    '/package.json',
    '/package.json?raw',
    '/package.json?import',
    '/package.json?url',
    '/package.json?inline',
    '/server/app.ts',
    '/server/app.ts?raw',
    '/server/learners.ts?import',
    '/server/config.ts?url',
    '/.git/config',
    '/.git/HEAD',
    '/%2egit/config',
    '/.env',
    '/.env.local',
    '/tsconfig.json',
    '/vite.config.ts',
    '/vite.config.ts?raw',
    '/node_modules/.package-lock.json',
    '/node_modules/vite/package.json',
    '/node_modules/ws/package.json?raw',
    '/labs/services-replicas/lab.yaml',
    '/labs/services-replicas/lab.yaml?raw',
    '/README.md',
    '/dist/index.html',
    `/${rel}/server.json`,
    `/${rel}/progress/`,
    '/index.html%00.txt',
    '/%00',
    '/api/../package.json',
    '/api/%2e%2e/package.json',
    '/assets/../../package.json',
    '/assets/%2e%2e/%2e%2e/package.json',
    '/recordings/../../package.json',
  ];
}

/** What must never come back: a secret, the registry, the repository's private files. */
function leaks(room: Room, body: string): string[] {
  const found = room.secrets().filter((s) => body.includes(s));
  for (const marker of ['joinCodeHash', '"tokens"', '[core]', '"devDependencies"', 'root:x:0:0', 'startLabServer', 'LearnerRegistry', 'cluster:\n  managers']) {
    if (body.includes(marker)) found.push(marker);
  }
  return found;
}

async function probeAll(room: Room): Promise<{ target: string; status: number; leaks: string[] }[]> {
  const results = [];
  for (const target of probes(room)) {
    for (const headers of [{}, { Cookie: `dec_token=${room.alice.token}` }] as Record<string, string>[]) {
      const answer = await rawGet(room.port, target, headers);
      results.push({ target, status: answer.status, leaks: leaks(room, answer.body + answer.head) });
    }
  }
  return results;
}

/** A concrete path for a route of the table (valid parameter values). */
function pathOf(route: { path: string }, learner: string): string {
  return route.path
    .replace(':node', 'manager1')
    .replace(':tab', '1')
    .replace(':lab', 'services-replicas')
    .replace(':action', 'check')
    .replace(':power', 'stop')
    .replace(':network', 'isolate')
    .replace(':learner', learner);
}

/** The French error of a refusal: JSON for the API, the page's text for a page (/cockpit). */
async function errorOf(res: Response): Promise<string> {
  const text = await res.text();
  return res.headers.get('content-type')?.startsWith('application/json') ? (JSON.parse(text) as { error: string }).error : text;
}

function call(room: Room, route: RouteSpec, headers: Record<string, string>, body = '{}'): Promise<Response> {
  const init: RequestInit = { method: route.method, headers: { ...(route.method === 'POST' ? { 'Content-Type': 'application/json' } : {}), ...headers }, redirect: 'manual' };
  if (route.method === 'POST') init.body = body;
  return fetch(`${room.base}${pathOf(route, room.bob.id)}`, init);
}

describe('class mode (0.0.0.0, built deck, --driver none): the edge', () => {
  let room: Room;
  beforeAll(async () => {
    room = await openRoom('0.0.0.0', 'none', 'security');
  }, 180_000);
  afterAll(() => closeRoom(room));

  it('serves the built deck to a learner, and nothing else: ≥ 40 path probes, no leak, all refused', async () => {
    const deck = await rawGet(room.port, '/', { Cookie: `dec_token=${room.alice.token}` });
    expect(deck.status).toBe(200);
    expect(deck.body).toContain('<div class="reveal">');
    expect(deck.body).not.toContain('/@vite/client');
    const results = await probeAll(room);
    expect(new Set(results.map((r) => r.target)).size).toBeGreaterThanOrEqual(40);
    expect(results.filter((r) => r.leaks.length > 0)).toEqual([]);
    expect(results.filter((r) => ![400, 401, 403, 404].includes(r.status))).toEqual([]);
  });

  it('answers an absolute-form target and a malformed one with 400, never the file', async () => {
    const rel = path.relative(REPO_ROOT, room.dataDir);
    for (const target of [`http://127.0.0.1:${room.port}/${rel}/learners.json`, `http://evil.example/${rel}/learners.json`, '*', 'learners.json', '/%E0%A4%A', '/a\\..\\..\\package.json']) {
      const answer = await rawGet(room.port, target, { Cookie: `dec_token=${room.alice.token}` });
      expect([400, 404], target).toContain(answer.status);
      expect(leaks(room, answer.body), target).toEqual([]);
    }
  });

  it('every route of the table refuses a missing token (401), a foreign Origin (403) and, for a cookie, a missing Origin on a POST (403)', async () => {
    const guarded = ROUTES.filter((r) => r.role !== 'anyone');
    expect(guarded.length).toBeGreaterThanOrEqual(13);
    for (const route of guarded) {
      const none = await call(room, route, {});
      expect(none.status, `${route.method} ${route.path} sans jeton`).toBe(401);
      expect(await errorOf(none)).toMatch(/jeton/);
      const token = route.role === 'instructor' ? room.instructor : room.alice.token;
      for (const credential of [{ Authorization: `Bearer ${token}` }, { Cookie: `dec_token=${token}` }] as Record<string, string>[]) {
        const evil = await call(room, route, { ...credential, Origin: EVIL });
        expect(evil.status, `${route.method} ${route.path} depuis ${EVIL}`).toBe(403);
        expect(await errorOf(evil)).toMatch(/origine refusée/);
      }
      if (route.method === 'POST') {
        const missing = await call(room, route, { Cookie: `dec_token=${token}` });
        expect(missing.status, `${route.method} ${route.path} cookie sans Origin`).toBe(403);
      }
    }
    // The login form is for anyone, but only from the course's own page.
    const login = ROUTES.find((r) => r.name === 'login')!;
    for (const origin of [EVIL, undefined]) {
      const res = await fetch(`${room.base}${login.path}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(origin ? { Origin: origin } : {}) }, body: `join=${room.lab.registry.joinCode}&csrf=x`, redirect: 'manual' });
      expect(res.status).toBe(403);
    }
  });

  it('a learner calling an instructor route gets 403 with a French message; the instructor gets through', async () => {
    const instructorRoutes = ROUTES.filter((r) => r.role === 'instructor');
    expect(instructorRoutes.map((r) => r.name)).toEqual(['room', 'roomJoinCode', 'roomRevoke', 'learnerFaults', 'roomFaults', 'roomFollow', 'cockpit', 'roomJoin', 'roomJoinQr', 'roomResults', 'roomTerminals', 'roomReset', 'roomHint', 'roomSolve']);
    for (const route of instructorRoutes) {
      for (const credential of [{ Authorization: `Bearer ${room.bob.token}` }, { Cookie: `dec_token=${room.bob.token}`, Origin: room.base }] as Record<string, string>[]) {
        const res = await call(room, route, credential);
        expect(res.status, `${route.method} ${route.path} par un apprenant`).toBe(403);
        expect(await errorOf(res)).toContain('réservé au formateur : votre jeton d’apprenant ne permet pas cette action');
      }
    }
    // The cockpit is the built page (class mode), at /cockpit only.
    const cockpit = await fetch(`${room.base}/cockpit`, { headers: { Cookie: `dec_token=${room.instructor}` } });
    expect(cockpit.status).toBe(200);
    const page = await cockpit.text();
    expect(page).toContain('Tableau de bord de la salle');
    expect(page).toMatch(/<script type="module" crossorigin src="\.\/deck\/cockpit-[\w-]+\.js">/);
    expect(page).not.toContain('/@vite/client');
    expect((await fetch(`${room.base}/cockpit.html`, { headers: { Cookie: `dec_token=${room.instructor}` } })).status).toBe(404);
    const list = await fetch(`${room.base}/api/room`, { headers: { Authorization: `Bearer ${room.instructor}` } });
    expect(list.status).toBe(200);
    const body = await list.text();
    expect(body).toContain(room.alice.id);
    expect(leaks(room, body)).toEqual([]);
  });

  it('every WebSocket path refuses a missing token, a foreign Origin and a cookie without Origin; unknown upgrades get an answer', async () => {
    const ws = room.base.replace('http', 'ws');
    for (const socket of SOCKETS) {
      const url = `${ws}${pathOf(socket, room.bob.id)}`;
      expect(await wsStatus(url, { origin: room.base }), `${socket.path} sans jeton`).toBe(socket.name === 'hmr' ? 404 : 401);
      if (socket.name === 'hmr') continue; // no hot reload in class mode: 404 whoever asks
      const token = socket.role === 'instructor' ? room.instructor : room.alice.token;
      expect(await wsStatus(`${url}?token=${token}`, { origin: EVIL })).toBe(403);
      expect(await wsStatus(url, { headers: { Cookie: `dec_token=${token}` } })).toBe(403);
      if (socket.role === 'instructor') expect(await wsStatus(url, { origin: room.base, headers: { Cookie: `dec_token=${room.alice.token}` } }), `${socket.path} par un apprenant`).toBe(403);
      expect(await wsStatus(url, { origin: room.base, headers: { Cookie: `dec_token=${token}` } })).toBe(101);
    }
    // Formerly fatal or hanging: a bad %-escape in the cookie, `//`, any other path with a valid cookie.
    expect(await wsStatus(`${ws}/api/terminal/manager1/1`, { origin: room.base, headers: { Cookie: 'dec_token=%E0' } })).toBe(401);
    expect(await wsStatus(`${ws}/elsewhere`, { origin: room.base, headers: { Cookie: `dec_token=${room.alice.token}` } })).toBe(404);
    const slashes = await rawRequest(room.port, `GET // HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nCookie: dec_token=%E0\r\n\r\n`);
    expect(slashes.status).toBe(400);
    expect((await fetch(`${room.base}/api/session`, { headers: { Authorization: `Bearer ${room.alice.token}` } })).status).toBe(200);
  });

  it('logging in takes a confirmation: no cookie from a link, CSRF and same origin on the POST, then an HttpOnly SameSite cookie', async () => {
    const link = await fetch(`${room.base}/?join=${room.lab.registry.joinCode}`, { redirect: 'manual' });
    expect(link.status).toBe(200);
    const html = await link.text();
    expect(html).toContain('Votre nom (affiché au formateur)');
    // No other site may frame it, and its URL (a secret link) is never sent to another site;
    // `same-origin` (not `no-referrer`) so that the browser's POST carries our Origin.
    expect(link.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(link.headers.get('referrer-policy')).toBe('same-origin');
    const cookies = link.headers.getSetCookie();
    expect(cookies.some((c) => c.startsWith('dec_token='))).toBe(false);
    const csrfCookie = cookies.find((c) => c.startsWith('dec_csrf='))!.split(';')[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const post = (headers: Record<string, string>, form: string) =>
      fetch(`${room.base}/login`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: form, redirect: 'manual' });
    const form = `join=${room.lab.registry.joinCode}&csrf=${csrf}&name=Chlo%C3%A9&next=%2F`;
    expect((await post({ Origin: room.base }, form)).status).toBe(403); // no CSRF cookie: a foreign page
    expect((await post({ Origin: room.base, Cookie: 'dec_csrf=autre' }, form)).status).toBe(403);
    expect((await post({ Origin: EVIL, Cookie: csrfCookie }, form)).status).toBe(403);
    const ok = await post({ Origin: room.base, Cookie: csrfCookie }, form);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/');
    const session = ok.headers.getSetCookie().find((c) => c.startsWith('dec_token='))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(session).not.toMatch(/Secure/i); // plain HTTP, no trusted proxy
    const token = session.split(';')[0]!.slice('dec_token='.length);
    const me = (await (await fetch(`${room.base}/api/session`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { learner: { name: string } };
    expect(me.learner.name).toBe('Chloé');
    // A token link shows who you would become, and also needs the confirmation.
    const tokenLink = await fetch(`${room.base}/?token=${room.alice.token}`, { redirect: 'manual' });
    expect(await tokenLink.text()).toContain('en tant que <strong>Alice</strong>');
    expect(tokenLink.headers.getSetCookie().some((c) => c.startsWith('dec_token='))).toBe(false);
  });

  it('bodies are validated (400 in French), unknown labs and exercises are 404, shapes are limited to the course', async () => {
    const post = (route: string, body: string, token = room.alice.token) =>
      fetch(`${room.base}${route}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body });
    const big = await post('/api/cluster/up', JSON.stringify({ shape: { managers: 7, workers: 8 } }));
    expect(big.status).toBe(400);
    expect(((await big.json()) as { error: string }).error).toMatch(/^cluster trop grand : 3 managers et 2 workers au plus/);
    for (const body of ['{"shape":{"managers":"two","workers":1}}', '[1,2]', 'nul', '{"shape":{"managers":1,"workers":0,"extra":1}}', '{"__proto__":{"x":1}}']) {
      const res = await post('/api/cluster/up', body);
      expect(res.status, body).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/^(requête invalide|corps JSON invalide)/);
    }
    expect((await post('/api/cluster/up', `{"x":"${'a'.repeat(70_000)}"}`)).status).toBe(413);
    const unknownLab = await post('/api/labs/pas-un-tp/check', '{}', room.bob.token);
    expect(unknownLab.status).toBe(404);
    const unknownExercise = await post('/api/labs/services-replicas/check', '{"exercise":"nope"}', room.bob.token);
    expect(unknownExercise.status).toBe(404);
    expect(((await unknownExercise.json()) as { error: string }).error).toContain('n’a pas d’exercice « nope »');
  });

  it('check/solve/reset are rate-limited per learner (429 in French) without touching another learner', async () => {
    const statuses: number[] = [];
    let message = '';
    for (let i = 0; i < 14; i++) {
      const res = await fetch(`${room.base}/api/labs/services-replicas/check`, { method: 'POST', headers: { Authorization: `Bearer ${room.alice.token}` }, body: '{}' });
      statuses.push(res.status);
      if (res.status === 429) message = ((await res.json()) as { error: string }).error;
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(message).toMatch(/^trop de demandes : réessayez dans \d+ s$/);
    const other = await fetch(`${room.base}/api/labs/services-replicas/check`, { method: 'POST', headers: { Authorization: `Bearer ${room.bob.token}` }, body: '{}' });
    expect(other.status).not.toBe(429);
  });

  it('learners never read another learner’s progress, terminals or cluster, however they ask', async () => {
    for (const [path, method] of [['/api/progress', 'GET'], ['/api/terminals', 'GET'], ['/api/session', 'GET'], ['/api/cluster', 'GET']] as const) {
      for (const trick of [`?learner=${room.alice.id}`, `?cluster=${room.alice.id}`, `?token=${room.alice.token}`]) {
        const res = await fetch(`${room.base}${path}${trick}`, { method, headers: { Authorization: `Bearer ${room.bob.token}`, 'X-Learner': room.alice.id } });
        const text = await res.text();
        expect(text).not.toContain(room.alice.id);
        expect(text).not.toContain('Alice');
      }
    }
    // ?token= counts only on the terminal WebSocket: on HTTP it authenticates nobody.
    expect((await fetch(`${room.base}/api/session?token=${room.alice.token}`)).status).toBe(401);
  });

  it('revoking a learner ends their sessions; rotating the join code kills the old link', async () => {
    const { token, learner } = await room.lab.registry.register('Départ');
    const asInstructor = { Authorization: `Bearer ${room.instructor}`, 'Content-Type': 'application/json' };
    expect((await fetch(`${room.base}/api/room/learners/${learner.id}/revoke`, { method: 'POST', headers: asInstructor, body: '{}' })).status).toBe(200);
    expect((await fetch(`${room.base}/api/session`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
    const old = room.lab.registry.joinCode;
    const rotated = (await (await fetch(`${room.base}/api/room/join-code`, { method: 'POST', headers: asInstructor, body: '{}' })).json()) as { joinUrl: string };
    expect(rotated.joinUrl).not.toContain(old);
    expect((await fetch(`${room.base}/?join=${old}`)).status).toBe(403);
  });

  it('keeps no token in clear under the data folder; files 0600, folders 0700', async () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      expect(statSync(dir).mode & 0o777, dir).toBe(0o700);
      for (const entry of readdirSync(dir)) {
        const p = path.join(dir, entry);
        if (lstatSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(room.dataDir);
    expect(files.map((f) => path.basename(f))).toContain('learners.json');
    for (const file of files) {
      expect(statSync(file).mode & 0o777, file).toBe(0o600);
      const text = readFileSync(file, 'utf8');
      expect(room.secrets().filter((s) => text.includes(s)), file).toEqual([]);
    }
  });
});

describe('loopback dev mode (Vite hot reload): the same probes, and symlinks', () => {
  let room: Room;
  const link = path.join(REPO_ROOT, 'slides', 'assets', 'zz-security-probe.json');
  beforeAll(async () => {
    room = await openRoom('127.0.0.1', 'none', 'security-dev');
    rmSync(link, { force: true });
    symlinkSync(path.join(room.dataDir, 'learners.json'), link);
  }, 180_000);
  afterAll(async () => {
    rmSync(link, { force: true });
    await closeRoom(room);
  });

  it('serves the deck through Vite, and none of the probes (nor a symlink out of slides/)', async () => {
    const deck = await rawGet(room.port, '/', { Cookie: `dec_token=${room.alice.token}` }, 60_000);
    expect(deck.status).toBe(200);
    expect(deck.body).toContain('/@vite/client');
    const module = await rawGet(room.port, '/src/deck/main.ts', { Cookie: `dec_token=${room.alice.token}` }, 60_000);
    expect(module.status).toBe(200);
    const results = await probeAll(room);
    const viaLink = await rawGet(room.port, '/assets/zz-security-probe.json', { Cookie: `dec_token=${room.alice.token}` });
    results.push({ target: 'symlink', status: viaLink.status, leaks: leaks(room, viaLink.body) });
    expect(results.filter((r) => r.leaks.length > 0)).toEqual([]);
    expect(results.filter((r) => ![400, 401, 403, 404].includes(r.status))).toEqual([]);
  });
});

const docker = await engineAvailable('security: cross-learner isolation (DinD)');

describe.skipIf(!docker)('cross-learner isolation on real clusters (DinD)', () => {
  let room: Room;
  const shape = JSON.stringify({ shape: { managers: 1, workers: 0 } });
  beforeAll(async () => {
    room = await openRoom('0.0.0.0', 'dind', 'security-dind');
  }, 180_000);
  afterAll(async () => {
    if (!room) return;
    // Server first (no terminal may bring a node back on demand), then the clusters.
    await room.lab.close();
    for (const l of room.lab.registry.list()) await room.lab.clusters?.down(l.id);
    rmSync(room.dataDir, { recursive: true, force: true });
  }, 180_000);

  it('Bob reaches none of Alice’s shells, files, progress or nodes (0 successes)', async () => {
    const post = (route: string, token: string, body = '{}') => fetch(`${room.base}${route}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body });
    expect((await post('/api/cluster/up', room.alice.token, shape)).status).toBe(200);
    expect((await post('/api/cluster/up', room.bob.token, shape)).status).toBe(200);
    const ws = (token: string) => `${room.base.replace('http', 'ws')}/api/terminal/manager1/1?token=${token}`;
    const alice = await TestClient.connect(ws(room.alice.token));
    await alice.run('echo alice-secret-$((20+22)) > /root/secret; hostname > /root/host');
    const aliceHost = (await alice.run('cat /root/host')).trim();
    // Bob presents Alice's stream id and offset: he gets a shell of his own cluster.
    const bob = await TestClient.connect(ws(room.bob.token), { session: alice.session, offset: 0 });
    expect(bob.session).not.toBe(alice.session);
    const seen = await bob.run('cat /root/secret 2>&1; hostname');
    expect(seen).not.toContain('alice-secret-42');
    expect(bob.text).not.toContain('alice-secret-42');
    // Bob unplugs "manager1": his own; Alice's shell keeps answering.
    expect((await post('/api/cluster/nodes/manager1/stop', room.bob.token)).status).toBe(200);
    expect(await alice.run('cat /root/secret')).toContain('alice-secret-42');
    const bobCluster = (await (await fetch(`${room.base}/api/cluster`, { headers: { Authorization: `Bearer ${room.bob.token}` } })).text());
    expect(bobCluster).not.toContain(room.alice.id);
    expect(aliceHost).not.toBe('');
    await alice.close();
    await bob.close();
  }, 300_000);
});
