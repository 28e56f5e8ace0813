// Talking to the real lab server as a browser, an attacker or a broken client would: raw
// requests over a TCP socket (any target, any header), and a WebSocket handshake probe.
import net from 'node:net';
import { WebSocket } from 'ws';

export interface RawAnswer {
  /** 0 when the server closed or timed out without a status line. */
  status: number;
  head: string;
  body: string;
  /** The server closed the connection (or we gave up after `timeoutMs`). */
  closed: 'server' | 'timeout';
}

/**
 * Sends `request` bytes as-is to 127.0.0.1:port and reads until the server closes, `timeoutMs`,
 * or (`untilHead`) the end of the answer's head (an accepted WebSocket stays open).
 */
export function rawRequest(port: number, request: string | Buffer, timeoutMs = 2000, untilHead = false): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closed: RawAnswer['closed']) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split < 0 ? text : text.slice(0, split);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, head, body: split < 0 ? '' : Buffer.concat(chunks).subarray(Buffer.byteLength(text.slice(0, split + 4), 'latin1')).toString('utf8'), closed });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('data', (d) => {
      chunks.push(d);
      if (untilHead && Buffer.concat(chunks).includes('\r\n\r\n')) finish('server');
    });
    socket.on('error', () => finish('server'));
    socket.on('close', () => finish('server'));
    socket.on('connect', () => socket.write(request));
  });
}

/** A GET of `target` with headers, `Connection: close`; the whole answer. */
export function rawGet(port: number, target: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<RawAnswer> {
  const lines = [`GET ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return rawRequest(port, `${lines.join('\r\n')}\r\n\r\n`, timeoutMs);
}

/** The status of a WebSocket handshake (101 when it opened), never hanging. */
export function wsStatus(url: string, options: { origin?: string; headers?: Record<string, string>; protocol?: string } = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options.protocol ? [options.protocol] : [], { origin: options.origin, headers: options.headers, handshakeTimeout: 3000 });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.terminate();
    });
    ws.on('error', () => resolve(0));
  });
}
