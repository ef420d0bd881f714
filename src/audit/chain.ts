/**
 * The hash chain of the audit log, as pure functions: the canonical bytes of an event, its
 * hash, and the verification of a whole log.
 *
 * The canonical form is chosen so that an auditor can recompute any event's hash with
 * standard tools and no cloudexit code. For one line of an exported log (`audit.jsonl`):
 *
 * ```sh
 * sed -n 7p audit.jsonl | jq -cS 'del(.hash)' | sha256sum   # recomputed
 * sed -n 7p audit.jsonl | jq -r .hash                        # recorded
 * ```
 *
 * Canonical form of a value (exactly what `jq -cS` prints, jq 1.6 and later):
 * - compact: no whitespace between tokens;
 * - object keys sorted by Unicode code point (= byte order of their UTF-8), at every depth;
 * - strings: UTF-8, with `"` and `\` backslash-escaped, `\b \t \n \f \r` as such, every
 *   other character below U+0020 and U+007F as `\u00xx` (lower-case hex), all else literal
 *   (no `\/`, no escaping of non-ASCII);
 * - numbers: whole numbers within ±(2^53 − 1) written in plain decimal. Stored events hold
 *   no other numbers (`storable.ts` turns them into text), because jq versions print
 *   fractions and exponents differently, and the recipe must work with any of them.
 *
 * Canonical form of an event: the canonical form of the event object without `hash`
 * (`phase` written as `null` when the event concerns no phase), followed by one line feed,
 * the newline `jq -c` ends its output with. The hash is the lower-case hex SHA-256 of
 * these UTF-8 bytes; `seq` and `prevHash` are inside, so an event cannot move or be cut
 * out of the chain without its hash, and every later one, changing.
 */
import { createHash } from 'node:crypto';
import type { AuditEvent } from './event.ts';

/** `prevHash` of the first event: 64 zeros, a hash nothing hashes to. */
export const GENESIS = '0'.repeat(64);

/** An event as hashed: everything but its own `hash`. */
export type UnhashedEvent = Omit<AuditEvent, 'hash'>;

/**
 * Canonical JSON of a JSON value (see the module comment), without trailing newline.
 * Object properties whose value is `undefined` are left out, as `JSON.stringify` does;
 * anything that is not JSON (a function, a bigint, a class instance, `NaN`) is refused.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${value} has no JSON form`);
      // String(-0) is "0", as jq prints a parsed "0"; other non-integers never reach a
      // stored event (see storable.ts), so their form here only matters for hand-edited files.
      return Number.isSafeInteger(value) ? String(value) : JSON.stringify(value);
    case 'string':
      return quote(value);
    case 'object':
      break;
    default:
      throw new TypeError(`a ${typeof value} has no JSON form`);
  }
  if (Array.isArray(value)) {
    return `[${value
      .map((item) => {
        if (item === undefined) throw new TypeError('an array holding undefined has no canonical JSON form');
        return canonicalJson(item);
      })
      .join(',')}]`;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(
      `a ${proto?.constructor?.name ?? 'class'} instance has no canonical JSON form; convert it to plain data first`,
    );
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k.toWellFormed(), v] as const)
    .sort(([a], [b]) => compareCodePoints(a, b));
  return `{${entries.map(([k, v]) => `${quote(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The exact bytes hashed for an event (canonical JSON without `hash`, then `\n`). */
export function canonicalEventBytes(event: UnhashedEvent): Buffer {
  // Every field but `hash` is hashed, including any a hand-edited file added, so an
  // extra field breaks the hash here just as it does for `jq 'del(.hash)'`.
  const { hash: _own, ...body } = event as UnhashedEvent & { hash?: unknown };
  return Buffer.from(`${canonicalJson({ ...body, phase: body.phase ?? null })}\n`, 'utf8');
}

/** SHA-256, lower-case hex, of the event's canonical bytes; any `hash` field is ignored. */
export function hashEvent(event: UnhashedEvent): string {
  return createHash('sha256').update(canonicalEventBytes(event)).digest('hex');
}

/** The first place where a log stops being one unbroken chain. */
export interface ChainBreak {
  /** `seq` the offending event claims (it may be the wrong one: that can be the problem). */
  seq: number;
  /** 1-based position of the event in the log: the line number in an exported JSONL file. */
  position: number;
  /** What is wrong, in a sentence a person understands. */
  reason: string;
}

