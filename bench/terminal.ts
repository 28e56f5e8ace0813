// Terminal gateway bench: 50 MB flood throughput through the WebSocket and keystroke echo
// latency, medians of several runs, with a minimal ws + node-pty relay measured on the same
// machine at the same time as a yardstick (the NOTES.md anchors were measured on an idle machine).
//
//   npx tsx bench/terminal.ts            (BENCH_RUNS=5 by default)
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import * as pty from 'node-pty';
import { WebSocket, WebSocketServer } from 'ws';
import { PROTOCOL_VERSION } from '../server/terminals/protocol';
import { localBash, startTestEdge, TEST_PS1 } from '../server/terminals/testing';

export interface TerminalBench {
  throughputMBps: number;
  echoP50Ms: number;
  echoP99Ms: number;
  rssBeforeMB: number;
  rssAfterMB: number;
}

const FLOOD_BYTES = 50_000_000;
/** A single 50 MB line: the pty passes it through unchanged (no \n → \r\n expansion). */
const FLOOD_CMD = `head -c ${FLOOD_BYTES} /dev/zero | tr '\\0' y`;
const KEYSTROKES = 300;

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
const quantile = (xs: number[], q: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]!; };
const rssMB = () => process.memoryUsage().rss / 1e6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a bench needs from a terminal connection. */
interface Conn {
  received(): number;
  tail(): string;
  type(s: string): void;
  wait(cond: () => boolean, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

async function measure(conn: Conn): Promise<{ mbps: number; echo: number[] }> {
  await conn.wait(() => conn.tail().endsWith(TEST_PS1), 15_000);
  // Flood
  const n = Math.floor(Math.random() * 1e6);
  const r0 = conn.received();
  const t0 = performance.now();
  conn.type(`${FLOOD_CMD}; echo "END-$((${n}+1))"\r`);
  await conn.wait(() => conn.received() - r0 >= FLOOD_BYTES && conn.tail().includes(`END-${n + 1}`), 300_000);
  const seconds = (performance.now() - t0) / 1000;
  const mbps = FLOOD_BYTES / 1e6 / seconds;
  await conn.wait(() => conn.tail().endsWith(TEST_PS1), 15_000);
  // Echo: one key, wait for its echo, repeat; clear the line every 50 keys.
  const echo: number[] = [];
  for (let i = 0; i < KEYSTROKES; i++) {
    if (i % 50 === 0 && i > 0) {
      const before = conn.received();
      conn.type('\x15');
      await conn.wait(() => conn.received() > before, 5000);
      await sleep(20);
    }
    const before = conn.received();
    const t = performance.now();
    conn.type('x');
    await conn.wait(() => conn.received() > before, 5000);
    echo.push(performance.now() - t);
  }
  conn.type('\x15');
  return { mbps, echo };
}

/**
 * A bare ws client, the same for the gateway and the relay so that client-side costs are equal:
 * it counts bytes and keeps the last 64. With `protocol`, it speaks the gateway's protocol
 * (hello, then an ack every 32 KiB like the browser panel).
 */
async function rawConn(url: string, protocol: boolean): Promise<Conn> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  let received = 0;
  let offset = 0;
  let acked = 0;
  let tail = '';
  let attached = !protocol;
  const waiters = new Set<() => void>();
  ws.on('message', (d: Buffer, isBinary: boolean) => {
    if (!isBinary) {
      const msg = JSON.parse(d.toString()) as { t: string; offset?: number };
      if (msg.t === 'attached') { attached = true; offset = acked = msg.offset ?? 0; }
    } else {
      received += d.length;
      offset += d.length;
      tail = (tail + d.subarray(Math.max(0, d.length - 64)).toString('latin1')).slice(-64);
      if (protocol && offset - acked >= 32 * 1024) {
        acked = offset;
        ws.send(JSON.stringify({ t: 'ack', offset }));
      }
    }
    for (const w of [...waiters]) w();
  });
  const wait = (cond: () => boolean, timeoutMs: number) => new Promise<void>((resolve, reject) => {
    if (cond()) return resolve();
    const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`bench timeout; tail ${JSON.stringify(tail)}`)); }, timeoutMs);
    const check = () => { if (cond()) { clearTimeout(timer); waiters.delete(check); resolve(); } };
    waiters.add(check);
  });
  await new Promise((r) => ws.once('open', r));
  if (protocol) {
    ws.send(JSON.stringify({ t: 'hello', v: PROTOCOL_VERSION, session: null, offset: null, cols: 80, rows: 24 }));
    await wait(() => attached, 10_000);
  }
  return {
    received: () => received,
    tail: () => tail,
    type: (s) => ws.send(Buffer.from(s), { binary: true }),
    wait,
    close: () => new Promise<void>((r) => { ws.once('close', () => r()); ws.close(); }),
  };
}

