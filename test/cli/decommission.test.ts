/**
 * `cloudexit decommission` as an operator runs it, in a child process: the two goes, a run
 * killed with SIGKILL in the middle of the deletions (a proxy in front of Azurite holds the
 * 21st delete so the kill lands there, not by timing), the re-run that finishes, and the
 * deletion certificate checked with the real `jq` and `sha256sum` against the exported audit
 * log, as an auditor would. The clock is fixed by CLOUDEXIT_NOW relative to the recorded
 * commit, never to today's date.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createAzureEraser } from '../../src/stores/azure-erase.ts';
import { seedSource } from '../app/helpers.ts';
import { commitPhase, editPlan, type CommittedPhase } from '../decommission/committed-phase.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { runCli, startCli, waitFor } from './run-cli.ts';

const DAY_MS = 86_400_000;
const BLOBS = 60;
let dir: string;
let phase: CommittedPhase;
let proxy: FaultProxy;

async function sourceCount(): Promise<number> {
  const azurite = inject('azurite');
  const eraser = createAzureEraser({
    endpoint: azurite.endpoint,
    container: phase.plan.names.get('lot')!.container,
    credential: { kind: 'key', accountName: azurite.accountName, accountKey: azurite.accountKey },
  });
  let n = 0;
  for await (const _ of eraser.list('')) n++;
  return n;
}

const common = () => ['--plan', phase.plan.file, '--state', phase.options().state, '--evidence', join(dir, 'evidence')];
const env = (days: number) => ({
  ...phase.plan.env,
  CLOUDEXIT_NOW: new Date(Date.parse(phase.committedAt) + days * DAY_MS).toISOString(),
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-cli-decommission-'));
  const azurite = new URL(inject('azurite').endpoint);
  proxy = await startFaultProxy(azurite.origin);
  phase = await commitPhase(dir, ['lot'], async (plan) => {
    await seedSource(plan, 'lot', BLOBS, 300);
    // The plan reaches the source through the proxy (the same Azurite behind it) from the start:
    // the state is bound to the source endpoint.
    await editPlan(plan.file, [
      [['source', 'endpoint'], `${proxy.origin}${azurite.pathname}`],
      [['hypercareDays'], 7],
    ]);
  });
}, 180_000);
afterAll(async () => {
  await proxy?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('cloudexit decommission', () => {
  it('refuses bad input with exit 2, naming it, and creates no state', async () => {
    const fresh = join(dir, 'fresh.db');
    const unknown = await runCli(['decommission', '--phase', '9', '--plan', phase.plan.file, '--state', fresh], env(8));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/phase 9/);
    const early = await runCli(
      ['decommission', '--phase', '1', '--approve', 'dpo', '--as', 'Yann', '--plan', phase.plan.file, '--state', fresh],
      env(8),
    );
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/phase 1 is not committed: there is no state for it yet/);
    const role = await runCli(
      ['decommission', '--phase', '1', '--approve', 'opsLead', '--as', 'Ops', ...common()],
      env(8),
    );
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/takes the go of decisionMaker and dpo/);
    expect(existsSync(fresh)).toBe(false);
  }, 60_000);

  it('is refused with exit 1 and the gates before the goes, and takes the goes with --approve --as', async () => {
    const early = await runCli(['decommission', '--phase', '1', ...common()], env(8));
    expect(early.code, early.stderr).toBe(1);
    expect(early.stdout).toMatch(/✗ approvals: waiting for the decommission go of decision maker \(A\)/);
    const noName = await runCli(['decommission', '--phase', '1', '--approve', 'dpo', ...common()], env(8));
    expect(noName.code).toBe(2);
    expect(noName.stderr).toMatch(/--approve needs --as/);
    for (const [role, name] of [
      ['decisionMaker', 'Claire Martin'],
      ['dpo', 'Yann Le Goff'],
    ]) {
      const r = await runCli(['decommission', '--phase', '1', '--approve', role!, '--as', name!, ...common()], env(8));
      expect(r.code, r.stderr).toBe(0);
    }
    const hypercare = await runCli(['decommission', '--phase', '1', '--json', ...common()], env(6.5));
    expect(hypercare.code).toBe(1);
    expect(JSON.parse(hypercare.stdout)).toMatchObject({ outcome: 'no-go', datasets: [] });
    expect(await sourceCount()).toBe(BLOBS);
  }, 60_000);

  it('killed with SIGKILL in the middle of the deletions, finishes when run again', async () => {
    let deletes = 0;
    proxy.inject({ method: 'DELETE', path: () => ++deletes > 20, times: 1_000, fault: { kind: 'hang' } });
    const { child, done } = startCli(['decommission', '--phase', '1', '--json', ...common()], env(8));
    await waitFor('a held delete', async () => deletes > 20);
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    const left = await sourceCount();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(BLOBS);
    expect(existsSync(join(dir, 'evidence', 'decommission', 'lot.listed-before.json'))).toBe(true);
    expect(existsSync(join(dir, 'evidence', 'decommission', 'lot.certificate.json'))).toBe(false);

    proxy.reset();
    const again = await runCli(['decommission', '--phase', '1', '--json', ...common()], env(8));
    expect(again.code, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout);
    expect(report).toMatchObject({ outcome: 'done', objectsLeftAtSource: 0 });
    expect(report.datasets[0]).toMatchObject({ dataset: 'lot', outcome: 'decommissioned', objectsLeftAtSource: 0 });
    expect(await sourceCount()).toBe(0);

    const third = await runCli(['decommission', '--phase', '1', '--json', ...common()], env(9));
    expect(third.code).toBe(0);
    expect(JSON.parse(third.stdout).datasets[0].outcome).toBe('already-decommissioned');
  }, 120_000);

  it('leaves a certificate an auditor checks with jq and sha256sum against the audit export', async () => {
    const certificate = join(dir, 'evidence', 'decommission', 'lot.certificate.json');
    const auditFile = join(dir, 'audit.jsonl');
    const exported = await runCli(['audit', 'export', '--out', auditFile, ...common().slice(0, 4)], phase.plan.env);
    expect(exported.code, exported.stderr).toBe(0);
    const [sum] = execFileSync('sha256sum', [certificate], { encoding: 'utf8' }).split(/\s+/);
    const recorded = execFileSync(
      'jq',
      ['-r', 'select(.step == "decommission" and .outcome == "succeeded") | .details.certificateSha256', auditFile],
      { encoding: 'utf8' },
    ).trim();
    expect(recorded).toBe(sum);
    const facts = execFileSync(
      'jq',
      [
        '-c',
        '{before: .listedBefore.count, deleted: .deleted.count, left: .remaining.objectsLeftAtSource, goneAt}',
        certificate,
      ],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(facts)).toEqual({
      before: BLOBS,
      deleted: BLOBS,
      left: 0,
      goneAt: env(8).CLOUDEXIT_NOW,
    });
    // `jq -e` exits non-zero when the condition is false: the auditor's one-line check.
    execFileSync('jq', ['-e', '.remaining.items == [] and .verifiedBeforeDeletion.mode == "full"', certificate]);
  }, 60_000);

  it('shows in status, per dataset, the day the last copy at the source was gone', async () => {
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(env(8).CLOUDEXIT_NOW));
    const text = await runCli(['status', ...common().slice(0, 4)], env(9));
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`lot: last copy at the source gone on ${day}`);
    const json = await runCli(['status', '--json', ...common().slice(0, 4)], env(9));
    expect(JSON.parse(json.stdout).phases[0].decommission).toEqual([
      { dataset: 'lot', goneAt: env(8).CLOUDEXIT_NOW, sentence: `last copy at the source gone on ${day}` },
    ]);
  }, 60_000);
});
