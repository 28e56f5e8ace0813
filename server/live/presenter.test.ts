// Follow mode's server side with real WebSocket clients on a real hub: the instructor's
// position reaches every page and a page that connects later, learners cannot publish, and the
// room's follow switch reaches everyone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIVE_CLOSE_CODES, frame } from '../../src/shared/live-protocol';
import { PRESENTER_TOPIC, type PresenterState } from '../../src/shared/presenter-topic';
import { Presenter } from './presenter';
import { liveTestServer, until, type LiveTestServer } from './testing';

let live: LiveTestServer;
let presenter: Presenter;

beforeEach(async () => {
  live = await liveTestServer();
  presenter = new Presenter(live.hub);
});

afterEach(() => live.close());

interface Page {
  ws: import('ws').WebSocket;
  states: PresenterState[];
  closed: Promise<number>;
  last(): PresenterState | undefined;
}

/** A page and the presenter states it received, in order. */
async function open(who: string): Promise<Page> {
  const page = await live.open(who);
  const states = () => page.received.filter((e) => e.topic === PRESENTER_TOPIC.name).map((e) => e.data as PresenterState);
  return {
    ws: page.ws,
    closed: page.closed,
    get states() {
      return states();
    },
    last: () => states().at(-1),
  };
}

describe('Presenter (follow mode, server side)', () => {
  it('sends the instructor’s position to every learner’s page, and to a page opened later at once', async () => {
    const teacher = await open('teacher');
    const alice = await open('alice');
    await until(() => alice.states.length === 1);
    expect(alice.last()).toEqual({ position: null, enabled: true });
    teacher.ws.send(frame(PRESENTER_TOPIC, { position: { h: 4, v: 1, f: 2 } }));
    await until(() => alice.last()?.position?.h === 4);
    expect(alice.last()).toEqual({ position: { h: 4, v: 1, f: 2 }, enabled: true });
    // A reload: the new page gets the current position with its first message.
    const bob = await open('bob');
    await until(() => bob.states.length === 1);
    expect(bob.states[0]).toEqual({ position: { h: 4, v: 1, f: 2 }, enabled: true });
    expect(presenter.state.position).toEqual({ h: 4, v: 1, f: 2 });
  });

  it('tells instructors how many learners’ pages are open, and never tells learners', async () => {
    const teacher = await open('teacher');
    await until(() => teacher.last()?.learnerPages === 0);
    const alice = await open('alice');
    await until(() => teacher.last()?.learnerPages === 1);
    alice.ws.close();
    await until(() => teacher.last()?.learnerPages === 0);
    const bob = await open('bob');
    teacher.ws.send(frame(PRESENTER_TOPIC, { position: { h: 1, v: 0, f: -1 } }));
    await until(() => bob.last()?.position?.h === 1);
    expect(bob.states.every((s) => s.learnerPages === undefined)).toBe(true);
  });

  it('closes a learner’s page that tries to move the room or turn follow mode off', async () => {
    for (const update of [{ position: { h: 9, v: 0, f: -1 } }, { enabled: false }]) {
      const alice = await open('alice');
      alice.ws.send(frame(PRESENTER_TOPIC, update));
      expect(await alice.closed).toBe(LIVE_CLOSE_CODES.protocol);
    }
    expect(presenter.state).toEqual({ position: null, enabled: true });
  });

  it('turns follow mode off and on for the room, from the instructor’s deck or the API', async () => {
    const teacher = await open('teacher');
    const alice = await open('alice');
    await until(() => alice.states.length === 1);
    teacher.ws.send(frame(PRESENTER_TOPIC, { enabled: false }));
    await until(() => alice.last()?.enabled === false);
    expect(presenter.setEnabled(true)).toEqual({ position: null, enabled: true });
    await until(() => alice.last()?.enabled === true);
    await until(() => teacher.last()?.enabled === true);
  });
});