/** The yardstick: a ws server relaying a node-pty both ways in binary frames, nothing else. */
async function startMinimalRelay() {
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const ptys = new Set<pty.IPty>();
  wss.on('connection', (ws) => {
    const spec = localBash();
    const p = pty.spawn(spec.file, spec.args, { cols: 80, rows: 24, cwd: spec.cwd, env: spec.env, encoding: null });
    ptys.add(p);
    p.onData((d) => ws.send(d as unknown as Buffer, { binary: true }));
    ws.on('message', (d) => p.write(d as Buffer));
    ws.on('close', () => { p.kill(); ptys.delete(p); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    connect: () => rawConn(url, false),
    async close() {
      for (const p of ptys) p.kill();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

type Opener = () => Promise<{ conn: Conn; done: () => Promise<void> }>;
interface Series { throughputMBps: number; echoP50Ms: number; echoP99Ms: number; all: { mbps: number[]; p50: number[]; p99: number[] } }

/** Runs the openers in turn, run after run (interleaved, so that both see the same machine load). */
async function interleaved(runs: number, openers: Opener[]): Promise<Series[]> {
  const acc = openers.map(() => ({ mbps: [] as number[], p50: [] as number[], p99: [] as number[] }));
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < openers.length; k++) {
      const { conn, done } = await openers[k]!();
      const r = await measure(conn);
      await conn.close();
      await done();
      acc[k]!.mbps.push(r.mbps);
      acc[k]!.p50.push(quantile(r.echo, 0.5));
      acc[k]!.p99.push(quantile(r.echo, 0.99));
    }
  }
  return acc.map((a) => ({ throughputMBps: median(a.mbps), echoP50Ms: median(a.p50), echoP99Ms: median(a.p99), all: a }));
}

export async function benchTerminal(opts: { runs?: number; baseline?: boolean; log?: (s: string) => void } = {}): Promise<TerminalBench> {
  const runs = opts.runs ?? Number(process.env.BENCH_RUNS ?? 5);
  const log = opts.log ?? ((s: string) => console.log(s));
  const edge = await startTestEdge({ resolveShell: async () => localBash() });
  const relay = (opts.baseline ?? true) ? await startMinimalRelay() : null;
  const rssBeforeMB = rssMB();
  let learner = 0;
  const gatewayOpener: Opener = async () => {
    const name = `bench-${learner++}`;
    const conn = await rawConn(edge.url('bench', '1', name), true);
    return { conn, done: async () => edge.gateway.closeLearner(name) };
  };
  const relayOpener: Opener = async () => ({ conn: await relay!.connect(), done: async () => {} });
  const [ours, base] = await interleaved(runs, relay ? [gatewayOpener, relayOpener] : [gatewayOpener]);
  (globalThis as { gc?: () => void }).gc?.();
  const rssAfterMB = rssMB();
  const stats = edge.gateway.stats();
  await edge.close();
  await relay?.close();
  const result: TerminalBench = {
    throughputMBps: ours!.throughputMBps, echoP50Ms: ours!.echoP50Ms, echoP99Ms: ours!.echoP99Ms, rssBeforeMB, rssAfterMB,
  };
  const f = (x: number) => x.toFixed(x < 10 ? 2 : 1);
  const row = (s: Series) => `flood ${f(s.throughputMBps)} MB/s, echo p50 ${f(s.echoP50Ms)} ms / p99 ${f(s.echoP99Ms)} ms`;
  const runsOf = (s: Series) => `runs: MB/s ${s.all.mbps.map(f).join(' ')} | p50 ${s.all.p50.map(f).join(' ')} | p99 ${s.all.p99.map(f).join(' ')}`;
  log(`terminal gateway (${runs} runs, medians): ${row(ours!)}; rss ${f(rssBeforeMB)} → ${f(rssAfterMB)} MB (bench process: gateway + clients${relay ? ' + relay' : ''}); peak unacked ${stats.peakUnackedBytes} B, peak ring ${stats.peakRingBytes} B, pauses ${stats.pauses}`);
  log(`  ${runsOf(ours!)}`);
  if (base) {
    log(`minimal ws+node-pty relay, interleaved on the same machine: ${row(base)}`);
    log(`  ${runsOf(base)}`);
    log(`  gateway / relay: throughput ${(100 * result.throughputMBps / base.throughputMBps).toFixed(0)} %, echo p50 ${(result.echoP50Ms / base.echoP50Ms).toFixed(2)}×, p99 ${(result.echoP99Ms / base.echoP99Ms).toFixed(2)}×`);
  }
  log('NOTES.md anchors (idle 2-vCPU machine): minimal relay 43–49 MB/s, echo 0.25 / 2 ms, server 56 → 61 MB; wetty 40–42 MB/s, 2.8 / 5–7 ms, 78 → 97–112 MB');
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchTerminal().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
}
