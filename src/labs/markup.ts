import path from 'node:path';
import { renderMarkdownFragment, type LabRef } from '../render/index';
import { loadLab, type LoadedLab } from './loader';
import { shapeNodeNames, type CommandBlock, type Condition, type Exercise } from './schema';
import { escapeHtml } from '../shared/html';
import { actionLabel, CRITERION_LABEL, LAB as L, LAB_DATA as D } from '../shared/lab-contract';
import { describeCondition } from './criteria';

export { describeCondition };

/**
 * The markup of a lab slide, rendered at build time from the lab file. It is complete without
 * a server (instructions, commands, what each check verifies, the solution): the lab UI in
 * src/lab/ adds the terminals and the « Vérifier » button when a lab server answers. Class and
 * attribute names: src/shared/lab-contract.ts.
 */
export function labMarkup(lab: LoadedLab, exerciseId?: string): string {
  const exercises = exerciseId ? lab.exercises.filter((e) => e.id === exerciseId) : lab.exercises;
  if (exercises.length === 0) {
    throw new Error(`le TP « ${lab.id} » n’a pas d’exercice « ${exerciseId} » (exercices : ${lab.exercises.map((e) => e.id).join(', ')})`);
  }
  const nodes = shapeNodeNames(lab.cluster);
  const optional = lab.optional ? `<span class="${L.optional}">optionnel</span>` : '';
  return `<div class="${L.root}" ${data(D.lab, lab.id)} ${data(D.nodes, nodes.join(','))}${lab.optional ? ` ${data(D.optional, 'true')}` : ''}>
<header class="${L.head}"><span class="${L.badge}">TP</span>${optional}<h3 class="${L.title}">${renderMarkdownFragment(lab.title, { inline: true })}</h3><p class="${L.summary}">${renderMarkdownFragment(lab.summary, { inline: true })}</p></header>
<div class="${L.main}">
<ol class="${L.exercises}">
${exercises.map((e) => exerciseMarkup(e, lab.exercises.indexOf(e) + 1)).join('\n')}
</ol>
<div class="${L.terminalSlot}" aria-label="Terminaux des nœuds"></div>
</div>
</div>`;
}

/** ` data-NAME="value"`, escaped. */
function data(name: string, value: string | number): string {
  return `data-${name}="${escapeHtml(String(value))}"`;
}

function exerciseMarkup(e: Exercise, number: number): string {
  return `<li class="${L.exercise}" ${data(D.exercise, e.id)}>
<h4 class="${L.exerciseTitle}"><span class="${L.exerciseNumber}">${number}.</span> ${renderMarkdownFragment(e.title, { inline: true })}</h4>
<div class="${L.instructions}">${renderMarkdownFragment(e.instructions)}</div>
${e.commands.length ? `<div class="${L.commands}">${e.commands.map(commandMarkup).join('')}</div>` : ''}
<ul class="${L.conditions}">
${e.conditions.map((c, i) => conditionMarkup(c, i)).join('\n')}
</ul>
<details class="${L.solution}"><summary>Solution</summary><div class="${L.commands}">${e.solution.map(commandMarkup).join('')}</div></details>
</li>`;
}

function commandMarkup(c: CommandBlock): string {
  const caption = c.caption ? `<span class="${L.commandCaption}">${escapeHtml(c.caption)}</span>` : '';
  const node = `<span class="${L.node}">${escapeHtml(c.node)}</span>`;
  if ('action' in c) {
    return `<figure class="${L.command} ${L.action}" ${data(D.node, c.node)} ${data(D.action, c.action)}><figcaption>${node}${caption}</figcaption><button type="button" class="${L.actionButton}">${escapeHtml(actionLabel(c.action, c.node))}</button></figure>`;
  }
  return `<figure class="${L.command}" ${data(D.node, c.node)}><figcaption>${node}${caption}</figcaption><pre><code class="language-bash">${escapeHtml(c.run)}</code></pre></figure>`;
}

function conditionMarkup(c: Condition, index: number): string {
  const hints = c.hints.length
    ? `<ol class="${L.hints}">${c.hints.map((h) => `<li>${renderMarkdownFragment(h, { inline: true })}</li>`).join('')}</ol>`
    : '';
  return `<li class="${L.condition}" ${data(D.index, index)} ${data(D.kind, c.kind)}><span class="${L.conditionMessage}">${renderMarkdownFragment(c.message, { inline: true })}</span><span class="${L.criterion}"><span class="${L.criterionLabel}">${CRITERION_LABEL}</span>${escapeHtml(describeCondition(c))}</span>${hints}</li>`;
}

/**
 * The renderer's `lab` callback: markup for `§lab:ID§;` and `§lab:ID/EXERCISE§;`. The markup
 * depends on the lab file alone, so it is kept while loadLab gives the same parsed lab (the
 * file's text unchanged): after an edit of a chapter, its lab slides are not rendered again.
 */
export function labRenderer(labsDir: string): (ref: LabRef) => string {
  const rendered = new Map<string, { lab: LoadedLab; html: string }>();
  return (ref) => {
    const lab = loadLab(labsDir, ref.lab, path.dirname(labsDir));
    const key = `${ref.lab}/${ref.exercise ?? ''}`;
    const kept = rendered.get(key);
    if (kept?.lab === lab) return kept.html;
    const html = labMarkup(lab, ref.exercise);
    rendered.set(key, { lab, html });
    return html;
  };
}
