/**
 * YAML front matter of a deck (or of the course index), validated with zod.
 *
 * Unlike gh-reveal, whose Liquid layout printed every `initialization` value as a string
 * (so `controls: false` became the truthy `"false"`), option values keep their YAML type.
 */
import { z } from 'zod';
import { revealThemes, closeNames } from './assets.js';
import { parseYamlSource, type Explanation, type YamlPath } from '../shared/yaml-source.js';
import { LineMap, RenderError, type SourcePos } from './errors.js';

const transition = z.enum(['none', 'fade', 'slide', 'convex', 'concave', 'zoom']);

/**
 * Known reveal.js options are type-checked; any other key passes through unchanged
 * (reveal.js adds options more often than we update this list).
 */
export const initializationSchema = z
  .object({
    controls: z.boolean(),
    controlsTutorial: z.boolean(),
    controlsLayout: z.enum(['edges', 'bottom-right']),
    controlsBackArrows: z.enum(['faded', 'hidden', 'visible']),
    progress: z.boolean(),
    slideNumber: z.union([z.boolean(), z.enum(['h.v', 'h/v', 'c', 'c/t'])]),
    showSlideNumber: z.enum(['all', 'print', 'speaker']),
    hash: z.boolean(),
    history: z.boolean(),
    respondToHashChanges: z.boolean(),
    keyboard: z.union([z.boolean(), z.record(z.string(), z.unknown())]),
    overview: z.boolean(),
    center: z.boolean(),
    touch: z.boolean(),
    loop: z.boolean(),
    rtl: z.boolean(),
    navigationMode: z.enum(['default', 'linear', 'grid']),
    shuffle: z.boolean(),
    fragments: z.boolean(),
    fragmentInURL: z.boolean(),
    embedded: z.boolean(),
    help: z.boolean(),
    pause: z.boolean(),
    showNotes: z.union([z.boolean(), z.literal('separate-page')]),
    autoPlayMedia: z.union([z.boolean(), z.null()]),
    autoAnimate: z.boolean(),
    autoSlide: z.union([z.number().nonnegative(), z.literal(false)]),
    autoSlideStoppable: z.boolean(),
    defaultTiming: z.union([z.number().nonnegative(), z.null()]),
    totalTime: z.number().nonnegative(),
    mouseWheel: z.boolean(),
    previewLinks: z.boolean(),
    transition,
    transitionSpeed: z.enum(['default', 'fast', 'slow']),
    backgroundTransition: transition,
    viewDistance: z.number().int().positive(),
    mobileViewDistance: z.number().int().positive(),
    width: z.union([z.number().positive(), z.string()]),
    height: z.union([z.number().positive(), z.string()]),
    margin: z.number().nonnegative(),
    minScale: z.number().positive(),
    maxScale: z.number().positive(),
    disableLayout: z.boolean(),
    hideInactiveCursor: z.boolean(),
    hideCursorTime: z.number().nonnegative(),
    display: z.string(),
    pdfMaxPagesPerSlide: z.number().int().positive(),
    pdfSeparateFragments: z.boolean(),
  })
  .partial()
  .catchall(z.unknown());

const deckSchema = z
  .object({
    title: z.string().min(1),
    subtitle: z.string().optional(),
    theme: z.string().optional(),
    lang: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]+)*$/, 'code de langue BCP 47 attendu, ex. fr').optional(),
    initialization: initializationSchema.optional(),
    chapters: z.array(z.string().min(1)).optional(),
  })
  .strict();

export type DeckFrontMatter = z.infer<typeof deckSchema>;

export interface FrontMatterResult {
  /** null when the file has no front matter. */
  data: DeckFrontMatter | null;
  /** Offset in the file where the Markdown body starts. */
  bodyOffset: number;
  /** Position of a front matter key (for messages about it); the front matter start otherwise. */
  keyPos(key: string): SourcePos;
  /** Position of the value at a YAML path, e.g. ['chapters', 2]. */
  pathPos(path: (string | number)[]): SourcePos;
}

const FENCE = /^---[ \t]*\r?\n/;

/** Splits and validates the front matter. Throws RenderError with file:line:column. */
export function parseFrontMatter(lines: LineMap): FrontMatterResult {
  const text = lines.text;
  const startPos = lines.pos(0);
  const noFm: FrontMatterResult = { data: null, bodyOffset: 0, keyPos: () => startPos, pathPos: () => startPos };
  const open = FENCE.exec(text);
  if (!open) return noFm;
  const yamlStart = open[0].length;
  const close = /^(---|\.\.\.)[ \t]*(\r?\n|$)/m;
  close.lastIndex = 0;
  const rest = text.slice(yamlStart);
  const m = close.exec(rest);
  if (!m) {
    throw new RenderError(startPos, 'front matter non terminé', 'fermez le bloc YAML par une ligne `---`');
  }
  const yamlText = rest.slice(0, m.index);
  const bodyOffset = yamlStart + m.index + m[0].length;
  const source = parseYamlSource(yamlText, deckSchema, {
    locate: (offset) => lines.pos(yamlStart + offset),
    syntax: (message) => ({ reason: `front matter YAML invalide : ${message}`, hint: 'vérifiez l’indentation et les deux-points du bloc YAML' }),
    issue: describeFrontMatterIssue,
  });
  const nodePos = source.pos;
  const data = source.data;
  if (data.theme !== undefined && !revealThemes().includes(data.theme)) {
    const close = closeNames(data.theme, revealThemes(), 3);
    throw new RenderError(
      nodePos(['theme']),
      `thème reveal.js inconnu « ${data.theme} »`,
      `${close.length ? `vouliez-vous dire ${close.join(', ')} ? ` : ''}thèmes disponibles : ${revealThemes().join(', ')}`,
    );
  }
  return { data, bodyOffset, keyPos: (key) => nodePos([key]), pathPos: nodePos };
}

const FIELDS = ['title', 'subtitle', 'theme', 'lang', 'initialization', 'chapters'];

function describeFrontMatterIssue(issue: z.core.$ZodIssue, p: YamlPath): Explanation {
  let hint = `champs reconnus : ${FIELDS.join(', ')}`;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const close = closeNames(key, FIELDS, 1);
    if (close.length) hint = `vouliez-vous dire « ${close[0]} » ? ${hint}`;
    return { reason: `front matter : champ inconnu « ${key} »`, hint };
  }
  const where = p.length ? p.join('.') : 'front matter';
  if (p[0] === 'initialization') hint = 'options reveal.js : https://revealjs.com/config/ (valeurs YAML typées : true/false sans guillemets, nombres)';
  return { reason: `front matter : « ${where} » invalide : ${issue.message}`, hint };
}
