import type Docker from 'dockerode';
import { Agent } from 'node:http';
import { Duplex } from 'node:stream';

/**
 * An HTTP agent whose connections are `docker system dial-stdio` processes run inside a node
 * container through the host engine: the Docker API of a node without any socket shared with
 * the host. Docker Desktop (macOS, Windows) and remote engines cannot reach a unix socket
 * bind-mounted out of a container; this reaches the node's engine wherever `docker exec` works.
 */
export function execAgent(container: Docker.Container): Agent {
  const agent = new Agent({ keepAlive: false });
  (agent as unknown as { createConnection: unknown }).createConnection = (
    _options: unknown,
    callback: (error: Error | null, stream?: Duplex) => void,
  ) => {
    dialStdio(container).then(
      (stream) => callback(null, stream),
      (error: Error) => callback(error),
    );
  };
  return agent;
}

async function dialStdio(container: Docker.Container): Promise<Duplex> {
  const exec = await container.exec({
    Cmd: ['docker', 'system', 'dial-stdio'],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const raw = (await exec.start({ hijack: true, stdin: true })) as unknown as Duplex;
  return new DemuxedStream(raw);
}

/**
 * The hijacked exec stream multiplexes stdout and stderr in frames (8-byte header: stream type,
 * 3 zero bytes, big-endian length). The HTTP client wants the bare byte stream of stdout.
 */
class DemuxedStream extends Duplex {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly raw: Duplex) {
    super();
    raw.on('data', (chunk: Buffer) => this.demux(chunk));
    raw.on('end', () => this.push(null));
    raw.on('close', () => this.destroy());
    raw.on('error', (error) => this.destroy(error));
  }

  private demux(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      if (this.pending[0] === 1) this.push(this.pending.subarray(8, 8 + size));
      this.pending = this.pending.subarray(8 + size);
    }
  }

  override _read(): void {}

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.raw.write(chunk, encoding, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.raw.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.raw.destroy();
    callback(error);
  }

  // What the HTTP client may call on a socket.
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}
