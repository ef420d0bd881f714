import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyDataset } from '../../src/engine/copy.ts';
import type { EngineDataset } from '../../src/engine/context.ts';
import { md5 } from '../../src/engine/hashing.ts';
import { verifyDataset } from '../../src/engine/verify.ts';
import { recordApproval } from '../../src/cutover/approve.ts';
import { runCutover, type CutoverDeps, type HookName, type HookOutcome } from '../../src/cutover/machine.ts';
import { rollbackPhase } from '../../src/cutover/rollback.ts';
import { systemClock } from '../../src/plan/clock.ts';
import type { Hooks, Phase } from '../../src/plan/schema.ts';
import type { AuditEvent } from '../../src/audit/event.ts';
import { CUTOVER_STEPS, type PhaseRecord } from '../../src/phase-record.ts';
import { bytesOf, createHarness, type Harness } from '../engine/harness.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { freshS3Store, s3rverOrigin } from '../support/stores.ts';

const PHASE: Phase = {
  id: 2,
  name: 'Hospital data',
  datasets: ['ds'],
  plannedCutover: '2026-12-07',
  owners: { decisionMaker: 'Programme director', opsLead: 'Ops lead', dataOwner: 'Data steward', dpo: 'DPO' },
};
const HOOKS: Hooks = {
  freeze: 'f.mjs',
  thaw: 't.mjs',
  switch: 's.mjs',
  smokeCheck: 'c.mjs',
  rollback: 'r.mjs',
  timeoutSeconds: 60,
};
const CLEAN_PARITY = { equivalent: true, differing: [], gaps: [], file: 'parity.json' };

/** Our hook runner's seam: records calls, fails on demand, can act on the world (write to the source). */
function hookRecorder() {
  const calls: HookName[] = [];
  const failOn = new Set<HookName>();
  const actions = new Map<HookName, () => Promise<void>>();
  const run = async (name: HookName): Promise<HookOutcome> => {
    calls.push(name);
    await actions.get(name)?.();
    if (failOn.has(name)) throw new Error(`${name} hook exited with code 3: simulated failure`);
    return { script: `${name}.mjs`, exitCode: 0, stdout: `${name} done`, stderr: '' };
  };
  return { calls, failOn, actions, run };
}

let h: Harness;
let hooks: ReturnType<typeof hookRecorder>;

async function deps(dataset: EngineDataset = h.dataset): Promise<CutoverDeps> {
  return {
    state: h.state,
    phase: PHASE,
    datasets: [dataset],
    ctx: await h.context(),
    hooks: HOOKS,
    runHook: hooks.run,
    parity: CLEAN_PARITY,
    commit: true,
    // The recorded hooks are names only: no file to look for.
    hookExists: () => true,
    clock: systemClock,
    actor: 'tester',
  };
}

async function approveAll(): Promise<void> {
  for (const role of ['decisionMaker', 'opsLead', 'dataOwner', 'dpo']) {
    await recordApproval({ state: h.state, phase: PHASE, clock: systemClock, actor: 'tester' }, role);
  }
}

async function auditTrail(): Promise<string[]> {
  const events: AuditEvent[] = [];
  for await (const e of h.state.iterateAudit()) events.push(e);
  return events.map((e) => `${e.step}:${e.outcome}`);
}

/** The source stamps writes to the second: let the freeze come in a later second than the seeding. */
const pastTimestampResolution = () => new Promise((r) => setTimeout(r, 1100));

async function put(key: string, body: Buffer): Promise<void> {
  await h.dataset.source.put(key, body, md5(body), { metadata: {}, md5: md5(body) });
}

beforeEach(async () => {
  h = await createHarness();
  hooks = hookRecorder();
  for (let i = 0; i < 8; i++) await put(`d/${i}.csv`, bytesOf(`m${i}`, 1000 + i));
  await copyDataset(await h.context(), h.dataset);
  await verifyDataset(await h.context(), h.dataset, 'full');
  await pastTimestampResolution();
});
afterEach(() => h.close());

