/**
 * What the engine may rely on about a target comes from a probe of that target: `copy`
 * probes a target before its first write (recording it in the state and the audit log),
 * does not probe it again, probes again when the plan's endpoint changes, and the plan's
 * `etagIsMd5: false` (an SSE-KMS bucket) still wins over what was measured.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { copy } from '../../src/app/copy.ts';
import { probe } from '../../src/app/probe.ts';
import { verify } from '../../src/app/verify.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { writeTestPlan } from '../cli/plan-fixture.ts';
import { seedSource } from './helpers.ts';

let dir: string;
let proxy: FaultProxy;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-app-probe-'));
  proxy = await startFaultProxy(inject('rgw').endpoint);
});
afterAll(async () => {
  await proxy.close();
  await rm(dir, { recursive: true, force: true });
});

async function probeEvents(state: string): Promise<{ target: string; multipart: string }[]> {
  const store = await openSqliteStateStore(state);
  try {
    const events = [];
    for await (const e of store.iterateAudit()) {
      if (e.step === 'probe')
        events.push({
          target: String(e.details['target']),
          multipart: String((e.details['capabilities'] as { etag: { multipart: string } }).etag.multipart),
        });
    }
    return events;
  } finally {
    await store.close();
  }
}

describe('target capabilities', () => {
  it('copy probes RGW once, records it, copies and verifies by what was measured, and probes again when the endpoint changes', async () => {
    const folder = join(dir, 'rgw');
    await mkdir(join(folder, 'moved'), { recursive: true });
    const plan = await writeTestPlan(folder, ['one'], {}, { server: 'rgw' });
    await seedSource(plan, 'one', 3);
    const state = join(folder, 'state.db');
    const first = await copy({ plan: plan.file, state, env: plan.env });
    expect([first.ok, first.copied]).toEqual([true, 3]);
    const events = await probeEvents(state);
    expect(events).toEqual([{ target: expect.stringContaining(inject('rgw').endpoint), multipart: 'part-md5s' }]);
    const store = await openSqliteStateStore(state);
    try {
      const recorded = await store.getProbe(events[0]!.target);
      expect(recorded?.capabilities).toMatchObject({
        metadataNames: 'underscore-to-hyphen',
        checksContentMd5: true,
        tagging: true,
        etag: { reportedAtComplete: false },
      });
      // Every one-shot object got the ETag the probed rule predicts.
      const [record] = (await store.getObjects('one', ['records/one-000.csv'])).values();
      expect(record?.expectedEtag).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      await store.close();
    }
    expect((await verify({ plan: plan.file, state, env: plan.env, mode: 'quick' })).ok).toBe(true);
    await copy({ plan: plan.file, state, env: plan.env });
    expect(await probeEvents(state)).toHaveLength(1);

    // The same bucket behind another endpoint (as after a DNS or offer change): probed again.
    const moved = await writeTestPlan(join(folder, 'moved'), ['one'], {}, { server: 'rgw', endpoint: proxy.origin });
    await copy({ plan: moved.file, state: join(folder, 'moved', 'state.db'), env: moved.env });
    expect((await probeEvents(join(folder, 'moved', 'state.db'))).map((e) => e.target)).toEqual([
      expect.stringContaining(proxy.origin),
    ]);
  });

  it("the plan's etagIsMd5: false wins over the probe: no ETag is predicted, the SHA-256 alone proves the content", async () => {
    const folder = join(dir, 'kms');
    await mkdir(folder, { recursive: true });
    const plan = await writeTestPlan(folder, ['one'], {}, { server: 'rgw', etagIsMd5: false });
    await seedSource(plan, 'one', 2);
    const state = join(folder, 'state.db');
    const report = await probe({ plan: plan.file, state, env: plan.env });
    expect(report.targets[0]?.capabilities.etag.multipart).toBe('part-md5s'); // what was measured
    expect((await copy({ plan: plan.file, state, env: plan.env })).ok).toBe(true);
    const store = await openSqliteStateStore(state);
    try {
      for (const record of (await store.getObjects('one', ['records/one-000.csv', 'records/one-001.csv'])).values())
        expect(record.expectedEtag).toBeUndefined();
    } finally {
      await store.close();
    }
    expect((await verify({ plan: plan.file, state, env: plan.env, mode: 'full' })).ok).toBe(true);

    // A dry run reads what was recorded and changes nothing: same bytes, no new run, no secret needed.
    const before = createHash('sha256')
      .update(await readFile(state))
      .digest('hex');
    const dry = await probe({ plan: plan.file, state, dryRun: true, env: {} });
    expect(dry.runId).toBeUndefined();
    expect(dry.targets.map((t) => [t.origin, t.datasets, t.capabilities.etag.multipart])).toEqual([
      ['recorded', ['one'], 'part-md5s'],
    ]);
    expect(
      createHash('sha256')
        .update(await readFile(state))
        .digest('hex'),
    ).toBe(before);
  });
});
