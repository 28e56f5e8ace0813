// Follow mode in a learner's deck, as a pure state machine (no DOM, no reveal): the learner
// follows the presenter, chose to be free (« Je suis libre »), or navigated by themselves while
// following and was detached. Every event returns the new state and what the deck must do:
// go to a position, or nothing. A move of the deck is the learner's own when it lands somewhere
// else than the presenter's position: the moves follow mode applies land exactly there.
import { samePosition, type DeckPosition, type PresenterState } from '../shared/presenter-topic';

export type FollowMode = 'following' | 'free' | 'detached';

export interface FollowState {
  mode: FollowMode;
  /** The presenter's last position, null before the first. */
  presenter: DeckPosition | null;
  /** The instructor lets the room follow. */
  enabled: boolean;
}

export interface FollowStep {
  state: FollowState;
  /** Where the deck must go now, if anywhere. */
  goto: DeckPosition | null;
}

export const INITIAL_FOLLOW: FollowState = { mode: 'following', presenter: null, enabled: false };

const stay = (state: FollowState): FollowStep => ({ state, goto: null });

/** Whether the deck moves with the presenter now. */
export function isFollowing(s: FollowState): boolean {
  return s.enabled && s.mode === 'following';
}

/** The server said where the presenter is. Turning follow mode on brings everyone back. */
export function onPresenter(s: FollowState, msg: Pick<PresenterState, 'position' | 'enabled'>): FollowStep {
  const mode: FollowMode = msg.enabled && !s.enabled ? 'following' : s.mode;
  const state: FollowState = { mode, presenter: msg.position, enabled: msg.enabled };
  return { state, goto: isFollowing(state) ? msg.position : null };
}

/** The deck moved to `at`; a move elsewhere than the presenter's position detaches the learner. */
export function onDeckMoved(s: FollowState, at: DeckPosition): FollowStep {
  if (!isFollowing(s) || s.presenter === null || samePosition(s.presenter, at)) return stay(s);
  return stay({ ...s, mode: 'detached' });
}

/** « Je suis libre » pressed: free when following, back to the presenter otherwise. */
export function onToggle(s: FollowState): FollowStep {
  return s.mode === 'following' ? stay({ ...s, mode: 'free' }) : onRejoin(s);
}

/** « Suivre le formateur »: follow again, at the presenter's current position. */
export function onRejoin(s: FollowState): FollowStep {
  const state: FollowState = { ...s, mode: 'following' };
  return { state, goto: isFollowing(state) ? s.presenter : null };
}