describe('cutover of a phase', () => {
  it('goes from bulk copied to committed through every step, each recorded in the audit log', async () => {
    const refused = await runCutover(await deps());
    expect(refused.stoppedAt?.step).toBe('preflight');
    expect(refused.stoppedAt?.error).toMatch(
      /no-go: approvals: waiting for the go of decision maker \(Programme director\)/,
    );
    expect(hooks.calls).toEqual([]);

    await approveAll();
    const done = await runCutover(await deps());
    expect(done.state).toBe('committed');
    expect(done.ran).toEqual([
      'preflight',
      'freeze',
      'quiescence',
      'final-sync',
      'verify',
      'switch',
      'smoke-check',
      'commit',
    ]);
    expect(hooks.calls).toEqual(['freeze', 'switch', 'smokeCheck']);
    expect(await auditTrail()).toEqual([
      'preflight:failed',
      'approve:succeeded',
      'approve:succeeded',
      'approve:succeeded',
      'approve:succeeded',
      'preflight:succeeded',
      'freeze:succeeded',
      'quiescence:succeeded',
      'final-sync:succeeded',
      'verify:succeeded',
      'switch:succeeded',
      'smoke-check:succeeded',
      'commit:succeeded',
    ]);
    // Committed is final: running again does nothing.
    expect((await runCutover(await deps())).ran).toEqual([]);
  });

  for (const hook of ['freeze', 'switch', 'smokeCheck'] as const) {
    it(`stops at the ${hook} step when its hook fails, then resumes there without re-running earlier steps`, async () => {
      await approveAll();
      hooks.failOn.add(hook);
      const stopped = await runCutover(await deps());
      const step = hook === 'smokeCheck' ? 'smoke-check' : hook;
      expect(stopped.stoppedAt).toMatchObject({ step, error: expect.stringContaining('simulated failure') });
      expect(stopped.state).toBe(hook === 'freeze' ? 'in-progress' : 'in-progress');
      const before = hooks.calls.length;

      hooks.failOn.clear();
      const resumed = await runCutover(await deps());
      expect(resumed.ran[0]).toBe(step);
      expect(resumed.state).toBe('committed');
      expect(hooks.calls.slice(before)[0]).toBe(hook); // the failed hook runs again, nothing before it does
      expect(hooks.calls.filter((c) => c === 'freeze')).toHaveLength(hook === 'freeze' ? 2 : 1);
    });
  }

  it('aborts when the source is written after the freeze, naming the objects, and stays aborted until rolled back', async () => {
    await approveAll();
    let frozen = false;
    hooks.actions.set('freeze', async () => {
      frozen = true;
    });
    // A writer that ignores the freeze: its write lands once the freeze is in force.
    const source = h.dataset.source;
    const leaky: EngineDataset = {
      ...h.dataset,
      source: new Proxy(source, {
        get: (store, name) =>
          name === 'list'
            ? (prefix: string) =>
                (async function* () {
                  if (frozen) {
                    frozen = false;
                    await put('d/written-during-freeze.csv', bytesOf('late', 10));
                  }
                  yield* store.list(prefix);
                })()
            : ((v) => (typeof v === 'function' ? v.bind(store) : v))(Reflect.get(store, name)),
      }),
    };
    const result = await runCutover(await deps(leaky));
    expect(result.stoppedAt?.step).toBe('quiescence');
    expect(result.stoppedAt?.error).toMatch(
      /1 objects were written at the source after the freeze .*ds: d\/written-during-freeze\.csv/,
    );
    expect(result.stoppedAt?.error).toContain('cloudexit rollback --phase 2');
    expect((await runCutover(await deps(leaky))).stoppedAt?.step).toBe('quiescence'); // still dirty

    const back = await rollbackPhase({
      state: h.state,
      phase: PHASE,
      hooks: HOOKS,
      runHook: hooks.run,
      clock: systemClock,
      actor: 'tester',
    });
    expect(back.outcome).toBe('rolled-back');
    expect(back.hooksRun).toEqual(['thaw']); // frozen, never switched
  });

  it('stops at final-sync when an object cannot be copied, and resumes there once it can', async () => {
    await approveAll();
    const proxy = await startFaultProxy(s3rverOrigin());
    try {
      const target = (await freshS3Store({ via: { origin: proxy.origin } })).store;
      const viaProxy: EngineDataset = { ...h.dataset, name: 'ds2', target };
      await copyDataset(await h.context(), viaProxy);
      await verifyDataset(await h.context(), viaProxy, 'full');
      await put('d/late.csv', bytesOf('late', 100));
      await pastTimestampResolution();
      proxy.inject({ method: 'PUT', path: /late\.csv/, times: 1, fault: { kind: 'status', status: 403 } });
      const phase2 = { ...PHASE, datasets: ['ds2'] };
      const stopped = await runCutover({ ...(await deps(viaProxy)), phase: phase2 });
      expect(stopped.stoppedAt?.step).toBe('final-sync');
      expect(stopped.stoppedAt?.error).toMatch(/ds2: 1 objects could not be copied: .*403/);
      const resumed = await runCutover({ ...(await deps(viaProxy)), phase: phase2 });
      expect(resumed.ran).toEqual(['final-sync', 'verify', 'switch', 'smoke-check', 'commit']);
    } finally {
      await proxy.close();
    }
  });

  it('stops at verify when the target disagrees with what was copied', async () => {
    await approveAll();
    await put('d/new-after-bulk.csv', bytesOf('new', 100));
    await pastTimestampResolution();
    // The freeze hook stands for the world: a target object is damaged behind our back.
    hooks.actions.set('freeze', async () => {
      const bad = bytesOf('damaged', 1000);
      await h.dataset.target.put('d/0.csv', bad, md5(bad), { metadata: {} });
    });
    const result = await runCutover(await deps());
    expect(result.ran).toEqual(['preflight', 'freeze', 'quiescence', 'final-sync']);
    expect(result.stoppedAt?.step).toBe('verify');
    expect(result.stoppedAt?.error).toMatch(/1 mismatches \(d\/0\.csv: etag\)/);
    const [synced] = (await h.state.getObjects('ds', ['d/new-after-bulk.csv'])).values();
    expect(synced?.status).toBe('verified'); // copied by the final sync, then verified in full
  });
});

