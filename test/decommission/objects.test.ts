/**
 * The decommission of a committed phase's object datasets, end to end on Azurite (source)
 * and s3rver or Ceph RGW (target): its gates (commit, its own go from the decision maker and
 * the DPO, the hypercare days, on an injected clock), the refusal of a dataset whose target
 * fails its full verify, the refusal of a dataset whose source holds an object cloudexit did
 * not copy and verify, and the erasure of a good dataset with its snapshots, certified.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { approveDecommission, decommission } from '../../src/app/decommission.ts';
import { EXIT, UserError } from '../../src/errors.ts';
import { fixedClock } from '../../src/plan/clock.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import { createAzureEraser } from '../../src/stores/azure-erase.ts';
import { seedSource } from '../app/helpers.ts';
import { bytesOf } from '../engine/harness.ts';
import {
  commitPhase,
  phaseRecord,
  putObject,
  sourceStore,
  targetStore,
  type CommittedPhase,
} from './committed-phase.ts';

const DAY_MS = 86_400_000;

function container(phase: CommittedPhase, dataset: string): ContainerClient {
  const azurite = inject('azurite');
  return new ContainerClient(
    `${azurite.endpoint}/${phase.plan.names.get(dataset)!.container}`,
    new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey),
  );
}

/** Everything Azurite lists in the dataset's container: blobs and snapshots. */
async function listed(phase: CommittedPhase, dataset: string): Promise<string[]> {
  const azurite = inject('azurite');
  const eraser = createAzureEraser({
    endpoint: azurite.endpoint,
    container: phase.plan.names.get(dataset)!.container,
    credential: { kind: 'key', accountName: azurite.accountName, accountKey: azurite.accountKey },
  });
  const out: string[] = [];
  for await (const e of eraser.list('')) out.push(`${e.kind} ${e.key}`);
  return out.sort();
}