/** Result of {@link verifyChain}. */
export interface ChainVerdict {
  /** True when every event is intact and linked to the one before it. */
  ok: boolean;
  /** Events that chain correctly from the start (all of them when `ok`). */
  count: number;
  /** Hash of the last event that chains correctly; undefined for an empty log or a break at event 1. */
  head: string | undefined;
  /** Present when `ok` is false. */
  firstBroken?: ChainBreak;
}

/**
 * Recomputes every hash and link of a log given in order, and stops at the first break:
 * an altered event (content no longer matches its hash), a missing event (gap in `seq`),
 * events out of order, or an event whose `prevHash` is not the hash of the one before it
 * (an event replaced, or altered and re-hashed). Removing events from the END of a log
 * leaves a valid, shorter chain: compare `head` with a head recorded elsewhere to see that.
 */
export async function verifyChain(events: AsyncIterable<AuditEvent> | Iterable<AuditEvent>): Promise<ChainVerdict> {
  const iterator = Symbol.asyncIterator in events ? events[Symbol.asyncIterator]() : toAsync(events[Symbol.iterator]());
  let previous: AuditEvent | undefined;
  let count = 0;
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const event = next.value;
      const reason = await breakReason(event, previous, iterator);
      if (reason !== undefined) {
        return { ok: false, count, head: previous?.hash, firstBroken: { seq: event.seq, position: count + 1, reason } };
      }
      previous = event;
      count++;
    }
  } finally {
    // Stopping early must still close what feeds us (an open file, a database cursor).
    await iterator.return?.();
  }
  return { ok: true, count, head: previous?.hash };
}

/** Why `event` cannot follow `previous`, or undefined when it does. */
async function breakReason(
  event: AuditEvent,
  previous: AuditEvent | undefined,
  iterator: AsyncIterator<AuditEvent>,
): Promise<string | undefined> {
  const seq = event.seq;
  if (hashEvent(event) !== event.hash) return `event ${seq} was altered: its content does not match its hash`;
  const expected = previous === undefined ? 1 : previous.seq + 1;
  if (seq > expected) {
    if ((await peekSeq(iterator)) === expected) {
      return `events ${expected} and ${seq} are in the wrong order: event ${seq} comes before event ${expected}`;
    }
    const missing =
      seq - expected === 1 ? `event ${expected} is missing` : `events ${expected} to ${seq - 1} are missing`;
    return previous === undefined
      ? `the log does not start at event 1: ${missing} before event ${seq} (deleted or moved)`
      : `${missing}: event ${seq} comes right after event ${previous.seq} (deleted or moved)`;
  }
  if (seq < expected) {
    return `event ${seq} is out of place: it comes after event ${previous?.seq ?? 0} (events were reordered or duplicated)`;
  }
  if (previous === undefined) {
    return event.prevHash === GENESIS
      ? undefined
      : 'event 1 does not start a chain: its prevHash should be 64 zeros (the log was cut or rewritten)';
  }
  if (event.prevHash !== previous.hash) {
    return (
      `event ${seq} does not follow from event ${previous.seq}: its prevHash is not the hash of event ${previous.seq} ` +
      `(event ${previous.seq} was replaced, or altered and given a new hash)`
    );
  }
  return undefined;
}

/**
 * The `seq` of the event after the broken one, to tell a swap from a deletion. Only
 * called once a break is found, so consuming the event is harmless; a failure to read it
 * (say, a garbled next line) must not hide the break already found.
 */
async function peekSeq(iterator: AsyncIterator<AuditEvent>): Promise<number | undefined> {
  try {
    const next = await iterator.next();
    return next.done ? undefined : next.value.seq;
  } catch {
    return undefined;
  }
}

async function* toAsync<T>(iterator: Iterator<T>): AsyncGenerator<T> {
  for (let next = iterator.next(); !next.done; next = iterator.next()) yield next.value;
}

/** `"…"` with jq's escapes (see the module comment). */
function quote(text: string): string {
  let out = '"';
  for (const ch of text.toWellFormed()) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c >= 0x20 && c !== 0x7f) out += ch;
    else out += SHORT_ESCAPES[ch] ?? `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\f': '\\f',
  '\r': '\\r',
};

/** Code point order; plain `<` compares UTF-16 units, which puts U+10000… before U+E000…U+FFFF. */
function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