describe('a crash after a step did its work but before it was recorded', () => {
  for (const step of CUTOVER_STEPS) {
    it(`at ${step}: the next run resumes at ${step} and finishes`, async () => {
      await approveAll();
      // The process "dies": from the moment the record with this step done is written, the state is gone.
      let dead = false;
      const dying = new Proxy(h.state, {
        get: (store, name) => {
          if ((name === 'putPhase' || name === 'appendAudit') && dead)
            return async () => {
              throw new Error('process killed');
            };
          if (name === 'putPhase') {
            return async (record: PhaseRecord) => {
              if (record.done.some((d) => d.step === step)) {
                dead = true;
                throw new Error('process killed');
              }
              return store.putPhase(record);
            };
          }
          const value = Reflect.get(store, name);
          return typeof value === 'function' ? value.bind(store) : value;
        },
      });
      await expect(runCutover({ ...(await deps()), state: dying })).rejects.toThrow('process killed');
      const resumed = await runCutover(await deps());
      expect(resumed.ran[0]).toBe(step);
      expect(resumed.state).toBe('committed');
    });
  }
});

describe('rollback', () => {
  it('before the commit runs the rollback and thaw hooks and needs a new go afterwards', async () => {
    await approveAll();
    hooks.failOn.add('smokeCheck');
    await runCutover(await deps());
    const back = await rollbackPhase({
      state: h.state,
      phase: PHASE,
      hooks: HOOKS,
      runHook: hooks.run,
      clock: systemClock,
      actor: 'tester',
    });
    expect(back).toMatchObject({ outcome: 'rolled-back', hooksRun: ['rollback', 'thaw'] });
    expect((await h.state.getPhase(2))?.state).toBe('rolled-back');
    hooks.failOn.clear();
    const again = await runCutover(await deps());
    expect(again.stoppedAt?.error).toMatch(/no-go: approvals/);
  });

  it('after the commit refuses and says why', async () => {
    await approveAll();
    await runCutover(await deps());
    const refused = await rollbackPhase({
      state: h.state,
      phase: PHASE,
      hooks: HOOKS,
      runHook: hooks.run,
      clock: systemClock,
      actor: 'tester',
    });
    expect(refused.outcome).toBe('refused');
    expect(refused.message).toMatch(/point of no return/);
    expect(refused.hooksRun).toEqual([]);
    expect((await auditTrail()).at(-1)).toBe('rollback:refused');
  });
});

