import { Condition } from '../../src/labs/schema';
import { fixtureContext, loadSnapshot } from './fixture-context';
import { evaluate } from './index';
import type { ClusterSnapshot } from './snapshot';
import type { Service } from './swarm-objects';
import type { Observation } from './types';

/**
 * Helpers of the checker's unit tests: conditions written as in a lab file, evaluated on the
 * states recorded from a real swarm (server/checker/fixtures/), with no engine.
 */

export type FixtureState = 'bare' | 'empty' | 'deployed' | 'failure';

/** A condition as a lab file writes it (the message is not what these tests are about). */
export function condition(input: Record<string, unknown>): Condition {
  return Condition.parse({ message: 'Condition de test.', ...input });
}

/** One evaluation of a condition on a recorded state (or on an edited copy of one). */
export function checkOn(state: FixtureState | ClusterSnapshot, input: Record<string, unknown>): Promise<Observation> {
  const snapshot = typeof state === 'string' ? loadSnapshot(state) : state;
  return evaluate(condition(input), fixtureContext(snapshot));
}

/** A copy of a recorded state with one change: the failing (or rarer) case of a real state. */
export function edited(state: FixtureState, change: (snapshot: ClusterSnapshot) => void): ClusterSnapshot {
  const snapshot = loadSnapshot(state);
  change(snapshot);
  return snapshot;
}

/** A recorded service, to edit. */
export function service(snapshot: ClusterSnapshot, name: string): Service {
  const found = (snapshot.swarm?.services as Service[] | undefined)?.find((s) => s.Spec.Name === name);
  if (!found) throw new Error(`fixture ${snapshot.name} : pas de service ${name}`);
  return found;
}
