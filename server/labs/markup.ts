import path from 'node:path';
import { renderMarkdownFragment, type LabRef } from '../../src/render/index';
import { loadLab, type LoadedLab } from './loader';
import { KERNEL_FEATURES } from '../checker/kernel';
import type { CommandBlock, Condition, Exercise } from './schema';

/**
 * The markup of a lab slide, rendered at build time from the lab file. It is complete without
 * a server (instructions, commands, what each check verifies, the solution): the lab UI in
 * src/lab/ adds the terminals and the « Vérifier » button when a lab server answers.
 */
export function labMarkup(lab: LoadedLab, exerciseId?: string): string {
  const exercises = exerciseId ? lab.exercises.filter((e) => e.id === exerciseId) : lab.exercises;
  if (exercises.length === 0) {
    throw new Error(`le TP « ${lab.id} » n’a pas d’exercice « ${exerciseId} » (exercices : ${lab.exercises.map((e) => e.id).join(', ')})`);
  }
  const nodes = [
    ...Array.from({ length: lab.cluster.managers }, (_, i) => `manager${i + 1}`),
    ...Array.from({ length: lab.cluster.workers }, (_, i) => `worker${i + 1}`),
  ];
  return `<div class="lab" data-lab="${esc(lab.id)}" data-nodes="${nodes.join(',')}">
<header class="lab-head"><span class="lab-badge">TP</span><h3 class="lab-title">${renderMarkdownFragment(lab.title, { inline: true })}</h3><p class="lab-summary">${renderMarkdownFragment(lab.summary, { inline: true })}</p></header>
<div class="lab-main">
<ol class="lab-exercises">
${exercises.map((e) => exerciseMarkup(e, lab.exercises.indexOf(e) + 1)).join('\n')}
</ol>
<div class="lab-terminal-slot" aria-label="Terminaux des nœuds"></div>
</div>
</div>`;
}

function exerciseMarkup(e: Exercise, number: number): string {
  return `<li class="lab-exercise" data-exercise="${esc(e.id)}">
<h4 class="lab-exercise-title"><span class="lab-exercise-number">${number}.</span> ${renderMarkdownFragment(e.title, { inline: true })}</h4>
<div class="lab-instructions">${renderMarkdownFragment(e.instructions)}</div>
${e.commands.length ? `<div class="lab-commands">${e.commands.map(commandMarkup).join('')}</div>` : ''}
<ul class="lab-conditions">
${e.conditions.map((c, i) => conditionMarkup(c, i)).join('\n')}
</ul>
<details class="lab-solution"><summary>Solution</summary><div class="lab-commands">${e.solution.map(commandMarkup).join('')}</div></details>
</li>`;
}

function commandMarkup(c: CommandBlock): string {
  const caption = c.caption ? `<span class="lab-command-caption">${esc(c.caption)}</span>` : '';
  if ('action' in c) {
    const label = c.action === 'stop' ? `Débrancher ${c.node}` : `Rebrancher ${c.node}`;
    return `<figure class="lab-command lab-action" data-node="${c.node}" data-action="${c.action}"><figcaption><span class="lab-node">${c.node}</span>${caption}</figcaption><button type="button" class="lab-action-button">${label}</button></figure>`;
  }
  return `<figure class="lab-command" data-node="${c.node}"><figcaption><span class="lab-node">${c.node}</span>${caption}</figcaption><pre><code class="language-bash">${esc(c.run)}</code></pre></figure>`;
}

function conditionMarkup(c: Condition, index: number): string {
  const hints = c.hints.length
    ? `<ol class="lab-hints">${c.hints.map((h) => `<li>${renderMarkdownFragment(h, { inline: true })}</li>`).join('')}</ol>`
    : '';
  return `<li class="lab-condition" data-index="${index}" data-kind="${c.kind}"><span class="lab-condition-message">${renderMarkdownFragment(c.message, { inline: true })}</span><span class="lab-criterion">${esc(describeCondition(c))}</span>${hints}</li>`;
}

