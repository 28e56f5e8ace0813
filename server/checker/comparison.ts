import { NODE_STATE } from '../../src/labs/criteria';
import type { Observation } from './types';

interface Item {
  what: string;
  observed: string;
  expected: string;
  ok: boolean;
}

/**
 * Collects the facts a condition compares and writes the French verdict: on failure it names
 * only what differs, so the learner reads « observé : 1 réplica » / « attendu : 3 réplicas ».
 */
export class Comparison {
  private readonly items: Item[] = [];

  add(what: string, observed: string, expected: string, ok = observed === expected): this {
    this.items.push({ what, observed, expected, ok });
    return this;
  }

  get ok(): boolean {
    return this.items.every((i) => i.ok);
  }

  result(progress?: string): Observation {
    const shown = this.ok ? this.items : this.items.filter((i) => !i.ok);
    const line = (pick: (i: Item) => string) => shown.map((i) => `${i.what} : ${pick(i)}`).join(' ; ');
    return { ok: this.ok, observed: line((i) => i.observed), expected: line((i) => i.expected), progress };
  }
}

export function missing(what: string, expected: string): Observation {
  return { ok: false, observed: `${what} introuvable`, expected };
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n > 1 ? many : one}`;
}

export function list(values: string[]): string {
  return values.length === 0 ? 'aucun' : values.join(', ');
}

/** A node state as `docker node ls` shows it, in French. */
export function nodeState(state: string | undefined): string {
  return NODE_STATE[state ?? 'unknown'] ?? state ?? '?';
}
