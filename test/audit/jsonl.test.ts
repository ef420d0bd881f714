import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashEvent, verifyChain } from '../../src/audit/chain.ts';
import {
  AuditFileError,
  auditJsonLine,
  readAuditJsonl,
  writeAuditJsonl,
  writeAuditJsonlFile,
} from '../../src/audit/jsonl.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import type { AuditEvent } from '../../src/audit/event.ts';
import { collect, tempDir } from '../state/helpers.ts';
import { sampleInput } from './helpers.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let exported: string;
let events: AuditEvent[];

/** Ten events appended to a real state file and exported, as an auditor would receive them. */
beforeEach(async () => {
  dir = await tempDir();
  const store = await openSqliteStateStore(join(dir.path, 'state.db'));
  events = [];
  for (let i = 1; i <= 10; i++) events.push(await store.appendAudit(sampleInput(i)));
  exported = join(dir.path, 'audit.jsonl');
  expect(await writeAuditJsonlFile(store.iterateAudit(), exported)).toEqual({ count: 10, head: events[9]!.hash });
  await store.close();
});

afterEach(() => dir.remove());

async function lines(): Promise<string[]> {
  return (await readFile(exported, 'utf8')).split('\n').slice(0, -1);
}

/** Rewrites the export with `change` applied to its lines, as a tamperer with a text editor would. */
async function tamper(change: (lines: string[]) => string[]): Promise<void> {
  await writeFile(exported, `${change(await lines()).join('\n')}\n`);
}

describe('exporting the audit log as JSON Lines', () => {
  it('writes one canonical line per event, hash included, keys sorted', async () => {
    const written = await lines();
    expect(written).toHaveLength(10);
    expect(written.map((l) => `${l}\n`)).toEqual(events.map(auditJsonLine));
    expect(Object.keys(JSON.parse(written[3]!))).toEqual([
      'actor',
      'details',
      'hash',
      'outcome',
      'phase',
      'prevHash',
      'seq',
      'step',
      'time',
    ]);
    expect(JSON.parse(written[3]!).phase).toBeNull();
  });

  it('reads back the very events that were exported', async () => {
    expect(await collect(readAuditJsonl(exported))).toStrictEqual(events);
    expect(await verifyChain(readAuditJsonl(exported))).toEqual({ ok: true, count: 10, head: events[9]!.hash });
  });

  it('waits for a slow reader instead of buffering the whole log', async () => {
    const out = new PassThrough({ highWaterMark: 64 });
    const chunks: Buffer[] = [];
    let finished = false;
    const writing = writeAuditJsonl(events, out).finally(() => (finished = true));
    // Nobody reads yet: the writer must be stopped on the full buffer, not done.
    await new Promise((r) => setImmediate(r));
    expect(out.writableNeedDrain).toBe(true);
    expect(finished).toBe(false);
    out.on('data', (c: Buffer) => chunks.push(c));
    expect(await writing).toEqual({ count: 10, head: events[9]!.hash });
    expect(Buffer.concat(chunks).toString()).toBe(events.map(auditJsonLine).join(''));
  });

  it('leaves no file at all when the export fails half-way', async () => {
    const target = join(dir.path, 'failed.jsonl');
    async function* failing() {
      yield events[0]!;
      throw new Error('state file unreadable');
    }
    await expect(writeAuditJsonlFile(failing(), target)).rejects.toThrow('state file unreadable');
    expect(existsSync(target)).toBe(false);
    expect((await readdir(dir.path)).filter((f) => f.startsWith('failed'))).toEqual([]);
  });
});

describe('an exported log that was tampered with', () => {
  it('an edited field: names the edited event', async () => {
    await tamper((l) =>
      l.map((line, i) => (i === 6 ? line.replace('"outcome":"succeeded"', '"outcome":"failed"') : line)),
    );
    const verdict = await verifyChain(readAuditJsonl(exported));
    expect(verdict).toMatchObject({ ok: false, count: 6, head: events[5]!.hash });
    expect(verdict.firstBroken).toEqual({
      seq: 7,
      position: 7,
      reason: 'event 7 was altered: its content does not match its hash',
    });
  });

  it('an edited field given a recomputed hash: names the next link', async () => {
    await tamper((l) =>
      l.map((line, i) => {
        if (i !== 6) return line;
        const forged = { ...JSON.parse(line), actor: 'someone else' };
        return JSON.stringify({ ...forged, hash: hashEvent(forged) });
      }),
    );
    expect((await verifyChain(readAuditJsonl(exported))).firstBroken).toMatchObject({
      seq: 8,
      position: 8,
      reason: expect.stringMatching(/^event 8 does not follow from event 7/),
    });
  });

  it('an added field: names the event, as jq would', async () => {
    await tamper((l) => l.map((line, i) => (i === 2 ? line.replace('{', '{"approvedBy":"nobody",') : line)));
    expect((await verifyChain(readAuditJsonl(exported))).firstBroken).toMatchObject({
      seq: 3,
      position: 3,
      reason: 'event 3 was altered: its content does not match its hash',
    });
  });

  it('a deleted event: names the gap', async () => {
    await tamper((l) => l.filter((_, i) => i !== 4));
    expect((await verifyChain(readAuditJsonl(exported))).firstBroken).toEqual({
      seq: 6,
      position: 5,
      reason: 'event 5 is missing: event 6 comes right after event 4 (deleted or moved)',
    });
  });

  it('two events swapped: names them', async () => {
    await tamper((l) => [l[0]!, l[1]!, l[3]!, l[2]!, ...l.slice(4)]);
    expect((await verifyChain(readAuditJsonl(exported))).firstBroken).toEqual({
      seq: 4,
      position: 3,
      reason: 'events 3 and 4 are in the wrong order: event 4 comes before event 3',
    });
  });
});

describe('reading a file that is not an audit log', () => {
  async function readError(content: string): Promise<AuditFileError> {
    await writeFile(exported, content);
    const error = await collect(readAuditJsonl(exported)).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(AuditFileError);
    return error as AuditFileError;
  }

  it('names the line that is not JSON', async () => {
    const [a, b] = await lines();
    const error = await readError(`${a}\n${b}\n{"seq": 3, oops\n`);
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/^line 3 is not valid JSON \(/);
  });

  it('names an empty line and a line that is not an event', async () => {
    const [a] = await lines();
    expect((await readError(`${a}\n\n`)).message).toBe('line 2 is empty; every line of an audit log is one JSON event');
    const noSeq = JSON.stringify({ ...JSON.parse(a!), seq: undefined });
    expect((await readError(`${noSeq}\n`)).message).toBe(
      'line 1 is not an audit event: "seq" must be a whole number from 1',
    );
    expect((await readError('[1, 2]\n')).message).toBe('line 1 is not an audit event: it is not a JSON object');
  });

  it('accepts CRLF line ends and a byte-order mark', async () => {
    await writeFile(exported, `\uFEFF${(await lines()).join('\r\n')}\r\n`);
    expect(await verifyChain(readAuditJsonl(exported))).toMatchObject({ ok: true, count: 10 });
  });

  it('says when the file cannot be read', async () => {
    const error = await collect(readAuditJsonl(join(dir.path, 'nope.jsonl'))).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AuditFileError);
    expect((error as AuditFileError).message).toBe('cannot read the audit log: ENOENT');
  });
});
