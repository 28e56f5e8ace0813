import type Docker from 'dockerode';
import { Agent } from 'node:http';
import { Duplex, PassThrough, Writable } from 'node:stream';

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
  return new ExecSocket(raw, container.modem);
}

/**
 * The hijacked exec stream multiplexes stdout and stderr in frames; docker-modem's demuxStream
 * splits them. The HTTP client gets a socket-like duplex: stdout to read, stdin to write.
 */
class ExecSocket extends Duplex {
  private readonly stdout = new PassThrough();

  constructor(
    private readonly raw: Duplex,
    modem: { demuxStream(stream: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): void },
  ) {
    super();
    // dial-stdio writes only its own errors on stderr: nothing the HTTP client should read.
    modem.demuxStream(raw, this.stdout, new Writable({ write: (_chunk, _encoding, done) => done() }));
    this.stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) raw.pause();
    });
    // The demuxer hands data over asynchronously: end only once the last of it went through.
    let rawClosed = false;
    this.stdout.on('end', () => this.push(null));
    this.once('end', () => {
      if (rawClosed) this.destroy();
    });
    raw.on('end', () => this.stdout.end());
    raw.on('close', () => {
      rawClosed = true;
      this.stdout.end();
      if (this.readableEnded) this.destroy();
    });
    raw.on('error', (error) => this.destroy(error));
  }

  override _read(): void {
    this.raw.resume();
  }

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