/** What a check verifies, as a readable criterion (self-paced mode shows it without a server). */
export function describeCondition(c: Condition): string {
  const parts: string[] = [];
  const add = (cond: unknown, text: string) => {
    if (cond !== undefined && cond !== false) parts.push(text);
  };
  switch (c.kind) {
    case 'swarm':
      add(true, c.active ? 'swarm actif' : 'aucun swarm');
      add(c.nodes, `${c.nodes} nœuds`);
      add(c.managers, `${c.managers} manager(s)`);
      add(c.workers, `${c.workers} worker(s)`);
      add(c.ready, 'tous les nœuds prêts');
      add(c.leader, `leader : ${c.leader}`);
      break;
    case 'node':
      add(true, `nœud ${c.node}`);
      add(c.role, `rôle ${c.role}`);
      add(c.availability, `disponibilité ${c.availability}`);
      add(c.state, `état ${c.state}`);
      add(c.leader !== undefined ? true : undefined, c.leader ? 'leader' : 'pas leader');
      for (const [k, v] of Object.entries(c.labels ?? {})) parts.push(`label ${k}=${v}`);
      break;
    case 'service':
      add(true, c.exists ? `service ${c.service}` : `pas de service ${c.service}`);
      add(c.mode, `mode ${c.mode}`);
      add(c.replicas, `${c.replicas} réplique(s) demandée(s)`);
      add(c.image, `image ${c.image}`);
      for (const p of c.ports ?? []) parts.push(`port ${p.published}:${p.target}/${p.protocol}`);
      add(c.networks, `réseaux ${c.networks?.join(', ')}`);
      for (const [k, v] of Object.entries(c.env ?? {})) parts.push(`${k}=${v}`);
      add(c.constraints, `contraintes ${c.constraints?.join(', ')}`);
      add(c.preferences, `répartition selon ${c.preferences?.join(', ')}`);
      add(c.reservations, `réservations ${JSON.stringify(c.reservations)}`);
      add(c.limits, `limites ${JSON.stringify(c.limits)}`);
      add(c.update, `mise à jour ${policy(c.update)}`);
      add(c.rollback, `retour arrière ${policy(c.rollback)}`);
      add(c.healthcheck, 'healthcheck configuré');
      add(c.updateState, `état de mise à jour ${c.updateState}`);
      break;
    case 'tasks':
      add(true, `tâches de ${c.service}`);
      add(c.running, `${c.running} en cours`);
      add(c.distinctNodes, `sur ${c.distinctNodes} nœuds distincts`);
      add(c.spreadOver, `réparties selon le label ${c.spreadOver}`);
      add(c.onlyOn, `uniquement sur ${c.onlyOn?.join(', ')}`);
      add(c.notOn, `aucune sur ${c.notOn?.join(', ')}`);
      add(c.pending, `en attente${c.pending?.reason ? ` (« ${c.pending.reason} »)` : ''}`);
      add(c.rescheduledFrom, `relancées ailleurs que sur ${c.rescheduledFrom}`);
      add(c.healthy, 'en bonne santé');
      break;
    case 'secret':
    case 'config':
      add(true, `${c.kind} ${c.name}${c.exists ? '' : ' absent'}`);
      add(c.service, `monté dans ${c.service}`);
      add(c.target, `cible ${c.target}`);
      add(c.uid, `uid ${c.uid}`);
      add(c.gid, `gid ${c.gid}`);
      add(c.mode, `mode ${c.mode}`);
      add(c.readable, 'lisible dans une tâche');
      add(c.content !== undefined ? true : undefined, 'contenu exact');
      break;
    case 'network':
      add(true, `réseau ${c.name}${c.exists ? '' : ' absent'}`);
      add(c.driver, `pilote ${c.driver}`);
      add(c.attachable, 'attachable');
      add(c.services, `services reliés : ${c.services?.join(', ')}`);
      add(c.resolves, `${c.resolves?.name} résolu depuis ${c.resolves?.from}${c.resolves?.count ? ` (${c.resolves.count} adresses)` : ''}`);
      break;
    case 'stack':
      add(true, `stack ${c.name}${c.exists ? '' : ' absente'}`);
      add(c.services, `services ${c.services?.join(', ')}`);
      break;
    case 'volume':
      add(true, `volume ${c.name}${c.exists ? '' : ' absent'}`);
      add(c.mountedBy, `monté par ${c.mountedBy}`);
      add(c.target, `sur ${c.target}`);
      break;
    case 'exec':
      add(true, `sur ${c.node} : « ${c.run} » réussit`);
      add(c.output, `sortie conforme à /${c.output}/`);
      break;
    case 'kernel':
      add(true, `le noyau a ${KERNEL_FEATURES[c.feature].name}, nécessaire pour ${KERNEL_FEATURES[c.feature].needs}`);
      break;
  }
  return parts.join(' · ');
}

function policy(p: { parallelism?: number; delay?: string; order?: string; failureAction?: string; monitor?: string } | undefined): string {
  if (!p) return '';
  return [
    p.parallelism !== undefined ? `par ${p.parallelism}` : '',
    p.delay ? `délai ${p.delay}` : '',
    p.order ?? '',
    p.failureAction ? `en cas d’échec : ${p.failureAction}` : '',
    p.monitor ? `surveillance ${p.monitor}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The renderer's `lab` callback: markup for `§lab:ID§;` and `§lab:ID/EXERCISE§;`. */
export function labRenderer(labsDir: string): (ref: LabRef) => string {
  return (ref) => labMarkup(loadLab(labsDir, ref.lab, path.dirname(labsDir)), ref.exercise);
}
