import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { seedSource } from '../app/helpers.ts';
import { writeTestPlan, type PlanFixture } from './plan-fixture.ts';
import { runCli, startCli, waitFor } from './run-cli.ts';

let dir: string;
let plan: PlanFixture;
let slowPlan: string;
const marker = () => join(dir, 'switch-started.json');

const common = () => ['--state', join(dir, 'state.db'), '--hook-state-dir', join(dir, 'hooks')];
const waiver = ['--waive-parity', 'CLI test: no stacks deployed'];
const cli = (args: string[], planFile = plan.file) => runCli([...args, '--plan', planFile], plan.env);
const statusOf = async () =>
  JSON.parse(
    (await runCli(['status', '--plan', plan.file, '--state', join(dir, 'state.db'), '--json'], plan.env)).stdout,
  );

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-cutover-'));
  plan = await writeTestPlan(dir, ['one']);
  await seedSource(plan, 'one', 5, 2000);
  // A switch hook that announces itself, then hangs: the copier is killed while it runs.
  const slow = join(dir, 'slow-switch.mjs');
  await writeFile(
    slow,
    `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker())}, JSON.stringify({ pid: process.pid }));\nsetTimeout(() => {}, 120_000);\n`,
  );
  const doc = parseDocument(await readFile(plan.file, 'utf8'));
  doc.setIn(['hooks', 'switch'], resolve(slow));
  slowPlan = join(dir, 'slow-plan.yaml');
  await writeFile(slowPlan, doc.toString());
  for (const args of [['copy'], ['verify', '--mode', 'full']]) {
    const r = await runCli(
      [...args, '--plan', plan.file, '--state', join(dir, 'state.db'), '--evidence', join(dir, 'evidence'), '--json'],
      plan.env,
    );
    expect(r.code, r.stderr).toBe(0);
  }
  await new Promise((r) => setTimeout(r, 1100)); // the freeze comes in a later second than the seeding
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('cloudexit cutover / rollback / status', () => {
  it("refuses to start without every owner's go, and status shows the gates", async () => {
    const r = await cli(['cutover', '--phase', '1', ...common()]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /✗ approvals: waiting for the go of decision maker \(A\), ops lead \(B\), data owner \(C\), data protection officer \(D\)/,
    );
    expect(r.stdout).toMatch(/✓ bulk-copy/);
    const status = await statusOf();
    expect(status.phases[0]).toMatchObject({
      id: 1,
      state: 'planned',
      failed: { step: 'preflight' },
      copiedObjects: 5,
      verifiedFullObjects: 5,
    });
    expect(status.window).toMatchObject({ closesOn: '2026-12-21', deadline: '2026-12-16' });
  });

  it('records approvals by role or by name with who gave them, and refuses a stranger', async () => {
    const approveAs = (who: string, person: string) =>
      cli(['cutover', '--phase', '1', '--approve', who, '--as', person, ...common()]);
    for (const [who, person] of [
      ['decisionMaker', 'Alice Durand'],
      ['B', 'Bruno Petit'],
      ['dataOwner', 'Chloé Moreau'],
    ] as const)
      expect((await approveAs(who, person)).code).toBe(0);
    const stranger = await approveAs('Mallory', 'Mallory');
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toMatch(/"Mallory" is not an owner of phase 1/);
    const nameless = await cli(['cutover', '--phase', '1', '--approve', 'dpo', ...common()]);
    expect(nameless.code).toBe(2);
    expect(nameless.stderr).toMatch(/--approve needs --as/);
    // One person cannot hold two roles of one phase.
    const twice = await approveAs('dpo', 'alice durand');
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/alice durand already gave the go of phase 1 as decisionMaker/);
    const last = await approveAs('dpo', 'Diane Roux');
    expect(last.stdout).toContain('every owner has given their go');
    const audit = await runCli(['audit', 'export', '--plan', plan.file, '--state', join(dir, 'state.db')], plan.env);
    const approvals = audit.stdout
      .split('\n')
      .filter((l) => l.includes('"approve"'))
      .map((l) => JSON.parse(l).details);
    expect(approvals.at(-1)).toMatchObject({
      role: 'dpo',
      owner: 'D',
      person: 'Diane Roux',
      osUser: expect.any(String),
      host: expect.any(String),
    });
  });

  it('killed during the switch hook, resumes at the switch, stops before the commit, then commits with --commit; then rollback refuses', async () => {
    const { child, done } = startCli(
      ['cutover', '--phase', '1', '--plan', slowPlan, ...common(), ...waiver, '--no-progress'],
      plan.env,
    );
    // Started means its pid is written whole: the file can exist a moment before its content does.
    const hookPid = async (): Promise<number | undefined> => {
      if (!existsSync(marker())) return undefined;
      try {
        return (JSON.parse(await readFile(marker(), 'utf8')) as { pid: number }).pid;
      } catch {
        return undefined;
      }
    };
    await waitFor('the switch hook to start', async () => (await hookPid()) !== undefined);
    child.kill('SIGKILL');
    await done;
    // The hook runs in its own process group: it outlives the killed copier, as it would after a crash.
    process.kill((await hookPid())!, 'SIGKILL');

    const midway = await statusOf();
    expect(midway.phases[0]).toMatchObject({ state: 'in-progress', lastStep: 'verify' });

    const resumed = await cli(['cutover', '--phase', '1', ...common(), ...waiver, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({
      state: 'in-progress',
      ran: ['switch', 'smoke-check'],
      awaitingCommit: true,
    });
    const waiting = await cli(['cutover', '--phase', '1', ...common(), ...waiver]);
    expect(waiting.code).toBe(0);
    expect(waiting.stdout).toMatch(
      /stopped before the commit, the point of no return: commit with `cloudexit cutover --phase 1 --commit`/,
    );
    const committed = await cli(['cutover', '--phase', '1', ...common(), ...waiver, '--commit', '--json']);
    expect(committed.code, committed.stderr).toBe(0);
    expect(JSON.parse(committed.stdout)).toMatchObject({ state: 'committed', ran: ['commit'] });
    const pointer = JSON.parse(await readFile(join(dir, 'hooks', 'emc2', 'phase-1.pointer.json'), 'utf8'));
    expect(pointer.serving).toBe('target');

    const rollback = await cli(['rollback', '--phase', '1', ...common()]);
    expect(rollback.code).toBe(1);
    expect(rollback.stdout).toMatch(/point of no return/);
    expect((await statusOf()).phases[0].state).toBe('committed');

    const audit = await runCli(
      ['audit', 'verify', '--plan', plan.file, '--state', join(dir, 'state.db'), '--json'],
      plan.env,
    );
    expect(audit.code, audit.stdout).toBe(0);
  });
});
