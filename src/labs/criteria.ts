// « Ce que vérifie le correcteur » : what a condition checks, as French prose for the lab slide
// (self-paced mode shows it without a server). Typography: U+00A0 before « : » and inside « ».
import type { Condition } from './schema';
import { KERNEL_FEATURES } from './kernel-features';

const NBSP = '\u00a0';
const quote = (s: string) => `«${NBSP}${s}${NBSP}»`;
const colon = `${NBSP}:`;

/** French count with the right plural: `plural(1, 'manager')` → « 1 manager », 0 and 1 singular. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n}${NBSP}${n > 1 ? many : one}`;
}

/** « a, b et c ». */
export function enumerate(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} et ${items.at(-1)}`;
}

const BYTE_UNITS: [RegExp, string][] = [
  [/^(?:g|gb)$/i, 'Gio'],
  [/^(?:m|mb)$/i, 'Mio'],
  [/^(?:k|kb)$/i, 'Kio'],
  [/^(?:b|)$/i, 'octets'],
];

/** A memory size as the CLI takes it (`512G`, `64M`) in French: « 512 Gio », « 64 Mio ». */
export function frenchBytes(text: string): string {
  const m = /^(\d+(?:[.,]\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (!m) return text;
  const unit = BYTE_UNITS.find(([re]) => re.test(m[2]!))?.[1];
  return unit ? `${m[1]!.replace('.', ',')}${NBSP}${unit}` : text;
}

const DURATION_UNITS: Record<string, string> = { h: 'h', m: 'min', s: 's', ms: 'ms', us: 'µs', µs: 'µs', ns: 'ns' };

/** A Go duration (`5s`, `1m30s`) in French: « 5 s », « 1 min 30 s ». */
export function frenchDuration(text: string): string {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0) return text;
  return parts.map((p) => `${p[1]!.replace('.', ',')}${NBSP}${DURATION_UNITS[p[2]!]}`).join(' ');
}

/** « de web », « d’agent », « d’app_web ». */
export function of(name: string): string {
  return /^[aeiouyhàâéèêëîïôûü]/i.test(name) ? `d’${name}` : `de ${name}`;
}

const frenchNumber = (n: number) => String(n).replace('.', ',');

// French names of Swarm's states, shared with the checker's observed/expected lines.
export const AVAILABILITY: Record<string, string> = { active: 'active', pause: 'en pause (pause)', drain: 'vidé (drain)' };
export const NODE_STATE: Record<string, string> = {
  ready: 'prêt (Ready)',
  down: 'arrêté (Down)',
  unknown: 'inconnu (Unknown)',
  disconnected: 'déconnecté (Disconnected)',
};
const ROLE: Record<string, string> = { manager: 'manager', worker: 'worker' };
const FAILURE_ACTION: Record<string, string> = { pause: 'mise en pause', continue: 'on continue', rollback: 'retour arrière automatique' };
export const UPDATE_STATE: Record<string, string> = {
  updating: 'mise à jour en cours',
  paused: 'mise à jour en pause (échec)',
  completed: 'mise à jour terminée',
  rollback_started: 'retour arrière en cours',
  rollback_paused: 'retour arrière en pause',
  rollback_completed: 'retour arrière terminé',
};
export const ENDPOINT: Record<string, string> = { vip: 'adresse virtuelle (vip)', dnsrr: 'DNS round-robin (dnsrr)' };

interface Policy {
  parallelism?: number;
  delay?: string;
  order?: string;
  failureAction?: string;
  monitor?: string;
}

function policy(p: Policy): string {
  return [
    p.parallelism !== undefined ? (p.parallelism === 0 ? 'toutes les tâches à la fois' : `${plural(p.parallelism, 'tâche')} à la fois`) : '',
    p.delay ? `${frenchDuration(p.delay)} entre deux lots` : '',
    p.order === 'start-first' ? 'la nouvelle tâche démarre avant l’arrêt de l’ancienne (start-first)' : p.order === 'stop-first' ? 'l’ancienne tâche s’arrête d’abord (stop-first)' : '',
    p.monitor ? `surveillance de ${frenchDuration(p.monitor)}` : '',
    p.failureAction ? `en cas d’échec${colon} ${FAILURE_ACTION[p.failureAction] ?? p.failureAction}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