describe.each(['s3rver', 'rgw'] as const)('decommission of object datasets, target on %s', (server) => {
  let dir: string;
  let phase: CommittedPhase;
  const at = (days: number) => fixedClock(new Date(Date.parse(phase.committedAt) + days * DAY_MS).toISOString());

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudexit-decommission-'));
    phase = await commitPhase(
      dir,
      ['good', 'corrupt', 'extra'],
      async (plan) => {
        await seedSource(plan, 'good', 4);
        await seedSource(plan, 'corrupt', 2);
        await seedSource(plan, 'extra', 2);
      },
      server,
    );
    // A snapshot of one blob of the good dataset: it must go with its blob.
    await container(phase, 'good').getBlobClient('records/good-000.csv').createSnapshot();
  }, 180_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is no-go before its own go and the hypercare days, and deletes nothing', async () => {
    const report = await decommission({ ...phase.options(), phase: 1, clock: at(1) });
    expect(report.outcome).toBe('no-go');
    expect(report.gates.map((g) => [g.gate, g.ok])).toEqual([
      ['committed', true],
      ['approvals', false],
      ['hypercare', false],
    ]);
    expect(report.gates[1]!.detail).toMatch(/decision maker \(A\), data protection officer \(D\)/);
    expect(report.gates[2]!.detail).toMatch(/hypercare of 14 days runs until/);
    expect(await listed(phase, 'good')).toHaveLength(5);
  });

  it('takes the go of the decision maker and the DPO only, one person each', async () => {
    const refused = approveDecommission({ ...phase.options(), phase: 1, owner: 'opsLead', as: 'Ops' });
    await expect(refused).rejects.toThrow(UserError);
    await expect(refused).rejects.toMatchObject({ exitCode: EXIT.usage });
    await approveDecommission({ ...phase.options(), phase: 1, owner: 'decisionMaker', as: 'Claire Martin' });
    const twice = approveDecommission({ ...phase.options(), phase: 1, owner: 'dpo', as: 'claire martin' });
    await expect(twice).rejects.toThrow(/already gave the decommission go/);
    const given = await approveDecommission({ ...phase.options(), phase: 1, owner: 'dpo', as: 'Yann Le Goff' });
    expect(given.missing).toEqual([]);
    // Still inside the hypercare: no-go, nothing deleted.
    const early = await decommission({ ...phase.options(), phase: 1, clock: at(13.9) });
    expect(early.outcome).toBe('no-go');
    expect(early.gates.find((g) => !g.ok)?.gate).toBe('hypercare');
    expect(await listed(phase, 'good')).toHaveLength(5);
  });

  it('after the hypercare, erases the good dataset and refuses the two others with the keys named', async () => {
    // The target of `corrupt` is changed behind cloudexit's back: its full verify must fail.
    await putObject(targetStore(phase.plan, 'corrupt', server), 'records/corrupt-001.csv', bytesOf('tampered', 2000));
    // A blob written at the source of `extra` after the commit was never copied nor verified.
    await putObject(sourceStore(phase.plan, 'extra'), 'late/arrival.csv', bytesOf('late', 100));

    const report = await decommission({ ...phase.options(), phase: 1, clock: at(14) });
    expect(report.outcome).toBe('refused');
    const [good, corrupt, extra] = report.datasets;
    expect(good).toMatchObject({ dataset: 'good', outcome: 'decommissioned', objectsLeftAtSource: 0 });
    expect(corrupt).toMatchObject({ dataset: 'corrupt', outcome: 'refused', keys: ['records/corrupt-001.csv'] });
    expect(corrupt?.outcome === 'refused' && corrupt.reason).toMatch(/failed its full verify/);
    expect(extra).toMatchObject({ dataset: 'extra', outcome: 'refused', keys: ['late/arrival.csv'] });
    expect(extra?.outcome === 'refused' && extra.reason).toMatch(
      /not verified in full on the target with the same ETag/,
    );

    expect(await listed(phase, 'good')).toEqual([]);
    expect(await listed(phase, 'corrupt')).toEqual([
      'current records/corrupt-000.csv',
      'current records/corrupt-001.csv',
    ]);
    expect(await listed(phase, 'extra')).toHaveLength(3);

    const record = await phaseRecord(phase.options().state);
    expect(record!.decommissioned).toEqual([
      {
        dataset: 'good',
        kind: 'objects',
        goneAt: at(14).now().toISOString(),
        residualUntil: undefined,
        objectsLeftAtSource: 0,
        certificate: join('decommission', 'good.certificate.json'),
        certificateSha256: good!.outcome !== 'refused' ? good!.certificateSha256 : 'no',
      },
    ]);
    const text = await readFile(join(dir, 'evidence', 'decommission', 'good.certificate.json'));
    expect(createHash('sha256').update(text).digest('hex')).toBe(record!.decommissioned![0]!.certificateSha256);
    const certificate = JSON.parse(text.toString());
    expect(certificate.listedBefore.count).toBe(5);
    expect(certificate.listedBefore.items.filter((i: { kind: string }) => i.kind === 'snapshot')).toHaveLength(1);
    expect(certificate.deleted.count).toBe(5);
    expect(certificate.remaining).toMatchObject({ count: 0, objectsLeftAtSource: 0 });
    expect(certificate.verifiedBeforeDeletion).toMatchObject({ mode: 'full', verified: 4 });

    const state = await openSqliteStateStore(phase.options().state);
    try {
      const events = [];
      for await (const e of state.iterateAudit()) if (e.step === 'decommission') events.push(e);
      expect(events.map((e) => e.outcome)).toEqual(['no-go', 'no-go', 'succeeded', 'refused', 'refused']);
      expect(events[2]!.details).toMatchObject({
        dataset: 'good',
        certificateSha256: good!.outcome !== 'refused' && good!.certificateSha256,
      });
    } finally {
      await state.close();
    }
  }, 120_000);

  it('run again, leaves the certified dataset alone and still refuses the others', async () => {
    const report = await decommission({ ...phase.options(), phase: 1, clock: at(15) });
    expect(report.datasets.map((d) => [d.dataset, d.outcome])).toEqual([
      ['good', 'already-decommissioned'],
      ['corrupt', 'refused'],
      ['extra', 'refused'],
    ]);
    expect(await listed(phase, 'extra')).toHaveLength(3);
  }, 120_000);
});
