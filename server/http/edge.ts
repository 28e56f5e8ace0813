import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { parseCookie, stringifySetCookie } from 'cookie';
import { escapeHtml } from '../../src/shared/html';
import { FAVICON } from '../../src/shared/favicon';
import type { Learner, LearnerRegistry } from '../learners';

export { escapeHtml };

export const COOKIE = 'dec_token';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** How a request proved who it is: a cookie is sent by browsers on their own, a bearer is not. */
export type Credential = { learner: Learner; via: 'cookie' | 'bearer' | 'query' };

export interface EdgeOptions {
  allowedOrigins: string[];
  /** Believe X-Forwarded-Proto / X-Forwarded-For (only behind a reverse proxy you run). */
  trustProxy: boolean;
  /** A bearer secret that is not a token: the CLI's one-use grant (server-info.ts). */
  grant?: (secret: string) => Learner | undefined;
}

/**
 * The edge: the only code that reads cookies, credentials, Origin and the client's address.
 * It resolves the learner once; everything below receives a Learner.
 */
export class Edge {
  constructor(
    private readonly registry: LearnerRegistry,
    private readonly options: EdgeOptions,
  ) {}

  /**
   * The learner behind a request: `Authorization: Bearer`, else the session cookie. The
   * `?token=` parameter counts only where a browser cannot set a header (`query: true`, the
   * terminal WebSocket of a course served from another site).
   */
  credential(req: IncomingMessage, options: { query?: string | null; cookieOnly?: boolean } = {}): Credential | undefined {
    const cookie = cookiesOf(req)[COOKIE];
    if (options.cookieOnly) return this.resolve(cookie, 'cookie');
    const auth = req.headers.authorization;
    if (typeof auth === 'string' && /^Bearer [\x21-\x7e]{1,256}$/.test(auth)) {
      const secret = auth.slice(7);
      const learner = this.registry.lookup(secret) ?? this.options.grant?.(secret);
      return learner && { learner, via: 'bearer' };
    }
    if (options.query) return this.resolve(options.query, 'query');
    return this.resolve(cookie, 'cookie');
  }

  private resolve(token: string | undefined, via: Credential['via']): Credential | undefined {
    const learner = this.registry.lookup(token);
    return learner && { learner, via };
  }

  /** CORS headers for the configured origins only; true when the request comes from one of them. */
  corsHeaders(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (!origin || !this.options.allowedOrigins.includes(origin)) return false;
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
    // Chromium's private network access: a public page asking a server on this machine.
    if (req.headers['access-control-request-private-network']) res.setHeader('Access-Control-Allow-Private-Network', 'true');
    return true;
  }

  /**
   * Browsers send Origin on WebSocket handshakes and on cross-site or non-GET requests, and do
   * not apply the same-origin policy to WebSockets. A present Origin must be ours or an allowed
   * one. A missing Origin is accepted only where the browser could not have been tricked: a
   * bearer token (never sent by a browser on its own) or a plain read (GET, HEAD).
   */
  checkOrigin(req: IncomingMessage, via: Credential['via'] | 'none', reads: boolean): 'ok' | 'bad' | 'missing' {
    const origin = req.headers.origin;
    if (origin === undefined) return via === 'cookie' && !reads ? 'missing' : 'ok';
    if (this.options.allowedOrigins.includes(origin)) return 'ok';
    return origin === this.ownOrigin(req) ? 'ok' : 'bad';
  }

  /** The origin the browser used to reach us (from Host, with the scheme actually in use). */
  ownOrigin(req: IncomingMessage): string | undefined {
    const host = req.headers.host;
    if (!host || !/^[A-Za-z0-9.:[\]-]+$/.test(host)) return undefined;
    return `${this.secure(req) ? 'https' : 'http'}://${host}`;
  }

  secure(req: IncomingMessage): boolean {
    if ((req.socket as TLSSocket).encrypted) return true;
    return this.options.trustProxy && req.headers['x-forwarded-proto'] === 'https';
  }

  /** The client's address, for per-address limits. */
  address(req: IncomingMessage): string {
    const forwarded = req.headers['x-forwarded-for'];
    if (this.options.trustProxy && typeof forwarded === 'string') return forwarded.split(',')[0]!.trim();
    return req.socket.remoteAddress ?? 'inconnue';
  }

  /**
   * The session cookie: HttpOnly, Secure behind HTTPS, SameSite=Lax: learners open the course
   * from links in other applications (a chat, a mail), which Strict would log out. Lax is never
   * sent on a cross-site POST or sub-request, and every state-changing request and WebSocket
   * checks Origin anyway.
   */
  setSessionCookie(req: IncomingMessage, res: ServerResponse, token: string): void {
    appendCookie(res, stringifySetCookie({ name: COOKIE, value: token, path: '/', httpOnly: true, sameSite: 'lax', secure: this.secure(req), maxAge: 31_536_000 }));
  }

  setCookie(req: IncomingMessage, res: ServerResponse, name: string, value: string, maxAge: number): void {
    appendCookie(res, stringifySetCookie({ name, value, path: '/', httpOnly: true, sameSite: 'strict', secure: this.secure(req), maxAge }));
  }
}

/** Cookies of a request, parsed by the `cookie` library (a bad %-escape keeps the raw value). */
export function cookiesOf(req: IncomingMessage): Record<string, string | undefined> {
  const header = req.headers.cookie;
  if (typeof header !== 'string' || header.length > 8192) return {};
  return parseCookie(header);
}

function appendCookie(res: ServerResponse, cookie: string): void {
  const previous = res.getHeader('Set-Cookie');
  const list = Array.isArray(previous) ? previous : typeof previous === 'string' ? [previous] : [];
  res.setHeader('Set-Cookie', [...list, cookie]);
}

/**
 * The path and query of a request target, parsed defensively: only origin-form targets
 * (`/…`), no `//` authority, no backslash, no NUL, and a path whose %-escapes decode. Returns
 * undefined for anything else (the caller answers 400).
 */
export function parseTarget(target: string | undefined): { pathname: string; searchParams: URLSearchParams; search: string } | undefined {
  if (!target || target.length > 8192 || !target.startsWith('/') || target.startsWith('//')) return undefined;
  if (/[\\\0\s]/.test(target)) return undefined;
  let url: URL;
  try {
    url = new URL(target, 'http://edge.invalid');
    decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  if (url.host !== 'edge.invalid') return undefined;
  return { pathname: url.pathname, searchParams: url.searchParams, search: url.search };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(data);
}

export function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  sendJson(res, status, { error: message });
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    // The speaker view frames the deck (same origin); no other site may frame a page of ours.
    'X-Frame-Options': 'SAMEORIGIN',
    // Same-origin form posts must carry our Origin (no-referrer makes browsers send `null`);
    // no URL of ours (a token link) is ever sent to another site.
    'Referrer-Policy': 'same-origin',
  });
  res.end(html);
}

/** A small French page (errors, login) in the course's plain style. */
export function page(title: string, body: string): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title><link rel="icon" href="${FAVICON}"></head>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto;line-height:1.5;padding:0 1em">
<h1>${escapeHtml(title)}</h1>
${body}</body></html>`;
}

/** The page a browser gets without a valid token. */
export function unauthorizedPage(): string {
  return page(
    'Accès au cours « Docker en cluster »',
    `<p>Ce serveur de travaux pratiques demande un jeton d’accès. Ouvrez l’adresse complète affichée
par le serveur au démarrage (elle se termine par <code>?token=…</code> ou <code>?join=…</code>),
ou demandez-la à votre formateur.</p>`,
  );
}
