import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS, canonicalEventBytes, canonicalJson, hashEvent, verifyChain } from '../../src/audit/chain.ts';
import type { AuditEvent } from '../../src/audit/event.ts';
import { chainOf } from './helpers.ts';

/** Re-hashes an event after a change, as a forger who knows the recipe would. */
function rehash(event: AuditEvent): AuditEvent {
  return { ...event, hash: hashEvent(event) };
}

describe('canonical JSON', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('orders keys by code point, as jq does, not by UTF-16 unit', () => {
    // U+FFFF sorts before U+1F600 by code point; JavaScript's default sort puts it after.
    expect(canonicalJson({ '😀': 1, '\uffff': 2, é: 3, Z: 4, a: 5 })).toBe('{"Z":4,"a":5,"é":3,"\uffff":2,"😀":1}');
  });

  it('escapes strings exactly as jq prints them', () => {
    expect(canonicalJson('q"b\\ \b\t\n\f\r \u0001\u001f\u007f / é 😀 \u2028')).toBe(
      '"q\\"b\\\\ \\b\\t\\n\\f\\r \\u0001\\u001f\\u007f / é 😀 \u2028"',
    );
  });

  it('replaces a lone surrogate with U+FFFD, which is what jq reads it as', () => {
    expect(canonicalJson('a\ud800b')).toBe('"a\ufffdb"');
  });

  it('writes whole numbers plainly and -0 as 0; leaves out undefined properties', () => {
    expect(canonicalJson({ n: 9007199254740991, m: -42, z: -0, gone: undefined })).toBe(
      '{"m":-42,"n":9007199254740991,"z":0}',
    );
  });

  it('refuses what is not JSON', () => {
    expect(() => canonicalJson({ when: new Date(0) })).toThrow(/Date instance/);
    expect(() => canonicalJson([undefined])).toThrow(/undefined/);
    expect(() => canonicalJson(Number.NaN)).toThrow(/JSON/);
    expect(() => canonicalJson(1n)).toThrow(/bigint/);
  });
});

describe('hashing an event', () => {
  const [event] = chainOf(1) as [AuditEvent];

  it('is the SHA-256 of the canonical form without hash, phase as null, plus a newline', () => {
    const noPhase = chainOf(4)[3]!;
    expect(noPhase.phase).toBeUndefined();
    const body = { ...noPhase, phase: null } as Record<string, unknown>;
    delete body['hash'];
    const bytes = `${canonicalJson(body)}\n`;
    expect(bytes).toContain('"phase":null,');
    expect(canonicalEventBytes(noPhase).toString('utf8')).toBe(bytes);
    expect(noPhase.hash).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(noPhase.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('covers seq, prevHash and every field, and ignores the hash itself', () => {
    expect(hashEvent({ ...event, hash: 'anything' } as AuditEvent)).toBe(event.hash);
    for (const change of [
      { seq: 2 },
      { prevHash: '1'.repeat(64) },
      { phase: 3 },
      { actor: 'x' },
      { details: {} },
      { extra: 1 },
    ]) {
      expect(hashEvent({ ...event, ...change })).not.toBe(event.hash);
    }
  });

  it('does not depend on key order', () => {
    const reversed = Object.fromEntries(Object.entries(event).reverse()) as unknown as AuditEvent;
    expect(hashEvent(reversed)).toBe(event.hash);
  });

  it('starts the chain at 64 zeros', () => {
    expect(GENESIS).toBe('0'.repeat(64));
    expect(event.prevHash).toBe(GENESIS);
  });
});

describe('verifying a chain', () => {
  it('accepts an intact chain, from an array or an async stream', async () => {
    const events = chainOf(10);
    expect(await verifyChain(events)).toEqual({ ok: true, count: 10, head: events[9]!.hash });
    async function* stream() {
      yield* events;
    }
    expect(await verifyChain(stream())).toEqual({ ok: true, count: 10, head: events[9]!.hash });
  });

  it('accepts an empty log, with no head', async () => {
    expect(await verifyChain([])).toEqual({ ok: true, count: 0, head: undefined });
  });

  it('names an altered event', async () => {
    const events = chainOf(10);
    events[6] = { ...events[6]!, details: { ...events[6]!.details, objects: 1 } };
    const verdict = await verifyChain(events);
    expect(verdict).toMatchObject({ ok: false, count: 6, head: events[5]!.hash });
    expect(verdict.firstBroken).toEqual({
      seq: 7,
      position: 7,
      reason: 'event 7 was altered: its content does not match its hash',
    });
  });

  it('names the link after an event that was altered and given a recomputed hash', async () => {
    const events = chainOf(10);
    events[6] = rehash({ ...events[6]!, outcome: 'failed' });
    const { firstBroken } = await verifyChain(events);
    expect(firstBroken).toMatchObject({ seq: 8, position: 8 });
    expect(firstBroken?.reason).toBe(
      'event 8 does not follow from event 7: its prevHash is not the hash of event 7 (event 7 was replaced, or altered and given a new hash)',
    );
  });

  it('names a deleted event, and a deleted range', async () => {
    const events = chainOf(10);
    const one = await verifyChain(events.filter((e) => e.seq !== 5));
    expect(one.firstBroken).toEqual({
      seq: 6,
      position: 5,
      reason: 'event 5 is missing: event 6 comes right after event 4 (deleted or moved)',
    });
    const range = await verifyChain(events.filter((e) => e.seq < 3 || e.seq > 5));
    expect(range.firstBroken?.reason).toBe(
      'events 3 to 5 are missing: event 6 comes right after event 2 (deleted or moved)',
    );
    const first = await verifyChain(events.slice(1));
    expect(first.firstBroken?.reason).toBe(
      'the log does not start at event 1: event 1 is missing before event 2 (deleted or moved)',
    );
  });

  it('names two swapped events', async () => {
    const events = chainOf(10);
    [events[2], events[3]] = [events[3]!, events[2]!];
    const verdict = await verifyChain(events);
    expect(verdict).toMatchObject({ ok: false, count: 2 });
    expect(verdict.firstBroken).toEqual({
      seq: 4,
      position: 3,
      reason: 'events 3 and 4 are in the wrong order: event 4 comes before event 3',
    });
  });

  it('names an event repeated or moved back', async () => {
    const events = chainOf(5);
    const verdict = await verifyChain([...events, events[2]!]);
    expect(verdict.firstBroken).toEqual({
      seq: 3,
      position: 6,
      reason: 'event 3 is out of place: it comes after event 5 (events were reordered or duplicated)',
    });
  });

  it('refuses a whole forged chain that does not start from 64 zeros', async () => {
    const forged: AuditEvent[] = [];
    for (const e of chainOf(3)) forged.push(rehash({ ...e, prevHash: forged.at(-1)?.hash ?? 'f'.repeat(64) }));
    expect((await verifyChain(forged)).firstBroken).toEqual({
      seq: 1,
      position: 1,
      reason: 'event 1 does not start a chain: its prevHash should be 64 zeros (the log was cut or rewritten)',
    });
  });

  it('stops reading at the first break and closes the source', async () => {
    const events = chainOf(6);
    events[1] = { ...events[1]!, actor: 'mallory' };
    let read = 0;
    let closed = false;
    async function* source() {
      try {
        for (const e of events) {
          read++;
          yield e;
        }
      } finally {
        closed = true;
      }
    }
    expect((await verifyChain(source())).firstBroken?.seq).toBe(2);
    expect(read).toBe(2);
    expect(closed).toBe(true);
  });
});
