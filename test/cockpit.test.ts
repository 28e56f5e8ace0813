// The room on the REAL server (HTTP, real WebSocket clients), without an engine (--driver none):
// the cockpit page and the room's routes refuse learners; the `room` topic reaches instructor
// pages only; a hint reaches only the learner it is for; names are validated and escaped; the
// results CSV. What needs clusters (read-only terminals, a passed exercise) is in
// cockpit.e2e.test.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startLabServer, type LabServer } from '../server/app';
import { loadConfig } from '../server/config';
import { MESSAGES } from '../server/http/routes';
import { wsStatus } from './edge-client';

interface Page {
  ws: WebSocket;
  frames: { topic: string; data: unknown }[];
}

let lab: LabServer;
let dataDir: string;
let instructor: string;
let alice: { token: string; id: string };
let bob: { token: string; id: string };
let mallory: { token: string; id: string };
const pages: Page[] = [];

async function livePage(token: string): Promise<Page> {
  const ws = new WebSocket(`${lab.url.replace('http', 'ws')}/api/live?token=${token}`);
  const page: Page = { ws, frames: [] };
  ws.on('message', (data) => page.frames.push(JSON.parse(data.toString()) as Page['frames'][number]));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  pages.push(page);
  return page;
}

async function until(check: () => boolean, what: string): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > 15_000) throw new Error(`délai dépassé : ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const rowsOf = (page: Page) => page.frames.filter((f) => f.topic === 'room' && (f.data as { kind: string }).kind === 'learner').map((f) => (f.data as { row: { id: string; name: string; slide: string | null; cells: Record<string, { s: string; msg?: string }> } }).row);
const lastRow = (page: Page, id: string) => rowsOf(page).filter((r) => r.id === id).at(-1);

function post(route: string, token: string, body: unknown): Promise<Response> {
  return fetch(`${lab.url}${route}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'dec-cockpit-'));
  // Alice's progress as an older server wrote it (no lastFailure, no currentLabSince): still read.
  mkdirSync(path.join(dataDir, 'progress'), { recursive: true });
  lab = await startLabServer(loadConfig({ host: '127.0.0.1', port: '0', 'data-dir': dataDir, driver: 'none', room: true }), { log: () => undefined });
  instructor = new URL(lab.localUrl).searchParams.get('token')!;
  const a = await lab.registry.register('Alice');
  const b = await lab.registry.register('Bob');
  const m = await lab.registry.register('=HYPERLINK("http://evil.example")');
  alice = { token: a.token, id: a.learner.id };
  bob = { token: b.token, id: b.learner.id };
  mallory = { token: m.token, id: m.learner.id };
  writeFileSync(path.join(dataDir, 'progress', `${alice.id}.json`), JSON.stringify({ currentLab: 'services-replicas', exercises: { 'services-replicas/create': { attempts: 2, passedAt: '2026-12-01T09:00:00.000Z', lastCheckAt: '2026-12-01T09:00:00.000Z' } } }));
}, 120_000);

