/** The copy use case as a library caller sees it: its report, its run record, its progress and its signal. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copy } from '../../src/app/copy.ts';
import type { ProgressSink } from '../../src/progress.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import { writeTestPlan, type PlanFixture } from '../cli/plan-fixture.ts';
import { seedSource } from './helpers.ts';

let dir: string;
let plan: PlanFixture;
const options = () => ({
  plan: plan.file,
  state: join(dir, 'state.db'),
  evidence: join(dir, 'evidence'),
  env: plan.env,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-app-copy-'));
  plan = await writeTestPlan(dir, ['one', 'two']);
  await seedSource(plan, 'one', 3);
  await seedSource(plan, 'two', 2, 500);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function runs(): Promise<
  { id: string; command: string; outcome: string | undefined; objects: number | undefined }[]
> {
  const state = await openSqliteStateStore(join(dir, 'state.db'));
  try {
    return (await state.listRuns()).map((r) => ({
      id: r.id,
      command: r.command,
      outcome: r.outcome,
      objects: r.totals?.objects,
    }));
  } finally {
    await state.close();
  }
}

describe('copy()', () => {
  it('an aborted signal stops before any work: an interrupted report and an interrupted run', async () => {
    const report = await copy({ ...options(), signal: AbortSignal.abort() });
    expect(report).toMatchObject({ ok: false, interrupted: true, copied: 0, failed: 0, datasets: [], databases: [] });
    expect(await runs()).toEqual([{ id: report.runId, command: 'copy', outcome: 'interrupted', objects: 0 }]);
  });

  it('reports per dataset what the CLI prints as JSON, with the manifest, and reports progress to the sink given', async () => {
    const stages: string[] = [];
    let grown = 0;
    const progress: ProgressSink = {
      start: (stage) => stages.push(stage),
      // The listing feeds the copy: its totals grow as work is found.
      grow: (delta) => (grown += delta.objects ?? 0),
      advance() {},
      note() {},
      stop() {},
    };
    const report = await copy({ ...options(), progress });
    expect(Object.keys(report).sort()).toEqual([
      'bytesCopied',
      'conflicts',
      'copied',
      'databases',
      'datasets',
      'failed',
      'interrupted',
      'ok',
      'runId',
      'skipped',
    ]);
    expect(report).toMatchObject({
      ok: true,
      interrupted: false,
      copied: 5,
      bytesCopied: 3 * 2000 + 2 * 500,
      failed: 0,
      databases: [],
    });
    expect(report.runId).toMatch(/\S/);
    expect(report.datasets.map((d) => d.dataset)).toEqual(['one', 'two']);
    const [one] = report.datasets;
    expect(Object.keys(one!).sort()).toEqual([
      'alreadyCopied',
      'bytesCopied',
      'conflicts',
      'copied',
      'dataset',
      'failed',
      'inventory',
      'manifest',
      'partsResumed',
      'vanished',
    ]);
    expect(one).toMatchObject({
      copied: 3,
      alreadyCopied: 0,
      partsResumed: 0,
      failed: [],
      conflicts: [],
      vanished: [],
      inventory: { objects: 3, added: 3 },
    });
    expect(one!.manifest).toMatchObject({
      dataset: 'one',
      file: join(dir, 'evidence', 'one', 'manifest.sha256'),
      entries: 3,
    });
    expect((await readFile(one!.manifest!.file, 'utf8')).trimEnd().split('\n')).toHaveLength(3);
    // One stage per dataset: the inventory runs inside the copy's.
    expect(stages).toEqual(['copy one', 'copy two']);
    expect(grown).toBe(report.copied);
    expect((await runs()).find((r) => r.id === report.runId)).toEqual({
      id: report.runId,
      command: 'copy',
      outcome: 'succeeded',
      objects: 5,
    });
  });

  it('without inventory, copies only what the state lists: nothing new here', async () => {
    const report = await copy({ ...options(), dataset: ['two'], inventory: false });
    expect(report).toMatchObject({ ok: true, copied: 0 });
    expect(report.datasets[0]).toMatchObject({ dataset: 'two', alreadyCopied: 2, inventory: undefined });
  });
});
