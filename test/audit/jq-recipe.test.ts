/**
 * The auditor's recipes in docs/audit.md, run word for word with the real `jq` and
 * `sha256sum` against a real export: if the documentation and the code ever disagree on
 * the canonical form, this fails.
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashEvent } from '../../src/audit/chain.ts';
import { writeAuditJsonlFile } from '../../src/audit/jsonl.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import type { AuditEvent } from '../../src/audit/event.ts';
import { tempDir } from '../state/helpers.ts';
import { sampleInput } from './helpers.ts';

/** The ```sh block following `<!-- recipe: name -->` in docs/audit.md. */
async function recipe(name: string): Promise<string> {
  const doc = await readFile('docs/audit.md', 'utf8');
  const match = doc.match(new RegExp(`<!-- recipe: ${name} -->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\``));
  if (!match) throw new Error(`docs/audit.md has no "${name}" recipe`);
  return match[1]!;
}

/** Strings jq is most likely to print differently from a naive serializer. */
const AWKWARD_DETAILS: Record<string, unknown>[] = [
  { quote: 'say "hi" \\ back', controls: '\b\t\n\f\r\u0001\u001f\u007f', slash: 'a/b', sep: 'line\u2028para\u2029' },
  { '😀': 'astral key', '\uffff': 'last BMP key', é: 'accented key', Z: 'upper', a: 'lower', '': 'empty key' },
  { rate: 412.5, tiny: 1e-7, huge: 2 ** 60, negative: -17, zero: -0, lone: 'x\ud800y' },
  { nested: { z: [{ b: 1, a: [true, false, null] }], a: {} }, list: [] },
  {},
];

let dir: Awaited<ReturnType<typeof tempDir>>;
let events: AuditEvent[];
let original: string;

beforeAll(async () => {
  try {
    execFileSync('jq', ['--version']);
  } catch {
    throw new Error('jq is not installed: the auditor recipe is tested with it (apt-get install jq)');
  }
  dir = await tempDir();
  const store = await openSqliteStateStore(join(dir.path, 'state.db'));
  events = [];
  for (let i = 1; i <= 10; i++)
    events.push(await store.appendAudit(sampleInput(i, { details: AWKWARD_DETAILS[i % AWKWARD_DETAILS.length]! })));
  await writeAuditJsonlFile(store.iterateAudit(), join(dir.path, 'audit.jsonl'));
  await store.close();
  original = await readFile(join(dir.path, 'audit.jsonl'), 'utf8');
});

afterAll(() => dir?.remove());

function sh(script: string): string {
  return execFileSync('sh', ['-c', script], { cwd: dir.path, encoding: 'utf8' });
}

async function withLog(change: (lines: string[]) => string[]): Promise<void> {
  await writeFile(join(dir.path, 'audit.jsonl'), `${change(original.split('\n').slice(0, -1)).join('\n')}\n`);
}

describe('the documented jq + sha256sum recipe', () => {
  it('recomputes the recorded hash of every event, one line at a time', async () => {
    const oneEvent = await recipe('one event');
    expect(oneEvent).toContain("sed -n 7p audit.jsonl | jq -cS 'del(.hash)' | sha256sum");
    await withLog((lines) => lines);
    for (const [i, event] of events.entries()) {
      const [recomputed, recorded] = sh(oneEvent.replaceAll('7p', `${i + 1}p`)).split('\n');
      expect(recomputed).toBe(`${event.hash}  -`);
      expect(recorded).toBe(event.hash);
    }
  });

  it('prints only the head for an intact log', async () => {
    await withLog((lines) => lines);
    expect(sh(await recipe('whole log'))).toBe(`${events[9]!.hash}\n`);
  });

  it('names the line of an edited event', async () => {
    await withLog((lines) =>
      lines.map((l, i) => (i === 3 ? l.replace('"outcome":"succeeded"', '"outcome":"refused"') : l)),
    );
    expect(sh(await recipe('whole log'))).toMatch(/^4c4\n/);
  });

  it('names the line after a deleted event', async () => {
    await withLog((lines) => lines.filter((_, i) => i !== 4));
    expect(sh(await recipe('whole log'))).toContain('line 5: event 6 does not follow the event before it\n');
  });

  it('names swapped events', async () => {
    await withLog((lines) => [lines[0]!, lines[1]!, lines[3]!, lines[2]!, ...lines.slice(4)]);
    expect(sh(await recipe('whole log'))).toContain(
      'line 3: event 4 does not follow the event before it\nline 4: event 3 does not follow',
    );
  });

  it('names the link after an event that was edited and re-hashed', async () => {
    await withLog((lines) =>
      lines.map((l, i) => {
        if (i !== 6) return l;
        const forged = { ...JSON.parse(l), actor: 'someone else' };
        return JSON.stringify({ ...forged, hash: hashEvent(forged) });
      }),
    );
    const out = sh(await recipe('whole log'));
    expect(out).not.toMatch(/^\d+c\d+/m);
    expect(out).toContain('line 8: event 8 does not follow the event before it\n');
  });
});
