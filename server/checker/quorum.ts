import type { EngineApi } from './types';

/**
 * Whether a swarm has lost its quorum, seen from a manager that still answers. Without a
 * majority of its managers, Raft elects no leader: the engine keeps answering `docker info`
 * (it is still a manager, ControlAvailable) but refuses every call on the swarm's state with
 * « The swarm does not have a leader » (the error swarmkit returns, also shown in
 * `docker info` under Swarm.Error). For a few seconds after the loss, calls may end in
 * « context deadline exceeded » first: that is not counted, the check converges instead.
 */
const NO_LEADER = /does not have a leader|no elected cluster leader/i;

/** The engine's refusal for want of a leader, or undefined when the swarm answers (other errors are thrown). */
export async function leaderlessRefusal(manager: EngineApi): Promise<string | undefined> {
  try {
    await manager.listNodes();
    return undefined;
  } catch (error) {
    if (isQuorumLoss(error)) return engineMessage(error);
    throw error;
  }
}

/** An error of a manager's swarm API that says it has no leader. */
export function isQuorumLoss(error: unknown): boolean {
  return NO_LEADER.test(engineMessage(error));
}

/** The engine's own words in a dockerode error (`(HTTP code 503) … - The swarm does not have a leader…`). */
function engineMessage(error: unknown): string {
  const e = error as { json?: { message?: string }; message?: string };
  const text = e?.json?.message ?? e?.message ?? String(error);
  const sentence = text.match(/The swarm does not have a leader\.?/i)?.[0];
  return sentence ? sentence.replace(/\.?$/, '.') : text;
}
