/**
 * The audit log as JSON Lines, the form auditors receive: one event per line, each line
 * the canonical JSON of the whole event (`hash` included, keys sorted, see `chain.ts`),
 * so that `jq -cS 'del(.hash)'` of a line gives back exactly the bytes that were hashed.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import type { AuditEvent } from './event.ts';
import { canonicalJson } from './chain.ts';

/** A file that is not an audit log: unreadable, or a line that is not an audit event. */
export class AuditFileError extends Error {
  override name = 'AuditFileError';
  readonly file: string;
  /** 1-based line number, when the problem is on one line. */
  readonly line: number | undefined;

  constructor(message: string, file: string, line?: number) {
    super(message);
    this.file = file;
    this.line = line;
  }
}

/** What an export wrote. */
export interface ExportSummary {
  count: number;
  /** Hash of the last event; undefined for an empty log. */
  head: string | undefined;
}

/** One line of the export: canonical JSON of the event, `hash` included, then `\n`. */
export function auditJsonLine(event: AuditEvent): string {
  return `${canonicalJson({ ...event, phase: event.phase ?? null })}\n`;
}

/**
 * Writes `events` to `out` as JSON Lines, waiting whenever `out` is full so a log of any
 * length streams through in bounded memory. Does not end `out` (it may be stdout).
 */
export async function writeAuditJsonl(
  events: AsyncIterable<AuditEvent> | Iterable<AuditEvent>,
  out: NodeJS.WritableStream,
): Promise<ExportSummary> {
  let count = 0;
  let head: string | undefined;
  for await (const event of events) {
    // once() rejects if the stream fails while we wait, instead of waiting forever.
    if (!out.write(auditJsonLine(event))) await once(out, 'drain');
    count++;
    head = event.hash;
  }
  return { count, head };
}

/**
 * Writes the export to `file`, whole or not at all: a temporary file next to it is
 * renamed into place once complete, so an interrupted export never leaves a truncated
 * log that would look like a log with its last events removed.
 */
export async function writeAuditJsonlFile(
  events: AsyncIterable<AuditEvent> | Iterable<AuditEvent>,
  file: string,
): Promise<ExportSummary> {
  const partial = `${file}.partial-${process.pid}`;
  const out = createWriteStream(partial, { flags: 'wx' });
  try {
    await once(out, 'open');
    const summary = await writeAuditJsonl(events, out);
    out.end();
    await once(out, 'finish');
    await rename(partial, file);
    return summary;
  } catch (err) {
    // The first failure is the one to report; a write failing while we tear down is not.
    out.on('error', () => {});
    out.destroy();
    await finished(out).catch(() => undefined);
    await rm(partial, { force: true });
    throw err;
  }
}

/**
 * Reads an exported log back, one event per line, streaming. Throws an
 * {@link AuditFileError} naming the line for a line that is not JSON or not shaped like
 * an event. Fields beyond an event's own are kept, so that `verifyChain` sees them and
 * reports the event as altered, as `jq` would.
 */
export async function* readAuditJsonl(file: string): AsyncGenerator<AuditEvent> {
  // Opened first so that a missing file is one clear error, not a stream event later.
  const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new AuditFileError(`cannot read the audit log: ${err.code ?? err.message}`, file);
  });
  const lines = createInterface({ input: handle.createReadStream({ autoClose: false }), crlfDelay: Infinity });
  try {
    let number = 0;
    for await (const raw of lines) {
      number++;
      // A byte-order mark some editors add would otherwise make line 1 invalid JSON.
      const line = number === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        const what = line.trim() === '' ? 'is empty' : `is not valid JSON (${(err as Error).message})`;
        throw new AuditFileError(`line ${number} ${what}; every line of an audit log is one JSON event`, file, number);
      }
      yield eventFromJson(value, file, number);
    }
  } finally {
    lines.close();
    await handle.close();
  }
}

/** Checks the shape of a parsed line; the content is checked by the hash, not here. */
function eventFromJson(value: unknown, file: string, line: number): AuditEvent {
  const fail = (problem: string) => new AuditFileError(`line ${line} is not an audit event: ${problem}`, file, line);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail('it is not a JSON object');
  const e = value as Record<string, unknown>;
  if (!Number.isSafeInteger(e['seq']) || (e['seq'] as number) < 1) throw fail('"seq" must be a whole number from 1');
  for (const field of ['time', 'actor', 'step', 'outcome', 'prevHash', 'hash']) {
    if (typeof e[field] !== 'string') throw fail(`"${field}" must be a string`);
  }
  if (e['phase'] !== null && !Number.isSafeInteger(e['phase'])) throw fail('"phase" must be a whole number or null');
  const details = e['details'];
  if (details === null || typeof details !== 'object' || Array.isArray(details))
    throw fail('"details" must be an object');
  return { ...(e as unknown as AuditEvent), phase: e['phase'] === null ? undefined : (e['phase'] as number) };
}
