import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Learner, LearnerRegistry } from '../learners';

export const COOKIE = 'dec_token';

/**
 * The edge: the only code that reads cookies, headers and Origin. It resolves the learner once;
 * everything below receives a Learner.
 */
export class Edge {
  constructor(
    private readonly registry: LearnerRegistry,
    private readonly allowedOrigins: string[],
  ) {}

  tokenOf(req: IncomingMessage): string | undefined {
    const url = new URL(req.url ?? '/', 'http://x');
    const fromQuery = url.searchParams.get('token') ?? undefined;
    const auth = req.headers.authorization;
    const fromHeader = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    return fromHeader ?? fromQuery ?? cookies(req)[COOKIE];
  }

  learner(req: IncomingMessage): Learner | undefined {
    return this.registry.lookup(this.tokenOf(req));
  }

  /** The learner of the session cookie only (sockets whose query string belongs to someone else). */
  learnerFromCookie(req: IncomingMessage): Learner | undefined {
    return this.registry.lookup(cookies(req)[COOKIE]);
  }

  corsHeaders(req: IncomingMessage, res: ServerResponse): boolean {
    return corsFor(this.allowedOrigins, req, res);
  }

  /**
   * Browsers send Origin on WebSocket handshakes and cross-site POSTs but do not apply the
   * same-origin policy to WebSockets: accept only our own origin and the configured ones.
   * A request without Origin does not come from a web page (CLI, tests) and needs the token anyway.
   */
  originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (!origin) return true;
    if (this.allowedOrigins.includes(origin)) return true;
    const host = req.headers.host;
    return Boolean(host) && (origin === `http://${host}` || origin === `https://${host}`);
  }
}

/** CORS for the configured origins only; true when the request comes from one of them. */
export function corsFor(allowedOrigins: string[], req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  if (!origin || !allowedOrigins.includes(origin)) return false;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
  // Chromium's private network access: a public page asking a server on this machine.
  if (req.headers['access-control-request-private-network']) res.setHeader('Access-Control-Allow-Private-Network', 'true');
  return true;
}

export function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

export function setTokenCookie(res: ServerResponse, token: string): void {
  res.setHeader('Set-Cookie', `${COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000`);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(data);
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message });
}

export async function readJson(req: IncomingMessage, limit = 64 * 1024): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, 'requête trop volumineuse');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error();
    return value as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'corps JSON invalide');
  }
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The page a browser gets without a valid token. */
export function unauthorizedPage(): string {
  return `<!doctype html><html lang="fr"><meta charset="utf-8"><title>Accès au cours</title>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto;line-height:1.5">
<h1>Accès au cours « Docker en cluster »</h1>
<p>Ce serveur de travaux pratiques demande un jeton d’accès. Ouvrez l’adresse complète affichée
par le serveur au démarrage (elle se termine par <code>?token=…</code> ou <code>?join=…</code>),
ou demandez-la à votre formateur.</p></body></html>`;
}
