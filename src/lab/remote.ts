// The learner's own lab server, remembered by the static site (GitHub Pages) in localStorage:
// `npm start -- --allow-origin <the site's origin>` on their machine, and the address it prints
// pasted into « Utiliser mon serveur de TP ». Also the small form itself and the toolbar badge.
import { button, el } from '../shared/dom';
import { parseServerAddress, probeOne, type RemoteServer } from './api';
import { copyText } from './clipboard';
import { T } from './text';

const KEY = 'docker-en-cluster:lab-server';

export function rememberedServer(): RemoteServer | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<RemoteServer>;
    return typeof v.base === 'string' && typeof v.token === 'string' ? { base: v.base, token: v.token } : null;
  } catch {
    return null;
  }
}

export function rememberServer(server: RemoteServer): void {
  localStorage.setItem(KEY, JSON.stringify(server));
}

export function forgetServer(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    /* nothing remembered */
  }
}

/** `http://127.0.0.1:4173` for display (never the token). */
export function serverLabel(server: RemoteServer): string {
  return server.base.replace(/\/$/, '');
}

/** The command that starts a lab server this site may use. */
export function startCommand(): string {
  return `npm start -- --allow-origin ${location.origin}`;
}

/**
 * « Utiliser mon serveur de TP » (self-paced mode): how to start the server, a field for its
 * address, « Oublier ». `failure` says why a remembered server did not answer. A server that
 * answers is remembered and the page reloads: every lab slide then goes live on it.
 */
export function serverForm(failure?: string, reload: () => void = () => location.reload()): HTMLElement {
  const remembered = rememberedServer();
  const box = el('details', 'lab-remote');
  if (remembered) box.open = true;
  box.append(el('summary', undefined, T.remoteTitle));

  const how = el('p', 'lab-remote-how');
  const cmd = el('code', undefined, startCommand());
  const copy = button('lab-remote-copy', T.copy);
  copy.title = T.copyTitle;
  copy.setAttribute('aria-label', T.copyTitle);
  copy.addEventListener('click', async () => {
    const ok = await copyText(startCommand());
    copy.textContent = ok ? T.copied : T.copyFailed;
    setTimeout(() => (copy.textContent = T.copy), 1500);
  });
  how.append(T.remoteHow, cmd, ' ', copy, T.remoteHowAfter);

  const form = el('form', 'lab-remote-form');
  const label = el('label', 'lab-remote-label', T.remoteField);
  const input = el('input', 'lab-remote-input');
  // Text, not `url`: the browser's own validation would hide our French explanation.
  input.type = 'text';
  input.inputMode = 'url';
  input.name = 'lab-server';
  input.autocomplete = 'off';
  input.spellcheck = false;
  input.placeholder = 'http://127.0.0.1:4173/?token=…';
  label.htmlFor = input.id = `lab-remote-${Math.random().toString(36).slice(2, 8)}`;
  const use = el('button', 'lab-remote-use', T.remoteUse);
  use.type = 'submit';
  const status = el('p', 'lab-remote-status');
  status.setAttribute('role', 'status');
  form.append(label, input, use);
  // The reveal keyboard must not see what is typed here.
  input.addEventListener('keydown', (e) => e.stopPropagation());

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const parsed = parseServerAddress(input.value);
    if (typeof parsed === 'string') {
      status.textContent = T.remoteInvalid(parsed);
      status.dataset.state = 'error';
      return;
    }
    use.disabled = true;
    status.textContent = T.remoteTrying(serverLabel(parsed));
    status.dataset.state = 'busy';
    const probe = await probeOne(parsed);
    use.disabled = false;
    if (probe.kind === 'no-server') {
      status.textContent = T.remoteFailed(serverLabel(parsed), probe.remoteError ?? '', location.origin);
      status.dataset.state = 'error';
      return;
    }
    try {
      rememberServer(parsed);
    } catch {
      status.textContent = T.remoteNoStorage;
      status.dataset.state = 'error';
      return;
    }
    status.textContent = T.remoteOk(serverLabel(parsed));
    status.dataset.state = 'ok';
    reload();
  });

  box.append(how, form, status);
  if (remembered) {
    const line = el('p', 'lab-remote-remembered');
    const forget = button('lab-remote-forget', T.remoteForget);
    forget.addEventListener('click', () => {
      forgetServer();
      line.remove();
      status.textContent = T.remoteForgotten;
      status.dataset.state = '';
    });
    line.append(failure ? T.remoteDown(serverLabel(remembered), failure) : T.remoteRemembered(serverLabel(remembered)), ' ', forget);
    box.insertBefore(line, how);
    input.value = '';
  }
  return box;
}

/** Live on a remembered server: a badge in the lab's toolbar and « Oublier ». */
export function serverBadge(server: RemoteServer, reload: () => void = () => location.reload()): HTMLElement {
  const box = el('span', 'lab-remote-badge');
  box.append(el('span', 'lab-remote-badge-label', T.remoteBadge(serverLabel(server))));
  const forget = button('lab-remote-forget', T.remoteForget);
  forget.title = T.remoteForgetTitle;
  forget.addEventListener('click', () => {
    forgetServer();
    reload();
  });
  box.append(forget);
  return box;
}
