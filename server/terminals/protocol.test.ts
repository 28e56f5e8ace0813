// Parsing of the wire protocol's text frames (src/shared/terminal-protocol.ts), both directions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseClientMessage, parseServerMessage, PROTOCOL_VERSION, RESIZE_MAX, RESIZE_MIN, type ClientMessage, type ServerMessage } from './protocol';

const refused = (text: string) => {
  const r = parseClientMessage(text);
  if (r.ok) throw new Error(`accepted: ${text}`);
  return r;
};

describe('parseClientMessage', () => {
  it('accepts every valid message and keeps only known fields', () => {
    const valid: ClientMessage[] = [
      { t: 'hello', v: PROTOCOL_VERSION, session: null, offset: null },
      { t: 'hello', v: PROTOCOL_VERSION, session: 'abc', offset: 12, cols: 80, rows: 24 },
      { t: 'ack', offset: 0 },
      { t: 'ack', offset: Number.MAX_SAFE_INTEGER },
      { t: 'resize', cols: RESIZE_MIN, rows: RESIZE_MAX },
      { t: 'reopen' },
    ];
    for (const msg of valid) expect(parseClientMessage(JSON.stringify(msg))).toEqual({ ok: true, msg });
    expect(parseClientMessage('{"t":"reopen","evil":1}')).toEqual({ ok: true, msg: { t: 'reopen' } });
  });

  it('a hello with another version or a bad size still parses (the gateway answers precisely)', () => {
    expect(parseClientMessage('{"t":"hello","v":2,"session":null,"offset":null}')).toMatchObject({ ok: true, msg: { v: 2 } });
    expect(parseClientMessage('{"t":"hello","v":1,"session":null,"offset":null,"cols":0,"rows":9999}')).toMatchObject({ ok: true });
  });

  it('refuses what is not JSON, not an object, or of an unknown type', () => {
    expect(refused('{')).toMatchObject({ code: 'bad-message', message: 'JSON invalide' });
    for (const text of ['null', '42', '"hello"', '[]', '{}', '{"t":1}', '{"t":"nope"}', '{"t":"__proto__"}', '{"t":"constructor"}', '{"t":"toString"}']) {
      expect(refused(text)).toMatchObject({ code: 'bad-message', message: 'message inconnu' });
    }
  });

  it('refuses known types with bad fields', () => {
    for (const text of [
      '{"t":"ack"}', '{"t":"ack","offset":-1}', '{"t":"ack","offset":1.5}', '{"t":"ack","offset":"3"}', '{"t":"ack","offset":1e300}',
      '{"t":"hello","v":1}', '{"t":"hello","v":"1","session":null,"offset":null}', '{"t":"hello","v":1,"session":7,"offset":null}',
      `{"t":"hello","v":1,"session":"${'x'.repeat(65)}","offset":null}`, '{"t":"hello","v":1,"session":null,"offset":-5}',
    ]) {
      expect(refused(text)).toMatchObject({ code: 'bad-message' });
    }
    expect(refused('{"t":"ack"}').message).toBe('message «\u00a0ack\u00a0» mal formé');
  });

  it('refuses sizes out of range with bad-resize', () => {
    for (const [cols, rows] of [[0, 10], [RESIZE_MAX + 1, 10], [10, 1.5], ['80', 10], [null, 10], [10, -1]]) {
      expect(refused(JSON.stringify({ t: 'resize', cols, rows }))).toMatchObject({ code: 'bad-resize', message: `taille refusée (${RESIZE_MIN} à ${RESIZE_MAX})` });
    }
  });

  it('never throws, whatever the frame', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v))), (text) => {
      const r = parseClientMessage(text);
      expect(typeof r.ok).toBe('boolean');
    }), { numRuns: 2000 });
  });

  it('accepts exactly the resizes within range', () => {
    fc.assert(fc.property(fc.integer({ min: -10, max: 600 }), fc.integer({ min: -10, max: 600 }), (cols, rows) => {
      const ok = cols >= RESIZE_MIN && cols <= RESIZE_MAX && rows >= RESIZE_MIN && rows <= RESIZE_MAX;
      expect(parseClientMessage(JSON.stringify({ t: 'resize', cols, rows })).ok).toBe(ok);
    }));
  });

  it('round-trips any valid ack and hello', () => {
    const hello = fc.record({
      t: fc.constant('hello' as const),
      v: fc.integer(),
      session: fc.option(fc.string({ maxLength: 64 }), { nil: null }),
      offset: fc.option(fc.nat(), { nil: null }),
    });
    const ack = fc.record({ t: fc.constant('ack' as const), offset: fc.nat() });
    fc.assert(fc.property(fc.oneof(hello, ack), (msg) => {
      expect(parseClientMessage(JSON.stringify(msg))).toEqual({ ok: true, msg });
    }));
  });
});

describe('parseServerMessage', () => {
  it('accepts what the gateway sends and rejects anything else', () => {
    const valid: ServerMessage[] = [
      { t: 'attached', session: 's', offset: 0, reset: true, state: 'running', pid: 12, cols: 80, rows: 24, mode: 'viewer' },
      { t: 'state', state: 'exited', pid: null, code: 3 },
      { t: 'resized', cols: 100, rows: 30 },
      { t: 'error', code: 'read-only', message: 'x' },
      { t: 'closed', reason: 'slow', message: 'x' },
    ];
    for (const msg of valid) expect(parseServerMessage(JSON.stringify(msg))).toEqual(msg);
    for (const text of ['', '{', '{"t":"attached"}', '{"t":"state","state":"sleeping","pid":null}', '{"t":"closed","reason":"bored","message":""}']) {
      expect(parseServerMessage(text)).toBeNull();
    }
    fc.assert(fc.property(fc.string(), (text) => { parseServerMessage(text); }));
  });
});
