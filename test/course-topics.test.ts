// The course covers what it promises: each topic is found in the rendered deck, in its chapter
// (by slide id), by heading and by the words a learner must meet there.
import { parseHTML } from 'linkedom';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../server/config';
import { labRenderer } from '../src/labs/markup';
import { renderCourse } from '../src/render/index';

const deck = renderCourse(path.join(REPO_ROOT, 'slides/index.md'), { lab: labRenderer(path.join(REPO_ROOT, 'labs')) });
const { document } = parseHTML(`<!doctype html><html><body><div class="slides">${deck.html}</div></body></html>`);
const chapters = [...document.querySelectorAll('.slides > section')];

function chapterSection(id: string): Element {
  const section = chapters.find((s) => s.querySelector('section')?.getAttribute('id') === id);
  if (!section) throw new Error(`no chapter starts with the slide id « ${id} »`);
  return section;
}

/** The text of the horizontal section whose first vertical slide has this id. */
function chapter(id: string): { headings: string[]; text: string } {
  const section = chapterSection(id);
  const clean = (t: string | null) => (t ?? '').replace(/[\s\u00a0\u202f]+/g, ' ').trim();
  return {
    headings: [...section.querySelectorAll('h1, h2, h3, h4')].map((h) => clean(h.textContent)),
    text: clean(section.textContent),
  };
}

const TOPICS: [chapter: string, heading: RegExp, words: string[]][] = [
  ['accueil', /Sommaire/, []],
  ['intro', /deux stratégies/i, ['scale up', 'scale out']],
  ['intro', /orchestration/i, []],
  ['intro', /Deux Swarm/i, ['standalone', 'swarm mode']],
  ['intro', /autres orchestrateurs/i, ['Kubernetes']],
  ['intro', /choisir Swarm/i, []],
  ['nodes', /managers/i, ['leader']],
  ['nodes', /Raft/, ['quorum']],
  ['nodes', /Combien de managers/, ['3', '5']],
  ['nodes', /Rejoindre/, ['join-token', '--rotate']],
  ['nodes', /rôle/i, ['promote', 'demote', 'leave']],
  ['nodes', /Disponibilité/, ['active', 'pause', 'drain']],
  ['nodes', /Labels/, ['--label-add']],
  ['service', /Service et tâches/, []],
  ['service', /Créer un service/, ['docker service create']],
  ['service', /Observer/, ['docker service ls', 'docker service ps']],
  ['service', /Journaux et inspection/, ['docker service logs', 'docker service inspect']],
  ['service', /Modes de déploiement/, ['replicated', 'global']],
  ['service', /échelle/, ['scale']],
  ['service', /Réservations et limites/, ['--reserve-memory', '--limit-cpu']],
  ['service', /Aucun nœud ne convient/, ['Pending']],
  ['service', /Contraintes de placement/, ['--constraint']],
  ['service', /Préférences de placement/, ['spread']],
  ['service', /Mise à jour progressive|Régler la mise à jour/, ['--update-parallelism', '--update-delay', '--update-order', '--update-failure-action']],
  ['service', /Revenir en arrière/, ['rollback']],
  ['service', /Healthchecks/, ['--health-cmd']],
  ['stack', /Compose pour Swarm/, []],
  ['stack', /deploy/, ['replicas']],
  ['stack', /clés ignorées/, ['build']],
  ['stack', /commandes/i, ['docker stack deploy', 'docker stack ls', 'docker stack ps', 'docker stack rm']],
  ['volumes', /pilotes de volumes/i, ['plugin']],
  ['volumes', /local est/, []],
  ['volumes', /NFS/, []],
  ['network', /overlay/i, ['VXLAN']],
  ['network', /DNS/, ['tasks.']],
  ['network', /VIP/, ['dnsrr']],
  ['network', /ingress/i, ['routing mesh']],
  ['network', /Répartiteur externe/, []],
  ['configsecret', /Les configs/, ['docker config create']],
  ['configsecret', /Les secrets/, ['/run/secrets']],
  ['configsecret', /Monter dans un service/, ['uid', 'gid', 'mode']],
  ['configsecret', /Secrets en Compose/, []],
  ['pannes', /Perdre un worker/, []],
  ['pannes', /Perdre un manager/, []],
  ['pannes', /Perdre le quorum/, []],
  ['pannes', /survivant/, ['--force-new-cluster']],
  ['conclusion', /Pour aller plus loin/, []],
];

describe('the course covers its topics', () => {
  it.each(TOPICS)('%s: %s', (id, heading, words) => {
    const c = chapter(id);
    expect(c.headings.some((h) => heading.test(h)), `headings of « ${id} »: ${c.headings.join(' | ')}`).toBe(true);
    for (const w of words) expect(c.text, `« ${w} » in chapter « ${id} »`).toContain(w);
  });

  it('has the licence, a table of contents with deep links, and a way back from every chapter', () => {
    expect(chapter('accueil').text).toMatch(/GNU GPL/);
    const toc = [...document.querySelectorAll('section[id="sommaire"] a')].map((a) => a.getAttribute('href'));
    for (const id of ['intro', 'nodes', 'service', 'stack', 'volumes', 'network', 'configsecret', 'pannes', 'conclusion']) expect(toc).toContain(`#/${id}`);
    for (const id of ['intro', 'nodes', 'service', 'stack', 'volumes', 'network', 'configsecret', 'pannes']) {
      const section = chapterSection(id);
      expect(section.querySelector('a[href="#/sommaire"]'), `back link in « ${id} »`).toBeTruthy();
    }
  });

  it('has speaker notes on its main slides and diagrams drawn locally', () => {
    const slides = deck.slides.filter((s) => s.h > 0 && s.title);
    expect(slides.filter((s) => s.notes).length / slides.length).toBeGreaterThan(0.9);
    const images = [...document.querySelectorAll('img')].map((i) => i.getAttribute('src') ?? '');
    expect(images.length).toBeGreaterThanOrEqual(4);
    for (const src of images) expect(src).toMatch(/^assets\/[\w-]+\.svg$/);
  });

  it('puts a lab in every chapter from the nodes to the failures', () => {
    for (const id of ['nodes', 'service', 'stack', 'volumes', 'network', 'configsecret', 'pannes']) {
      const section = chapterSection(id);
      expect(section.querySelector('section[data-lab]'), `a lab slide in « ${id} »`).toBeTruthy();
    }
  });
});