function resources(kind: 'réservation' | 'limite', r: { memory?: string; cpus?: number }): string[] {
  const out: string[] = [];
  if (r.memory !== undefined) out.push(`${kind} de mémoire${colon} ${frenchBytes(r.memory)}`);
  if (r.cpus !== undefined) out.push(`${kind} de processeur${colon} ${frenchNumber(r.cpus)}${NBSP}CPU`);
  return out;
}

/** What a check verifies, as a readable French criterion: clauses joined by « · ». */
export function describeCondition(c: Condition): string {
  const parts: string[] = [];
  const add = (cond: unknown, text: string) => {
    if (cond !== undefined && cond !== false) parts.push(text);
  };
  switch (c.kind) {
    case 'swarm':
      add(true, c.active ? 'un swarm actif' : 'aucun swarm');
      add(c.nodes, plural(c.nodes ?? 0, 'nœud'));
      add(c.managers, plural(c.managers ?? 0, 'manager'));
      add(c.workers, plural(c.workers ?? 0, 'worker'));
      add(c.ready, 'tous les nœuds prêts (Ready)');
      add(c.leader, `leader${colon} ${c.leader}`);
      add(c.quorum !== undefined ? true : undefined, c.quorum ? 'un leader élu (quorum atteint)' : `quorum perdu${colon} aucun leader, plus aucune commande de gestion`);
      break;
    case 'node':
      add(true, `le nœud ${c.node}`);
      add(c.role, `rôle${colon} ${ROLE[c.role ?? ''] ?? c.role}`);
      add(c.availability, `disponibilité${colon} ${AVAILABILITY[c.availability ?? ''] ?? c.availability}`);
      add(c.state, `état${colon} ${NODE_STATE[c.state ?? ''] ?? c.state}`);
      add(c.leader !== undefined ? true : undefined, c.leader ? 'leader' : 'pas leader');
      add(c.reachable !== undefined ? true : undefined, c.reachable ? 'joignable par les autres managers (Reachable)' : 'injoignable par les autres managers (Unreachable)');
      for (const [k, v] of Object.entries(c.labels ?? {})) parts.push(`label ${k}=${v}`);
      break;
    case 'service':
      add(true, c.exists ? `le service ${c.service}` : `pas de service ${c.service}`);
      add(c.mode, c.mode === 'global' ? 'mode global (une tâche par nœud)' : 'mode répliqué');
      add(c.replicas, `${plural(c.replicas ?? 0, 'réplica')} demandé${(c.replicas ?? 0) > 1 ? 's' : ''}`);
      add(c.image, `image ${c.image}`);
      for (const p of c.ports ?? []) parts.push(`port ${p.published} publié vers ${p.target}/${p.protocol}${p.mode === 'host' ? ' (mode host)' : ''}`);
      add(c.networks, `${(c.networks ?? []).length > 1 ? 'réseaux' : 'réseau'} ${enumerate(c.networks ?? [])}`);
      for (const [k, v] of Object.entries(c.env ?? {})) parts.push(`variable ${k}=${v}`);
      add(c.constraints, `${(c.constraints ?? []).length > 1 ? 'contraintes' : 'contrainte'} ${enumerate(c.constraints ?? [])}`);
      add(c.eligible, `le placement admet exactement ${enumerate(c.eligible ?? [])}`);
      add(c.endpointMode, `accès par ${ENDPOINT[c.endpointMode ?? ''] ?? c.endpointMode}`);
      add(c.preferences, `tâches étalées selon ${enumerate(c.preferences ?? [])}`);
      if (c.reservations) parts.push(...resources('réservation', c.reservations));
      if (c.limits) parts.push(...resources('limite', c.limits));
      add(c.update, `mise à jour${colon} ${policy(c.update ?? {})}`);
      add(c.rollback, `retour arrière${colon} ${policy(c.rollback ?? {})}`);
      if (c.healthcheck) {
        const h = c.healthcheck;
        const detail = [
          h.interval ? `toutes les ${frenchDuration(h.interval)}` : '',
          h.retries !== undefined ? `malade après ${plural(h.retries, 'échec')}` : '',
        ].filter(Boolean);
        parts.push(`un contrôle de santé${detail.length ? ` (${detail.join(', ')})` : ''}`);
        if (h.failsAfter) parts.push(`qui réussit sur un conteneur neuf et échoue après ${quote(h.failsAfter)}`);
      }
      add(c.updateState, `état de la mise à jour${colon} ${UPDATE_STATE[c.updateState ?? ''] ?? c.updateState}`);
      break;
    case 'tasks':
      add(true, `les tâches ${of(c.service)}`);
      add(c.running !== undefined, `${plural(c.running ?? 0, 'tâche')} en cours`);
      add(c.distinctNodes, `sur au moins ${plural(c.distinctNodes ?? 0, 'nœud')} ${(c.distinctNodes ?? 0) > 1 ? 'distincts' : ''}`.trim());
      add(c.spreadOver, `réparties à égalité entre les valeurs du label ${c.spreadOver}`);
      add(c.onlyOn, `uniquement sur ${enumerate(c.onlyOn ?? [])}`);
      add(c.notOn, `aucune sur ${enumerate(c.notOn ?? [])}`);
      for (const [node, count] of Object.entries(c.perNode ?? {})) parts.push(`exactement ${plural(count, 'tâche')} sur ${node}`);
      add(c.pending, `en attente d’un nœud${c.pending?.reason ? ` (${quote(c.pending.reason)})` : ''}`);
      add(c.rescheduledFrom, `relancées ailleurs que sur ${c.rescheduledFrom}`);
      add(c.healthy !== undefined ? true : undefined, c.healthy ? 'en bonne santé (healthy)' : 'au moins une en mauvaise santé (unhealthy)');
      break;
    case 'secret':
    case 'config':
      add(true, `${c.kind === 'secret' ? 'le secret' : 'la config'} ${c.name}${c.exists ? '' : c.kind === 'secret' ? ' supprimé' : ' supprimée'}`);
      add(c.service, `${c.kind === 'secret' ? 'monté' : 'montée'} dans ${c.service}`);
      add(c.target, `au chemin ${c.target}`);
      add(c.uid, `uid ${c.uid}`);
      add(c.gid, `gid ${c.gid}`);
      add(c.mode, `droits ${c.mode}`);
      add(c.readable, 'lisible dans une tâche');
      add(c.content !== undefined ? true : undefined, 'avec le contenu attendu');
      break;
    case 'network':
      add(true, `le réseau ${c.name}${c.exists ? '' : ' supprimé'}`);
      add(c.driver, `pilote ${c.driver}`);
      add(c.attachable, 'attachable');
      add(c.services, `relie ${enumerate(c.services ?? [])}`);
      if (c.resolves) {
        const r = c.resolves;
        parts.push(`depuis ${r.from}, ${r.name} donne ${r.count ? plural(r.count, 'adresse') : 'au moins une adresse'}`);
      }
      break;
    case 'stack':
      add(true, `la stack ${c.name}${c.exists ? '' : ' supprimée'}`);
      add(c.services, `${(c.services ?? []).length > 1 ? 'services' : 'service'} ${enumerate(c.services ?? [])}`);
      break;
    case 'volume':
      add(true, `le volume ${c.name} sur ${c.node}${c.exists ? '' : ' supprimé'}`);
      add(c.mountedBy, `monté par la tâche ${of(c.mountedBy ?? '')}`);
      add(c.target, `dans ${c.target}`);
      add(c.driver, `pilote ${c.driver}`);
      break;
    case 'exec':
      add(true, `sur ${c.node}, la commande ${quote(c.run)} ${c.exitCode === 0 ? 'réussit' : `se termine avec le code ${c.exitCode}`}`);
      add(c.output, `et sa sortie correspond au motif ${quote(c.output ?? '')}`);
      break;
    case 'kernel':
      add(true, `le noyau a ${KERNEL_FEATURES[c.feature].name}, nécessaire pour ${KERNEL_FEATURES[c.feature].needs}`);
      break;
  }
  return parts.join(' · ');
}
