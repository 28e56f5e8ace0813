// The markup contract of a lab slide, in one place: src/labs/markup.ts writes it at build
// time (complete without a server), the lab UI (src/lab/) and the print layout read it.
//
//   <div class="lab" data-lab="ID" data-nodes="manager1,worker1">
//     <header class="lab-head"> .lab-badge  h3.lab-title  p.lab-summary </header>
//     <div class="lab-main">
//       <ol class="lab-exercises">
//         <li class="lab-exercise" data-exercise="ID">
//           h4.lab-exercise-title (span.lab-exercise-number)  div.lab-instructions
//           div.lab-commands > figure.lab-command[data-node] (figcaption > span.lab-node, pre > code)
//                            | figure.lab-command.lab-action[data-node][data-action] (button.lab-action-button)
//           ul.lab-conditions > li.lab-condition[data-index][data-kind]
//             span.lab-condition-message  span.lab-criterion (span.lab-criterion-label)  ol.lab-hints > li
//           details.lab-solution > summary + div.lab-commands
//         </li>
//       </ol>
//       <div class="lab-terminal-slot"></div>
//     </div>
//   </div>

/** Class names of the lab markup. */
export const LAB = {
  root: 'lab',
  head: 'lab-head',
  badge: 'lab-badge',
  /** « optionnel » beside the badge of a lab marked `optional: true`. */
  optional: 'lab-optional',
  title: 'lab-title',
  summary: 'lab-summary',
  main: 'lab-main',
  exercises: 'lab-exercises',
  exercise: 'lab-exercise',
  exerciseTitle: 'lab-exercise-title',
  exerciseNumber: 'lab-exercise-number',
  instructions: 'lab-instructions',
  commands: 'lab-commands',
  command: 'lab-command',
  commandCaption: 'lab-command-caption',
  action: 'lab-action',
  actionButton: 'lab-action-button',
  node: 'lab-node',
  conditions: 'lab-conditions',
  condition: 'lab-condition',
  conditionMessage: 'lab-condition-message',
  criterion: 'lab-criterion',
  criterionLabel: 'lab-criterion-label',
  hints: 'lab-hints',
  solution: 'lab-solution',
  terminalSlot: 'lab-terminal-slot',
} as const;

/** `data-*` attributes of the lab markup (names as in `element.dataset`). */
export const LAB_DATA = {
  lab: 'lab',
  nodes: 'nodes',
  /** Present (`true`) on a lab marked `optional: true`. */
  optional: 'optional',
  exercise: 'exercise',
  index: 'index',
  kind: 'kind',
  node: 'node',
  action: 'action',
} as const;

/** CSS selectors built from the contract. */
export const LAB_SELECTOR = {
  root: `.${LAB.root}[data-${LAB_DATA.lab}]`,
  exercise: `.${LAB.exercise}[data-${LAB_DATA.exercise}]`,
  exerciseTitle: `.${LAB.exerciseTitle}`,
  condition: `.${LAB.condition}[data-${LAB_DATA.index}]`,
  /** Typed commands (not the power actions). */
  command: `figure.${LAB.command}:not(.${LAB.action})`,
  action: `figure.${LAB.command}.${LAB.action}`,
  solution: `details.${LAB.solution}`,
} as const;

/**
 * What a lab's `action:` block does to a node: pull its plug (`stop`) or plug it back
 * (`start`), cut it off its cluster's network (`isolate`) or reconnect it (`reconnect`).
 */
export const NODE_ACTIONS = ['stop', 'start', 'isolate', 'reconnect'] as const;
export type NodeAction = (typeof NODE_ACTIONS)[number];

const ACTION_TEXT: Record<NodeAction, { button: (node: string) => string; done: string }> = {
  stop: { button: (node) => `Débrancher ${node}`, done: 'est débranché' },
  start: { button: (node) => `Rebrancher ${node}`, done: 'est rebranché' },
  isolate: { button: (node) => `Couper ${node} du réseau`, done: 'est coupé du réseau' },
  reconnect: { button: (node) => `Reconnecter ${node} au réseau`, done: 'est reconnecté au réseau' },
};

export function isNodeAction(value: string | undefined): value is NodeAction {
  return (NODE_ACTIONS as readonly (string | undefined)[]).includes(value);
}

/** « worker1 est coupé du réseau »: what the lab slide says once the action is done. */
export function actionDoneText(action: NodeAction, node: string): string {
  return `${node} ${ACTION_TEXT[action].done}`;
}

/** Node used when a command block names none (the markup always names one). */
export const DEFAULT_NODE = 'manager1';

/** Before what the checker verifies (self-paced and print). */
export const CRITERION_LABEL = 'Ce que vérifie le correcteur\u00a0: ';

/** The French label of a node action's button (« Débrancher worker1 », « Couper worker1 du réseau »). */
export function actionLabel(action: NodeAction, node: string): string {
  return ACTION_TEXT[action].button(node);
}

/** An exercise's title as the learner reads it: without its « 1. » number. */
export function exerciseTitleText(exercise: Element): string {
  return (exercise.querySelector(LAB_SELECTOR.exerciseTitle)?.textContent ?? '').replace(/^\s*\d+\.\s*/, '').trim();
}

/** The node list of a lab root (`data-nodes`). */
export function labNodes(root: HTMLElement): string[] {
  return (root.dataset[LAB_DATA.nodes] ?? DEFAULT_NODE).split(',').filter(Boolean);
}
