/**
 * Two `cutover` processes on one phase, through the real CLI, with a SQLite state and with a
 * PostgreSQL state: while the first one waits inside its switch hook, a second cutover, a
 * rollback and an approval of the phase are refused (exit 2), saying who holds it, and change
 * nothing; once the first one is killed, the next cutover takes the phase over and resumes.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { startEmbeddedCluster, type EmbeddedCluster } from '../../src/embedded/postgres.ts';
import { PHASE_LOCK_CLASS } from '../../src/state/postgres-leader.ts';
import { seedSource } from '../app/helpers.ts';
import { writeTestPlan, type PlanFixture } from './plan-fixture.ts';
import { runCli, startCli, waitFor } from './run-cli.ts';

let cluster: EmbeddedCluster;
let root: string;

beforeAll(async () => {
  cluster = await startEmbeddedCluster();
  root = await mkdtemp(join(tmpdir(), 'cloudexit-leader-'));
  const admin = new pg.Client(adminSettings('postgres'));
  await admin.connect();
  await admin.query('CREATE DATABASE cx_leader_state');
  await admin.end();
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  await rm(root, { recursive: true, force: true });
});

function adminSettings(database: string): pg.ClientConfig {
  return { host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database };
}

/** Advisory phase locks granted in the state database (a killed holder's goes once the server sees it gone). */
async function phaseLocksHeld(): Promise<number> {
  const client = new pg.Client(adminSettings('cx_leader_state'));
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid::bigint = $1",
      [PHASE_LOCK_CLASS],
    );
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

interface Scenario {
  name: string;
  /** The `--state` value, once the cluster runs. */
  state: (dir: string) => string;
  /** What the CLI needs beside the plan's secrets. */
  env: () => NodeJS.ProcessEnv;
  /** Resolves once nothing holds the lock of a killed holder any more. */
  holderGone: () => Promise<void>;
}

const scenarios: Scenario[] = [
  { name: 'SQLite', state: (dir) => join(dir, 'state.db'), env: () => ({}), holderGone: async () => {} },
  {
    name: 'PostgreSQL',
    state: () => `postgresql://${cluster.user}@${cluster.host}:${cluster.port}/cx_leader_state`,
    env: () => ({ PGPASSWORD: cluster.password }),
    holderGone: () => waitFor('the killed holder to lose its lock', async () => (await phaseLocksHeld()) === 0),
  },
];

describe.each(scenarios)('two cutovers of one phase, $name state', (scenario) => {
  let dir: string;
  let plan: PlanFixture;
  let slowPlan: string;
  const marker = () => join(dir, 'switch-started.json');
  const env = () => ({ ...plan.env, ...scenario.env() });
  const common = () => ['--state', scenario.state(dir), '--hook-state-dir', join(dir, 'hooks')];
  const waiver = ['--waive-parity', 'CLI test: no stacks deployed'];
  const cli = (args: string[], planFile = plan.file) => runCli([...args, '--plan', planFile], env());
  const auditLines = async () =>
    (await cli(['audit', 'export', '--state', scenario.state(dir)])).stdout.trim().split('\n').length;

  beforeAll(async () => {
    dir = join(root, scenario.name);
    await mkdir(dir);
    plan = await writeTestPlan(dir, ['one']);
    await seedSource(plan, 'one', 3, 1000);
    // A switch hook that announces itself, then waits: the first cutover holds the phase meanwhile.
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
      const r = await cli([...args, '--state', scenario.state(dir), '--evidence', join(dir, 'evidence')]);
      expect(r.code, r.stderr).toBe(0);
    }
    for (const [role, person] of [
      ['decisionMaker', 'Alice Durand'],
      ['opsLead', 'Bruno Petit'],
      ['dataOwner', 'Chloé Moreau'],
      ['dpo', 'Diane Roux'],
    ])
      expect((await cli(['cutover', '--phase', '1', '--approve', role!, '--as', person!, ...common()])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1100)); // the freeze comes in a later second than the seeding
  }, 180_000);

  it('refuses a second cutover, a rollback and an approval while the first runs, naming it; then takes over', async () => {
    const first = startCli(
      ['cutover', '--phase', '1', '--plan', slowPlan, ...common(), ...waiver, '--no-progress'],
      env(),
    );
    const hookPid = async (): Promise<number | undefined> => {
      if (!existsSync(marker())) return undefined;
      try {
        return (JSON.parse(await readFile(marker(), 'utf8')) as { pid: number }).pid;
      } catch {
        return undefined;
      }
    };
    await waitFor('the switch hook to start', async () => (await hookPid()) !== undefined);
    const before = await auditLines();

    const second = await cli(['cutover', '--phase', '1', ...common(), ...waiver, '--json']);
    expect(second.code).toBe(2);
    const error = JSON.parse(second.stdout).error;
    expect(error.where).toBe('phase 1');
    expect(error.message).toMatch(
      new RegExp(
        `^phase 1 is held by cutover 1 \\(pid ${first.child.pid} on ${hostname()}, since \\d{4}-\\d\\d-\\d\\dT`,
      ),
    );
    expect(error.fix).toMatch(/wait for that process to finish/);
    const rollback = await cli(['rollback', '--phase', '1', ...common()]);
    expect(rollback.code).toBe(2);
    expect(rollback.stderr).toContain(`held by cutover 1 (pid ${first.child.pid} on ${hostname()}`);
    const approval = await cli(['cutover', '--phase', '1', '--approve', 'dpo', '--as', 'Diane Roux', ...common()]);
    expect(approval.code).toBe(2);
    // Nothing recorded by the refused ones: no run, no audit event.
    expect(await auditLines()).toBe(before);
    const status = JSON.parse((await cli(['status', '--state', scenario.state(dir), '--json'])).stdout);
    expect(status.phases[0]).toMatchObject({ state: 'in-progress', lastStep: 'verify' });

    first.child.kill('SIGKILL');
    await first.done;
    process.kill((await hookPid())!, 'SIGKILL');
    await scenario.holderGone();
    // A holder that died holds nothing: the next cutover takes the phase and resumes at the switch.
    const resumed = await cli(['cutover', '--phase', '1', ...common(), ...waiver, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ ran: ['switch', 'smoke-check'], awaitingCommit: true });
    expect(second.stdout + second.stderr + resumed.stdout + resumed.stderr).not.toContain(cluster.password);
  });
});
