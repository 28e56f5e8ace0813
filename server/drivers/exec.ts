import type Docker from 'dockerode';
import { PassThrough, Readable } from 'node:stream';
import type { ExecResult } from './types';

/**
 * Runs a command in a container through the Docker API, optionally feeding it stdin (a string or
 * a stream such as `docker save`), and collects its exit code and output.
 */
export async function execInContainer(
  container: Docker.Container,
  cmd: string[],
  input?: string | Readable,
): Promise<ExecResult> {
  const exec = await container.exec({
    Cmd: cmd,
    AttachStdin: input !== undefined,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const stream = await exec.start({ hijack: true, stdin: input !== undefined });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  container.modem.demuxStream(stream, stdout, stderr);
  const done = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  if (input !== undefined) {
    const source = typeof input === 'string' ? Readable.from([Buffer.from(input)]) : input;
    source.on('error', (e) => stream.destroy(e));
    source.on('end', () => (stream as unknown as { end(): void }).end());
    source.pipe(stream as unknown as NodeJS.WritableStream, { end: false });
  }
  await done;
  const info = await exec.inspect();
  return {
    code: info.ExitCode ?? -1,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}
