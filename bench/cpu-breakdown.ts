// Where the host's CPU goes during a bench, from /proc and the containers' cgroups (v1 or v2):
// the bench's own process (server and simulated learners, or the server alone), its children
// (the `docker exec` clients of the terminals), the host engine (dockerd, containerd and the
// container shims), the clusters' containers (nested engines, shells, commands), and the rest.
// Figures are in % of one core, so "what bounds the room" can be read off the bench output.
import { readFileSync, readdirSync } from 'node:fs';

export type CpuShares = Record<'bench process' | 'terminal clients' | 'host engine' | 'clusters' | 'other', number>;

interface Reading {
  at: number;
  /** Busy time of all cores, and all of their time (busy and idle), from /proc/stat, in ms. */
  total: number;
  all: number;
  self: number;
  children: number;
  engine: number;
  containers: number;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** User + system time of a process, in ms (0 if it is gone). */
function processMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

interface Proc { pid: number; ppid: number; name: string; inContainer: boolean }

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cgroup = readFileSync(`/proc/${entry}/cgroup`, 'utf8');
      out.push({ pid: Number(entry), ppid, name, inContainer: /docker[-/][0-9a-f]{12}/.test(cgroup) });
    } catch {
      /* ended while reading */
    }
  }
  return out;
}

/** CPU time of a container's cgroup in ms, v1 (cpuacct) or v2 (cpu.stat). */
function containerMs(id: string): number {
  const files: [string, (text: string) => number][] = [
    [`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, (t) => Number(t) / 1e6],
    [`/sys/fs/cgroup/cpu,cpuacct/docker/${id}/cpuacct.usage`, (t) => Number(t) / 1e6],
    [`/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`, (t) => Number(/usage_usec (\d+)/.exec(t)?.[1] ?? 0) / 1e3],
    [`/sys/fs/cgroup/docker/${id}/cpu.stat`, (t) => Number(/usage_usec (\d+)/.exec(t)?.[1] ?? 0) / 1e3],
  ];
  for (const [file, parse] of files) {
    try {
      return parse(readFileSync(file, 'utf8'));
    } catch {
      /* another layout */
    }
  }
  return 0;
}

/** Busy and all time of all cores from /proc/stat, in ms. */
function coresMs(): { busy: number; all: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const all = fields.reduce((a, b) => a + b, 0);
  return { busy: (all - idle) * TICK_MS, all: all * TICK_MS };
}

const ENGINE = /^(dockerd|containerd|containerd-shim.*|docker-proxy)$/;

/**
 * Reads the counters now. `containerIds`: the bench's containers (full ids). Processes that ended
 * between two readings lose their time (short `docker` commands): it lands in "other".
 */
export function readCpu(containerIds: string[]): Reading {
  const procs = processes();
  const mine = new Set<number>([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) if (!mine.has(p.pid) && mine.has(p.ppid)) { mine.add(p.pid); grew = true; }
  }
  let children = 0;
  let engine = 0;
  for (const p of procs) {
    if (p.inContainer) continue;
    if (p.pid !== process.pid && mine.has(p.pid)) children += processMs(p.pid);
    else if (ENGINE.test(p.name)) engine += processMs(p.pid);
  }
  const self = process.cpuUsage();
  const cores = coresMs();
  return {
    at: performance.now(),
    total: cores.busy,
    all: cores.all,
    self: (self.user + self.system) / 1000,
    children,
    engine,
    containers: containerIds.reduce((sum, id) => sum + containerMs(id), 0),
  };
}

/** % of one core used by each part between two readings (of the same containers). */
export function cpuShares(a: Reading, b: Reading): CpuShares {
  const wall = Math.max(1, b.at - a.at);
  const pct = (ms: number) => Math.max(0, (100 * ms) / wall);
  const parts = {
    'bench process': pct(b.self - a.self),
    'terminal clients': pct(b.children - a.children),
    'host engine': pct(b.engine - a.engine),
    clusters: pct(b.containers - a.containers),
  };
  const known = Object.values(parts).reduce((x, y) => x + y, 0);
  return { ...parts, other: Math.max(0, pct(b.total - a.total) - known) };
}

/** Share of the host's cores in use between two readings, in % of all of them. */
export function hostBusy(a: Reading, b: Reading): number {
  return (100 * (b.total - a.total)) / Math.max(1, b.all - a.all);
}

export function formatShares(s: CpuShares): string {
  return Object.entries(s).map(([k, v]) => `${k} ${v.toFixed(0)} %`).join(', ');
}
