// The pseudo-terminal a session drives: node-pty in production, an in-memory one in unit tests.
import * as pty from 'node-pty';
import type { ShellSpec } from '../drivers/types';

export interface Pty {
  readonly pid: number;
  write(data: string | Buffer): void;
  resize(cols: number, rows: number): void;
  /** Stop reading: the kernel buffer fills and the program writing blocks. */
  pause(): void;
  resume(): void;
  kill(signal?: string): void;
  onData(listener: (data: Buffer) => void): void;
  onExit(listener: (exitCode: number) => void): void;
}

export type SpawnPty = (spec: ShellSpec, size: { cols: number; rows: number }) => Pty;

/** A real pty running the driver's shell command, reading raw bytes (no decoding). */
export const spawnNodePty: SpawnPty = (spec, size) => {
  const proc = pty.spawn(spec.file, spec.args, {
    name: spec.env?.TERM ?? 'xterm-256color',
    cols: size.cols,
    rows: size.rows,
    cwd: spec.cwd ?? process.env.HOME ?? '/',
    env: spec.env ?? (process.env as Record<string, string>),
    encoding: null,
  });
  return {
    pid: proc.pid,
    write: (data) => proc.write(data),
    resize: (cols, rows) => proc.resize(cols, rows),
    pause: () => proc.pause(),
    resume: () => proc.resume(),
    kill: (signal) => proc.kill(signal),
    // With `encoding: null`, node-pty hands Buffers to onData although its type says string.
    onData: (listener) => { proc.onData((data) => listener(data as unknown as Buffer)); },
    onExit: (listener) => { proc.onExit(({ exitCode }) => listener(exitCode)); },
  };
};

/** SIGHUP, then SIGKILL if the shell (or a `docker exec` child) ignores it. Real time: process hygiene, not behaviour. */
export function killHard(proc: Pty): void {
  try { proc.kill('SIGHUP'); } catch { /* already gone */ }
  const hard = setTimeout(() => { try { proc.kill('SIGKILL'); } catch { /* gone */ } }, 2000);
  hard.unref();
  proc.onExit(() => clearTimeout(hard));
}
