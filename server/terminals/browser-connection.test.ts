// The browser's side of the protocol (src/lab/terminal/connection.ts) against the real gateway,
// with Node's own WebSocket (the WHATWG one browsers have): learner and viewer modes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TerminalConnection, type ConnectionStatus, type TerminalSink } from '../../src/lab/terminal/connection';
import { localBash, plain, startTestEdge, TestClient, TEST_PS1, until, type TestEdge } from './testing';

/** A screen-less sink that records what the connection does. */
class Screen implements TerminalSink {
  text = '';
  notices: string[] = [];
  statuses: ConnectionStatus[] = [];
  sizes: [number, number][] = [];
  private readonly decoder = new TextDecoder();
  private waiters = new Set<() => void>();
  constructor(private readonly cols: number, private readonly rows: number) {}
  write(data: Uint8Array, done: () => void): void {
    this.text += this.decoder.decode(data, { stream: true });
    queueMicrotask(done);
    this.wake();
  }
  reset(): void { this.text = ''; }
  notice(text: string): void { this.notices.push(text); this.wake(); }
  size() { return { cols: this.cols, rows: this.rows }; }
  status(s: ConnectionStatus): void { this.statuses.push(s); this.wake(); }
  resized(cols: number, rows: number): void { this.sizes.push([cols, rows]); this.wake(); }
  private wake() { for (const w of [...this.waiters]) w(); }
  waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => { if (cond()) { done(); resolve(); } };
      const timer = setTimeout(() => { done(); reject(new Error(`timeout: ${what}; screen: ${JSON.stringify(this.text.slice(-300))}`)); }, timeoutMs);
      const done = () => { clearTimeout(timer); this.waiters.delete(check); };
      this.waiters.add(check);
    });
  }
}

describe('TerminalConnection (browser side) with the real gateway', () => {
  let edge: TestEdge;
  beforeAll(async () => { edge = await startTestEdge({ resolveShell: async () => localBash() }); });
  afterAll(async () => { await edge?.close(); });

  it('a learner types and reads; every byte it received is acknowledged', async () => {
    const screen = new Screen(100, 30);
    const conn = new TerminalConnection(() => edge.url('n-browser', '1', 'nina'), screen);
    conn.start();
    await screen.waitFor(() => screen.text.includes(TEST_PS1), 'prompt');
    expect(screen.statuses).toEqual(['connecting', 'open']);
    conn.send('stty size; echo hi-$((1+1))\r');
    await screen.waitFor(() => /hi-2\r\n/.test(screen.text), 'output');
    expect(plain(screen.text)).toContain('30 100');
    await until(() => edge.gateway.stats().unackedBytes === 0, 'all acknowledged');
    conn.dispose();
    expect(screen.statuses.at(-1)).toBe('closed');
  });

  it('a viewer follows the pty size and sends nothing, whatever its page does', async () => {
    const learner = await TestClient.connect(edge.url('n-watch', '1', 'omar'), { cols: 90, rows: 20 });
    await learner.waitForText(TEST_PS1);
    const screen = new Screen(20, 5);
    const conn = new TerminalConnection(() => edge.viewerUrl('n-watch', '1', 'omar'), screen, { viewer: true });
    conn.start();
    await screen.waitFor(() => screen.text.includes(TEST_PS1), 'replay');
    expect(screen.sizes).toEqual([[90, 20]]);
    conn.send('echo FROM-VIEWER-$((2*2))\r');
    conn.resize(20, 5);
    expect(await learner.run('stty size')).toMatch(/20 90/);
    await screen.waitFor(() => screen.text.includes('20 90'), 'viewer sees the output');
    // Nothing was even sent: the server would have answered a read-only error.
    expect(screen.notices).toEqual([]);
    expect(learner.text).not.toContain('FROM-VIEWER-4');
    learner.control({ t: 'resize', cols: 120, rows: 40 });
    await screen.waitFor(() => screen.sizes.length === 2, 'resized');
    expect(screen.sizes[1]).toEqual([120, 40]);
    conn.dispose();
    await learner.close();
  });
});
