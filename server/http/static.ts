import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import sirv from 'sirv';

/**
 * The one way this project serves a built site (class mode, the PDF export, the browser
 * tests): sirv over the files that exist when it starts (no dotfiles, nothing outside the
 * folder), with ETag/304 and Range. Vite's hashed files (deck/) are cached for good.
 */
export type StaticHandler = (req: IncomingMessage, res: ServerResponse, notFound: () => void) => void;

const RANGE = /^bytes=(\d{1,15})-(\d{0,15})$/;

export function staticHandler(dir: string, prefix = '/'): StaticHandler {
  const serve = sirv(path.resolve(dir), {
    dev: false,
    etag: true,
    dotfiles: false,
    setHeaders(res, pathname) {
      res.setHeader('Cache-Control', pathname.startsWith('/deck/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      res.setHeader('X-Content-Type-Options', 'nosniff');
    },
  });
  return (req, res, notFound) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !req.url?.startsWith(prefix)) return notFound();
    // sirv trusts the Range header; a malformed or reversed one is ignored (the whole file).
    const range = req.headers.range;
    if (range !== undefined) {
      const m = RANGE.exec(range);
      if (!m || (m[2] !== '' && Number(m[2]) < Number(m[1]))) delete req.headers.range;
    }
    const url = req.url;
    req.url = `/${url.slice(prefix.length)}`;
    serve(req, res, () => {
      req.url = url;
      notFound();
    });
  };
}

export interface StaticServer {
  server: Server;
  /** `http://127.0.0.1:PORT/` (with the prefix, if any). */
  url: string;
  close(): Promise<void>;
}

/** A static server for a built site on 127.0.0.1 and a random port (PDF export, tests). */
export async function startStaticServer(dir: string, prefix = '/'): Promise<StaticServer> {
  const handle = staticHandler(dir, prefix);
  const server = createServer((req, res) => {
    handle(req, res, () => res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('introuvable'));
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
