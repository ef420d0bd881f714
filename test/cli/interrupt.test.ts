/**
 * Ctrl-C on the command line: the first SIGINT stops new work, records what was in flight
 * and ends the run as interrupted; a second one exits at once with 130.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import { seedSource } from '../app/helpers.ts';
import { writeTestPlan, type PlanFixture } from './plan-fixture.ts';
import { startCli, waitFor } from './run-cli.ts';

let dir: string;
let plan: PlanFixture;
const OBJECTS = 120;

const copyArgs = (state: string, bandwidth = '60KiB/s', ...extra: string[]) => [
  'copy',
  '--plan',
  plan.file,
  '--state',
  join(dir, state),
  '--evidence',
  join(dir, 'evidence'),
  '--bandwidth',
  bandwidth,
  ...extra,
  '--json',
];

async function copiedSoFar(state: string): Promise<number> {
  if (!existsSync(join(dir, state))) return 0;
  const store = await openSqliteStateStore(join(dir, state));
  try {
    return (await store.countObjects('one')).copied.objects;
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-interrupt-'));
  plan = await writeTestPlan(dir, ['one']);
  await seedSource(plan, 'one', OBJECTS, 2048);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('Ctrl-C during a copy', () => {
  it('the first SIGINT ends the run as interrupted, with the objects copied so far kept', async () => {
    const { child, done } = startCli(copyArgs('once.db'), plan.env);
    await waitFor('some copied objects', async () => (await copiedSoFar('once.db')) >= 5);
    child.kill('SIGINT');
    const r = await done;
    // The shell's convention for a command stopped by Ctrl-C; the note goes to stderr, the report to stdout.
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('SIGINT: stopping after the work in flight');
    expect(r.stdout).not.toContain('SIGINT');
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: false, interrupted: true });
    const copied = await copiedSoFar('once.db');
    expect(copied).toBeGreaterThanOrEqual(5);
    expect(copied).toBeLessThan(OBJECTS);
    const store = await openSqliteStateStore(join(dir, 'once.db'));
    try {
      expect((await store.listRuns()).find((run) => run.id === report.runId)?.outcome).toBe('interrupted');
    } finally {
      await store.close();
    }
  });

  it('a second SIGINT exits at once with 130', async () => {
    // Slow enough that the objects in flight after the first SIGINT take seconds to land:
    // the second one must find the run still stopping, whatever the machine's load.
    const { child, done } = startCli(copyArgs('twice.db', '4KiB/s', '--concurrency', '4'), plan.env);
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitFor('some copied objects', async () => (await copiedSoFar('twice.db')) >= 5);
    child.kill('SIGINT');
    // Only once the first is handled: two signals sent together may arrive as one.
    await waitFor('the first SIGINT handled', async () => stderr.includes('SIGINT: stopping after the work in flight'));
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stdout).toBe('');
  });
});
