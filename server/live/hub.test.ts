// The live hub with real WebSocket clients over a real HTTP server (the edge's authentication
// is tested in test/security.test.ts; here every upgrade is bound to the learner its URL names).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { LIVE_CLOSE_CODES, frame, topic } from '../../src/shared/live-protocol';
import type { LiveClient, LiveHub } from './hub';
import { liveTestServer, until, type LiveTestServer } from './testing';

const news = topic('news', z.object({ text: z.string() }));
const say = topic('say', z.object({ text: z.string() }), z.object({ text: z.string().check(z.maxLength(20)) }));
const steer = topic('steer', z.object({ slide: z.number() }), z.object({ slide: z.number() }));

let live: LiveTestServer;
let hub: LiveHub;
const open = (who: string) => live.open(who);

beforeEach(async () => {
  live = await liveTestServer({ maxSocketsPerLearner: 2 });
  hub = live.hub;
});

afterEach(() => live.close());

describe('LiveHub', () => {
  it('sends to one learner’s pages only, and broadcasts to every page a filter keeps', async () => {
    const alice1 = await open('alice');
    const alice2 = await open('alice');
    const bob = await open('bob');
    await until(() => hub.pages().length === 3);
    hub.send('alice', news, { text: 'pour Alice' });
    hub.broadcast(news, { text: 'pour tous' });
    hub.broadcast(news, { text: 'pour Bob' }, (c) => c.learner.id === 'bob');
    await until(() => alice1.received.length === 2 && alice2.received.length === 2 && bob.received.length === 2);
    expect(alice1.received).toEqual([{ topic: 'news', data: { text: 'pour Alice' } }, { topic: 'news', data: { text: 'pour tous' } }]);
    expect(alice2.received).toEqual(alice1.received);
    expect(bob.received).toEqual([{ topic: 'news', data: { text: 'pour tous' } }, { topic: 'news', data: { text: 'pour Bob' } }]);
  });

  it('hands a valid message to the topic’s handler with the page it came from, and tells comings and goings', async () => {
    const got: [string, string][] = [];
    const seen: string[] = [];
    hub.on(say, (client, data) => void got.push([client.learner.id, data.text]));
    hub.onConnect((c: LiveClient) => seen.push(`+${c.learner.id}`));
    hub.onDisconnect((c: LiveClient) => seen.push(`-${c.learner.id}`));
    const bob = await open('bob');
    bob.ws.send(frame(say, { text: 'bonjour' }));
    await until(() => got.length === 1);
    expect(got).toEqual([['bob', 'bonjour']]);
    bob.ws.close();
    await until(() => seen.length === 2);
    expect(seen).toEqual(['+bob', '-bob']);
  });

  it('closes a page that sends a non-envelope, an unknown topic, invalid data or a topic reserved to the instructor', async () => {
    hub.on(say, () => undefined);
    hub.on(steer, () => undefined, { instructorOnly: true });
    for (const text of ['pas du JSON', JSON.stringify({ topic: 'inconnu', data: {} }), frame(say, { text: 'x'.repeat(21) }), frame(news, { text: 'x' }), frame(steer, { slide: 3 })]) {
      const page = await open('alice');
      page.ws.send(text);
      expect(await page.closed, text).toBe(LIVE_CLOSE_CODES.protocol);
    }
    const steered: number[] = [];
    hub.on(topic('steer2', z.object({}), z.object({ slide: z.number() })), (_c, d) => void steered.push(d.slide), { instructorOnly: true });
    const teacher = await open('teacher');
    teacher.ws.send(JSON.stringify({ topic: 'steer2', data: { slide: 4 } }));
    await until(() => steered.length === 1);
    expect(steered).toEqual([4]);
  });

  it('refuses a learner’s page beyond the limit, without touching their open ones', async () => {
    await open('alice');
    await open('alice');
    const third = await open('alice');
    expect(await third.closed).toBe(LIVE_CLOSE_CODES.tooMany);
    await until(() => hub.pagesOf('alice').length === 2);
    expect(hub.pagesOf('alice')).toHaveLength(2);
  });

  it('refuses a second handler for a topic and a handler for a topic pages cannot send on', () => {
    hub.on(say, () => undefined);
    expect(() => hub.on(say, () => undefined)).toThrow('déjà');
    expect(() => hub.on(news, () => undefined)).toThrow('ne reçoit rien');
  });
});
