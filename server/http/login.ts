import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkDisplayName, NAME_MAX } from '../../src/shared/display-name';
import { cleanName, type LearnerRegistry } from '../learners';
import { readForm } from './body';
import { cookiesOf, escapeHtml, HttpError, page, parseTarget, sendHtml, type Edge } from './edge';
import type { RateLimiter } from './rate-limit';
import { MESSAGES } from './routes';

/**
 * Logging in on purpose. A join link (`?join=CODE`) or a token link (`?token=…`) never sets a
 * cookie by itself: it shows a confirmation page whose form POSTs to /login with a CSRF token
 * (double submit: a SameSite=Strict cookie and the same value in the form) from our own origin.
 * A foreign page can neither read the form's token nor send our cookie: no login CSRF.
 */
const CSRF_COOKIE = 'dec_csrf';
const COURSE = '« Docker en cluster »';

export interface LoginDeps {
  edge: Edge;
  registry: LearnerRegistry;
  /** Registrations per address. */
  joins: RateLimiter;
}

/** GET …?join=CODE or …?token=…: the confirmation page (or an error page). */
export function loginPage(deps: LoginDeps, req: IncomingMessage, res: ServerResponse, search: URLSearchParams, pathname: string): void {
  const join = search.get('join');
  const token = search.get('token');
  const rest = new URLSearchParams(search);
  for (const key of ['join', 'token', 'name']) rest.delete(key);
  const next = `${pathname}${rest.size ? `?${rest}` : ''}`;
  const csrf = randomBytes(18).toString('base64url');
  if (join !== null) {
    if (!deps.registry.checkJoinCode(join)) return sendHtml(res, 403, page('Lien d’inscription invalide', '<p>Ce lien d’inscription n’est pas (ou plus) valable : demandez le lien actuel à votre formateur.</p>'));
    return joinForm(deps, req, res, 200, { join, next, name: cleanName(search.get('name') ?? undefined) });
  }
  const learner = deps.registry.lookup(token ?? undefined);
  if (!learner) return sendHtml(res, 401, page('Lien de connexion invalide', '<p>Ce lien de connexion n’est pas (ou plus) valable : rouvrez l’adresse affichée par le serveur au démarrage.</p>'));
  deps.edge.setCookie(req, res, CSRF_COOKIE, csrf, 3600);
  const who = escapeHtml(learner.name);
  sendHtml(
    res,
    200,
    page(
      `Rejoindre la salle ${COURSE} ?`,
      `<form method="post" action="/login">
<p>Rejoindre la salle ${COURSE} en tant que <strong>${who}</strong> ?</p>
<input type="hidden" name="token" value="${escapeHtml(token ?? '')}">
${hidden(csrf, next)}
<p><button type="submit">Rejoindre en tant que ${who}</button></p>
</form>
<p><small>Ce n’est pas vous ? Fermez simplement cette page.</small></p>`,
    ),
  );
}

/**
 * The join confirmation: the learner's display name (no account), asked on their first visit;
 * shown again with the French error when it is refused (a fresh CSRF token each time).
 */
function joinForm(deps: LoginDeps, req: IncomingMessage, res: ServerResponse, status: number, form: { join: string; next: string; name: string; error?: string }): void {
  const csrf = randomBytes(18).toString('base64url');
  deps.edge.setCookie(req, res, CSRF_COOKIE, csrf, 3600);
  const error = form.error ? `<p id="name-error" role="alert" style="color:#a00000;font-weight:bold">${escapeHtml(form.error)}</p>` : '';
  sendHtml(
    res,
    status,
    page(
      `Rejoindre la salle ${COURSE} ?`,
      `<form method="post" action="/login">
<p><label for="name">Votre nom (affiché au formateur)</label><br>
<input id="name" name="name" value="${escapeHtml(form.name)}" maxlength="${NAME_MAX * 2}" required placeholder="votre prénom" autocomplete="nickname" autofocus${form.error ? ' aria-invalid="true" aria-describedby="name-error"' : ''}></p>
${error}<input type="hidden" name="join" value="${escapeHtml(form.join)}">
${hidden(csrf, form.next)}
<p><button type="submit">Rejoindre la salle</button></p>
</form>
<p><small>Vous n’avez pas demandé à rejoindre ce cours ? Fermez simplement cette page.</small></p>`,
    ),
  );
}

function hidden(csrf: string, next: string): string {
  return `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">\n<input type="hidden" name="next" value="${escapeHtml(next)}">`;
}

/** POST /login: same origin, CSRF, then the session cookie and a redirect to the course. */
export async function login(deps: LoginDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const origin = req.headers.origin;
  if (!origin || origin !== deps.edge.ownOrigin(req)) throw new HttpError(403, origin ? MESSAGES.badOrigin : MESSAGES.missingOrigin);
  const form = await readForm(req);
  const expected = cookiesOf(req)[CSRF_COOKIE];
  const given = form.get('csrf');
  if (!expected || !given || !sameSecret(expected, given)) throw new HttpError(403, 'formulaire expiré ou venu d’ailleurs : rouvrez le lien du cours');
  const next = parseTarget(form.get('next') ?? '/');
  const location = next && !next.pathname.startsWith('/api/') ? `${next.pathname}${next.search}` : '/';
  let token = form.get('token') ?? undefined;
  const join = form.get('join');
  if (join !== null) {
    if (!deps.registry.checkJoinCode(join)) throw new HttpError(403, 'lien d’inscription invalide : demandez le lien actuel à votre formateur');
    const wait = deps.joins.take(deps.edge.address(req));
    if (wait > 0) throw new HttpError(429, MESSAGES.rateLimited(wait));
    const name = checkDisplayName(form.get('name') ?? '');
    if (!name.ok) return joinForm(deps, req, res, 400, { join, next: location, name: cleanName(form.get('name') ?? undefined), error: name.error });
    token = (await deps.registry.register(name.name)).token;
  }
  if (!deps.registry.lookup(token)) throw new HttpError(401, MESSAGES.unauthenticated);
  deps.edge.setSessionCookie(req, res, token!);
  deps.edge.setCookie(req, res, CSRF_COOKIE, '', 0);
  res.writeHead(303, { Location: location, 'Cache-Control': 'no-store' });
  res.end();
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
