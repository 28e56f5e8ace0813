import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeckPosition } from '../shared/presenter-topic';
import { INITIAL_FOLLOW, isFollowing, onDeckMoved, onPresenter, onRejoin, onToggle, type FollowState } from './follow-state';

const at = (h: number, v = 0, f = -1): DeckPosition => ({ h, v, f });
const following = (presenter: DeckPosition | null = at(3)): FollowState => ({ mode: 'following', presenter, enabled: true });

describe('follow mode state machine', () => {
  it('follows the presenter, slide and fragment, once the room follows', () => {
    expect(onPresenter(INITIAL_FOLLOW, { position: at(2), enabled: true })).toEqual({ state: following(at(2)), goto: at(2) });
    expect(onPresenter(following(at(2)), { position: at(2, 0, 1), enabled: true }).goto).toEqual(at(2, 0, 1));
    expect(onPresenter(following(at(2)), { position: at(4, 1, 0), enabled: true }).goto).toEqual(at(4, 1, 0));
    // Before the presenter's first move: nowhere to go.
    expect(onPresenter(INITIAL_FOLLOW, { position: null, enabled: true }).goto).toBeNull();
  });

  it('does not move a free or detached learner, but keeps the presenter’s position for the rejoin', () => {
    for (const mode of ['free', 'detached'] as const) {
      const step = onPresenter({ ...following(at(2)), mode }, { position: at(5, 0, 2), enabled: true });
      expect(step.goto).toBeNull();
      expect(step.state).toEqual({ mode, presenter: at(5, 0, 2), enabled: true });
      expect(onRejoin(step.state)).toEqual({ state: following(at(5, 0, 2)), goto: at(5, 0, 2) });
    }
  });

  it('« Je suis libre » frees a following learner, and pressed again jumps to the presenter', () => {
    const free = onToggle(following(at(3)));
    expect(free).toEqual({ state: { ...following(at(3)), mode: 'free' }, goto: null });
    expect(onToggle(free.state)).toEqual({ state: following(at(3)), goto: at(3) });
  });

  it('detaches a following learner whose own navigation leaves the presenter’s position, not one the follow mode moved', () => {
    expect(onDeckMoved(following(at(3)), at(3)).state.mode).toBe('following');
    expect(onDeckMoved(following(at(3)), at(4)).state.mode).toBe('detached');
    expect(onDeckMoved(following(at(3, 0, 1)), at(3, 0, 2)).state.mode).toBe('detached');
    // Free stays free; nothing to detach from before the first position or when the room does not follow.
    expect(onDeckMoved({ ...following(), mode: 'free' }, at(9)).state.mode).toBe('free');
    expect(onDeckMoved(following(null), at(9)).state.mode).toBe('following');
    expect(onDeckMoved({ ...following(), enabled: false }, at(9)).state.mode).toBe('following');
  });

  it('stops following when the instructor turns follow mode off, and brings everyone back when it is on again', () => {
    const off = onPresenter({ ...following(at(3)), mode: 'free' }, { position: at(6), enabled: false });
    expect(off).toEqual({ state: { mode: 'free', presenter: at(6), enabled: false }, goto: null });
    expect(isFollowing(onRejoin(off.state).state)).toBe(false);
    expect(onPresenter(off.state, { position: at(7), enabled: true })).toEqual({ state: following(at(7)), goto: at(7) });
  });

  it('whatever happens, a following learner’s deck is sent exactly to the presenter’s position', () => {
    const pos = fc.record({ h: fc.nat(30), v: fc.nat(5), f: fc.integer({ min: -1, max: 5 }) });
    const event = fc.oneof(
      fc.record({ kind: fc.constant('presenter' as const), position: fc.option(pos, { nil: null }), enabled: fc.boolean() }),
      fc.record({ kind: fc.constant('moved' as const), position: pos }),
      fc.record({ kind: fc.constant('toggle' as const) }),
      fc.record({ kind: fc.constant('rejoin' as const) }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        let s = INITIAL_FOLLOW;
        for (const e of events) {
          const step =
            e.kind === 'presenter' ? onPresenter(s, e) : e.kind === 'moved' ? onDeckMoved(s, e.position) : e.kind === 'toggle' ? onToggle(s) : onRejoin(s);
          if (step.goto) expect(step.goto).toEqual(step.state.presenter);
          if (step.goto) expect(isFollowing(step.state)).toBe(true);
          s = step.state;
        }
      }),
    );
  });
});
