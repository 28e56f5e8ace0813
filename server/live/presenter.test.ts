// Follow mode's server side with real WebSocket clients on a real hub: the instructor's
// position reaches every page and a page that connects later, learners cannot publish, and the
// room's follow switch reaches everyone.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonRecord } from '../json-record';
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

  it('keeps the position and the switch across a server restart, in a file of the data folder', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dec-presenter-'));
    const file = path.join(dir, 'presenter.json');
    const first = await liveTestServer();
    const second = await liveTestServer();
    try {
      const kept = new Presenter(first.hub, new JsonRecord(file));
      kept.move({ h: 7, v: 2, f: 0 });
      kept.setEnabled(false);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ position: '{"h":7,"v":2,"f":0}', enabled: 'false' });
      // The next run reads it: a learner who reconnects gets the slide at once.
      const restarted = new Presenter(second.hub, new JsonRecord(file));
      expect(restarted.state).toEqual({ position: { h: 7, v: 2, f: 0 }, enabled: false });
      const page = await second.open('alice');
      await until(() => page.received.some((e) => e.topic === PRESENTER_TOPIC.name));
      expect(page.received.find((e) => e.topic === PRESENTER_TOPIC.name)!.data).toEqual({ position: { h: 7, v: 2, f: 0 }, enabled: false });
      // A damaged file is no position at all, never a crash.
      await writeFile(file, '{"position":"{pas du json","enabled":"true"}');
      const third = await liveTestServer();
      try {
        expect(new Presenter(third.hub, new JsonRecord(file)).state).toEqual({ position: null, enabled: true });
      } finally {
        await third.close();
      }
    } finally {
      await first.close();
      await second.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