afterAll(async () => {
  for (const p of pages) p.ws.terminate();
  await lab?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the cockpit on the real server (--driver none)', () => {
  it('/cockpit: 401 without a token, 403 « réservé au formateur » for a learner, the page for the instructor (dev mode: Vite, hot reload)', async () => {
    const none = await fetch(`${lab.url}/cockpit`);
    expect(none.status).toBe(401);
    expect(await none.text()).toContain('jeton d’accès');
    const learner = await fetch(`${lab.url}/cockpit`, { headers: { Cookie: `dec_token=${alice.token}` } });
    expect(learner.status).toBe(403);
    expect(await learner.text()).toContain(MESSAGES.forbidden);
    const page = await fetch(`${lab.url}/cockpit`, { headers: { Cookie: `dec_token=${instructor}` } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Tableau de bord de la salle');
    expect(html).toContain('/src/cockpit/main.ts');
    expect(html).toContain('/@vite/client');
    // The page never holds the deck's slides.
    expect(html).not.toContain('class="reveal"');
    // The cockpit's own token link is a login confirmation first, leading back to /cockpit.
    const link = await fetch(`${lab.url}/cockpit?token=${instructor}`);
    expect(link.status).toBe(200);
    expect(await link.text()).toContain('<input type="hidden" name="next" value="/cockpit">');
  });

  it('the read-only terminal socket is the instructor’s only', async () => {
    const url = `${lab.url.replace('http', 'ws')}/api/room/learners/${alice.id}/terminal/manager1/1`;
    expect(await wsStatus(url)).toBe(401);
    expect(await wsStatus(`${url}?token=${bob.token}`)).toBe(403);
    expect(await wsStatus(`${url}?token=${alice.token}`)).toBe(403);
    expect(await wsStatus(`${url.replace(alice.id, 'personne')}?token=${instructor}`)).toBe(404);
  });

  it('the room topic goes to instructor pages only: course and rows on connect, then changed rows; learners never see it', async () => {
    const a = await livePage(alice.token);
    const b = await livePage(bob.token);
    const cockpit = await livePage(instructor);
    await until(() => rowsOf(cockpit).length >= 3, 'the rows of the snapshot');
    const course = cockpit.frames.find((f) => f.topic === 'room')!.data as { kind: string; course: { lab: string; exercises: unknown[] }[]; learners: string[] };
    expect(course.kind).toBe('course');
    expect(course.course.map((l) => l.lab).slice(0, 3)).toEqual(['swarm-init', 'managers-quorum', 'services-replicas']);
    expect(course.learners.sort()).toEqual([alice.id, bob.id, mallory.id].sort());
    // The older progress file is read: create passed, scale the exercise in progress.
    expect(lastRow(cockpit, alice.id)!.cells['services-replicas/create']!.s).toBe('passed');
    expect(lastRow(cockpit, alice.id)!.cells['services-replicas/scale']!.s).toBe('active');
    // A learner's page says which slide it shows; a rename: the cockpit gets the new row.
    a.ws.send(JSON.stringify({ topic: 'room-presence', data: { slide: 'lab-services-replicas' } }));
    await until(() => lastRow(cockpit, alice.id)?.slide === 'lab-services-replicas', 'the slide in Alice’s row');
    const renamed = await post('/api/session/name', bob.token, { name: '  Bob <b>Léger</b> ' });
    expect(renamed.status).toBe(200);
    await until(() => lastRow(cockpit, bob.id)?.name === 'Bob <b>Léger</b>', 'Bob’s new name');
    // A learner who asks for the topic, or speaks on it, gets nothing and is cut off.
    b.ws.send(JSON.stringify({ topic: 'room', data: { kind: 'course', course: [], learners: [] } }));
    await until(() => b.ws.readyState === WebSocket.CLOSED, 'Bob’s page closed for a frame on the room topic');
    expect([...a.frames, ...b.frames].filter((f) => f.topic === 'room')).toEqual([]);
  });

  it('a hint reaches every page of that learner and nobody else; without an open page it says so (409)', async () => {
    const a1 = await livePage(alice.token);
    const a2 = await livePage(alice.token);
    const b = await livePage(bob.token);
    const cockpit = await livePage(instructor);
    const sent = await post(`/api/room/learners/${alice.id}/hint`, instructor, { text: '  Regardez « docker service ps web »\u0007  ' });
    expect(sent.status).toBe(200);
    // Two pages of this test, plus the one left open by the test before.
    expect(((await sent.json()) as { pages: number }).pages).toBe(3);
    const hints = (p: Page) => p.frames.filter((f) => f.topic === 'room-hint').map((f) => (f.data as { text: string }).text);
    await until(() => hints(a1).length === 1 && hints(a2).length === 1, 'the hint on both of Alice’s pages');
    expect(hints(a1)).toEqual(['Regardez « docker service ps web »']);
    // Then one to Bob and one to the instructor's own page: each socket delivers in order, so had
    // Alice's hint gone to them, it would have arrived first.
    expect((await post(`/api/room/learners/${bob.id}/hint`, instructor, { text: 'Pour Bob' })).status).toBe(200);
    expect((await post('/api/room/learners/local/hint', instructor, { text: 'Pour le formateur' })).status).toBe(200);
    await until(() => hints(b).length > 0 && hints(cockpit).length > 0, 'the later hints');
    expect(hints(b)).toEqual(['Pour Bob']);
    expect(hints(cockpit)).toEqual(['Pour le formateur']);
    expect(hints(a1)).toEqual(['Regardez « docker service ps web »']);
    const nobody = await post(`/api/room/learners/${mallory.id}/hint`, instructor, { text: 'Bonjour' });
    expect(nobody.status).toBe(409);
    expect(((await nobody.json()) as { error: string }).error).toContain('aucune page du cours ouverte');
    expect((await post(`/api/room/learners/${alice.id}/hint`, instructor, { text: ' \u0007 ' })).status).toBe(400);
    expect((await post(`/api/room/learners/${alice.id}/hint`, bob.token, { text: 'usurpation' })).status).toBe(403);
  });

  it('names: the join form asks for one, refuses bad ones in French and shows the form again; names are escaped', async () => {
    const link = await fetch(`${lab.url}/?join=${lab.registry.joinCode}&name=${encodeURIComponent('<script>alert(1)</script>')}`);
    const html = await link.clone().text();
    expect(html).toContain('Votre nom (affiché au formateur)');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;');
    // Each form shown carries its own CSRF token (cookie and field): the next post uses the last one.
    const formOf = async (res: Response) => ({ cookie: res.headers.getSetCookie().find((c) => c.startsWith('dec_csrf='))!.split(';')[0]!, csrf: /name="csrf" value="([^"]+)"/.exec(await res.text())![1]! });
    const join = (name: string, form: { cookie: string; csrf: string }) =>
      fetch(`${lab.url}/login`, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: lab.url, Cookie: form.cookie }, body: new URLSearchParams({ join: lab.registry.joinCode, csrf: form.csrf, name, next: '/' }) });
    const refused = await join('Eve\u202Egnp.exe', await formOf(link));
    expect(refused.status).toBe(400);
    expect(refused.headers.getSetCookie().some((c) => c.startsWith('dec_token='))).toBe(false);
    const again = await refused.clone().text();
    expect(again).toContain('caractère invisible ou de contrôle');
    expect(again).toContain('aria-invalid="true"');
    const tooLong = await join('x'.repeat(41), await formOf(refused));
    expect(await tooLong.clone().text()).toContain('40 caractères au plus');
    const ok = await join('  Chloé  ', await formOf(tooLong));
    expect(ok.status).toBe(303);
    expect(ok.headers.getSetCookie().some((c) => c.startsWith('dec_token='))).toBe(true);
    expect(lab.registry.list().some((l) => l.name === 'Chloé')).toBe(true);
    // Renaming later: same rules.
    const bad = await post('/api/session/name', alice.token, { name: '\u0000' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('caractère invisible');
  });

  it('results as CSV for the instructor only: BOM, course order, formula injection defused', async () => {
    expect((await fetch(`${lab.url}/api/room/results.csv`, { headers: { Authorization: `Bearer ${alice.token}` } })).status).toBe(403);
    const res = await fetch(`${lab.url}/api/room/results.csv`, { headers: { Authorization: `Bearer ${instructor}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="resultats-salle-\d{4}-\d{2}-\d{2}\.csv"$/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).split('\r\n');
    expect(lines[0]!.startsWith('identifiant,nom,exercices réussis,dernière activité,swarm-init/init,')).toBe(true);
    const header = lines[0]!.split(',');
    const aliceLine = lines.find((l) => l.startsWith(`${alice.id},`))!.split(',');
    expect(aliceLine[1]).toBe('Alice');
    expect(aliceLine[2]).toBe('1');
    expect(aliceLine[header.indexOf('services-replicas/create')]).toBe('réussi');
    expect(aliceLine[header.indexOf('services-replicas/scale')]).toBe('en cours');
    expect(lines.find((l) => l.startsWith(`${mallory.id},`))).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
  });

  it('the join link as a QR code (SVG made here) and as text, for the instructor', async () => {
    const svg = await fetch(`${lab.url}/api/room/join.svg`, { headers: { Authorization: `Bearer ${instructor}` } });
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(svg.headers.get('content-security-policy')).toContain("default-src 'none'");
    const text = await svg.text();
    expect(text).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(text).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    const join = (await (await fetch(`${lab.url}/api/room/join`, { headers: { Authorization: `Bearer ${instructor}` } })).json()) as { joinUrl: string };
    expect(join.joinUrl).toBe(lab.joinUrl);
    expect(join.joinUrl).toContain(`?join=${lab.registry.joinCode}`);
    expect((await fetch(`${lab.url}/api/room/join.svg`, { headers: { Authorization: `Bearer ${bob.token}` } })).status).toBe(403);
  });
});