describe('the point of no return is a separate decision', () => {
  it('without commit stops after the smoke check, can still roll back, and commits only when asked', async () => {
    await approveAll();
    const waiting = await runCutover({ ...(await deps()), commit: false });
    expect(waiting).toMatchObject({ state: 'in-progress', stoppedAt: undefined, awaitingCommit: true });
    expect(waiting.ran.at(-1)).toBe('smoke-check');
    expect(waiting.ran).not.toContain('commit');
    expect((await auditTrail()).at(-1)).toBe('commit:awaiting-decision');
    // Running again without the decision does nothing more.
    const again = await runCutover({ ...(await deps()), commit: false });
    expect(again).toMatchObject({ ran: [], awaitingCommit: true, state: 'in-progress' });
    const committed = await runCutover({ ...(await deps()), commit: true });
    expect(committed).toMatchObject({ state: 'committed', ran: ['commit'], awaitingCommit: false });
  });
});

describe('the parity gate', () => {
  it('closes without a report, opens with an explicit waiver recorded in the audit log with actor and reason', async () => {
    await approveAll();
    const refused = await runCutover({ ...(await deps()), parity: undefined });
    expect(refused.stoppedAt?.error).toMatch(/no-go: parity: no parity report saved .*--waive-parity/);
    const waived = await runCutover({
      ...(await deps()),
      parity: undefined,
      parityWaiver: { reason: 'rehearsal on emulators: no stacks deployed' },
    });
    expect(waived.state).toBe('committed');
    const events: AuditEvent[] = [];
    for await (const e of h.state.iterateAudit()) events.push(e);
    const waiver = events.find((e) => e.step === 'waiver');
    expect(waiver).toMatchObject({
      outcome: 'recorded',
      actor: 'tester',
      details: { gate: 'parity', actor: 'tester', reason: 'rehearsal on emulators: no stacks deployed' },
    });
    expect(waived.gates?.find((g) => g.gate === 'parity')?.detail).toMatch(/waived by tester: rehearsal on emulators/);
  });

  it('closes when the report has a gap the plan does not accept', async () => {
    await approveAll();
    const gap = { ...CLEAN_PARITY, equivalent: false, gaps: ['dataset hcl key holder'] };
    const refused = await runCutover({ ...(await deps()), parity: gap });
    expect(refused.stoppedAt?.error).toMatch(
      /parity: unsupported properties not accepted in the plan \(parity\.accepted\): dataset hcl key holder/,
    );
  });
});

describe('the hooks gate', () => {
  it('looks for every configured hook file and names those it checked and those missing', async () => {
    await approveAll();
    const refused = await runCutover({ ...(await deps()), hookExists: (script) => script !== 's.mjs' });
    expect(refused.stoppedAt?.error).toMatch(
      /hooks: hook files not found: hooks\.switch s\.mjs \(checked: freeze \(f\.mjs\)/,
    );
    expect(hooks.calls).toEqual([]);
    const done = await runCutover(await deps());
    expect(done.gates?.find((g) => g.gate === 'hooks')?.detail).toBe(
      'freeze and switch hooks are configured; hook files found: freeze (f.mjs), thaw (t.mjs), switch (s.mjs), smokeCheck (c.mjs), rollback (r.mjs)',
    );
  });
});

describe('approvals', () => {
  it('record the person, and refuse one person holding two roles of the phase unless allowed', async () => {
    const approveAs = (role: string, person: string, allowSeveralRoles = false) =>
      recordApproval({ state: h.state, phase: PHASE, clock: systemClock, actor: 'ops' }, role, {
        person,
        osUser: 'jdoe',
        host: 'bastion-1',
        allowSeveralRoles,
      });
    const first = await approveAs('decisionMaker', 'Jeanne Martin');
    expect(first.approvals).toEqual([{ role: 'decisionMaker', name: 'Jeanne Martin', at: expect.any(String) }]);
    const twice = approveAs('dpo', ' jeanne martin ');
    await expect(twice).rejects.toThrow(/jeanne martin already gave the go of phase 2 as decisionMaker/);
    await expect(twice).rejects.toMatchObject({ exitCode: 2 });
    // The same person again for the same role replaces their go; another role needs the explicit allowance.
    await approveAs('decisionMaker', 'Jeanne Martin');
    const allowed = await approveAs('dpo', 'Jeanne Martin', true);
    expect(allowed.approvals.map((a) => a.role)).toEqual(['decisionMaker', 'dpo']);
    const events: AuditEvent[] = [];
    for await (const e of h.state.iterateAudit()) events.push(e);
    expect(events[0]).toMatchObject({
      step: 'approve',
      actor: 'ops',
      details: {
        role: 'decisionMaker',
        owner: 'Programme director',
        person: 'Jeanne Martin',
        osUser: 'jdoe',
        host: 'bastion-1',
      },
    });
  });
});
