import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { contentType } from '../../src/render/mime';

/** Serves files of `root` (the built site); never outside it. Returns false when nothing matches. */
export async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse, prefix = '/'): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    return false;
  }
  if (!pathname.startsWith(prefix)) return false;
  let file = path.resolve(root, `.${pathname.slice(prefix.length - 1)}`);
  if (file !== root && !file.startsWith(root + path.sep)) return false;
  let info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) {
    file = path.join(file, 'index.html');
    info = await stat(file).catch(() => undefined);
  }
  if (!info?.isFile()) return false;
  res.writeHead(200, {
    'Content-Type': contentType(file) ?? 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': path.basename(path.dirname(file)) === 'deck' ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
  return true;
}

export interface StaticServer {
  server: Server;
  /** `http://127.0.0.1:PORT/` (with the prefix, if any). */
  url: string;
  close(): Promise<void>;
}

/** A static server for a built site on 127.0.0.1 and a random port (PDF export, tests). */
export async function startStaticServer(dir: string, prefix = '/'): Promise<StaticServer> {
  const root = path.resolve(dir);
  const server = createServer((req, res) => {
    serveStatic(root, req, res, prefix).then(
      (served) => {
        if (!served) res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('introuvable');
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('adresse du serveur inconnue');
  return {
    server,
    url: `http://127.0.0.1:${address.port}${prefix}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
