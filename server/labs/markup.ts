import path from 'node:path';
import { renderMarkdownFragment, type LabRef } from '../../src/render/index';
import { loadLab, type LoadedLab } from './loader';
import { describeCondition } from '../../src/labs/criteria';
import type { CommandBlock, Condition, Exercise } from './schema';

export { describeCondition };

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
  const optional = lab.optional ? '<span class="lab-optional">optionnel</span>' : '';
  return `<div class="lab" data-lab="${esc(lab.id)}" data-nodes="${nodes.join(',')}"${lab.optional ? ' data-optional="true"' : ''}>
<header class="lab-head"><span class="lab-badge">TP</span>${optional}<h3 class="lab-title">${renderMarkdownFragment(lab.title, { inline: true })}</h3><p class="lab-summary">${renderMarkdownFragment(lab.summary, { inline: true })}</p></header>
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

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The renderer's `lab` callback: markup for `§lab:ID§;` and `§lab:ID/EXERCISE§;`. */
export function labRenderer(labsDir: string): (ref: LabRef) => string {
  return (ref) => labMarkup(loadLab(labsDir, ref.lab, path.dirname(labsDir)), ref.exercise);
}
