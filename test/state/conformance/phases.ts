/**
 * Conformance of a `PhaseStore` (src/state/contracts/phases.ts): every implementation
 * runs this suite unchanged, with a fresh storage per test.
 */
import { describe, expect, it } from 'vitest';
import type { PhaseRecord } from '../../../src/phase-record.ts';
import type { PhaseStore } from '../../../src/state/contracts/phases.ts';
import { useStorage, type CreateStorage } from './storage.ts';

/** A phase stopped on a failed switch after two steps and two approvals. */
export function stoppedPhase(overrides: Partial<PhaseRecord> = {}): PhaseRecord {
  return {
    phaseId: 2,
    state: 'in-progress',
    done: [
      { step: 'preflight', at: '2026-11-30T21:00:00.000Z', details: { checks: 12, datasets: ['hcl', 'clb'] } },
      { step: 'freeze', at: '2026-11-30T21:05:00.000Z', details: { hook: 'scripts/hooks/freeze.mjs', exitCode: 0 } },
    ],
    failed: { step: 'final-sync', at: '2026-11-30T22:00:00.000Z', error: '3 objects failed: see cloudexit status' },
    approvals: [
      { role: 'decisionMaker', name: 'Claire Martin', at: '2026-11-29T10:00:00.000Z' },
      { role: 'dpo', name: 'Yann Le Goff', at: '2026-11-29T11:00:00.000Z' },
    ],
    frozenAt: '2026-11-30T21:05:00.000Z',
    updatedAt: '2026-11-30T22:00:00.000Z',
    ...overrides,
  };
}

export function describePhaseStoreConformance(name: string, create: CreateStorage<PhaseStore>): void {
  describe(`${name}: phase records`, () => {
    const fixture = useStorage(create);

    it('are absent until put', async () => {
      expect(await fixture.store.getPhase(2)).toBeUndefined();
    });

    it('come back exactly as put, across a reopen', async () => {
      await fixture.store.putPhase(stoppedPhase());
      const store = await fixture.reopen();
      expect(await store.getPhase(2)).toStrictEqual(stoppedPhase());
      expect(await store.getPhase(1)).toBeUndefined();
    });

    it('keep unset fields as undefined, not missing', async () => {
      const { store } = fixture;
      const planned = stoppedPhase({
        phaseId: 1,
        state: 'planned',
        done: [],
        failed: undefined,
        approvals: [],
        frozenAt: undefined,
      });
      await store.putPhase(planned);
      const read = await store.getPhase(1);
      expect(read).toStrictEqual(planned);
      expect(Object.keys(read!)).toEqual(['phaseId', 'state', 'done', 'failed', 'approvals', 'frozenAt', 'updatedAt']);
    });

    it('are replaced whole by a later put', async () => {
      const { store } = fixture;
      await store.putPhase(stoppedPhase());
      const committed = stoppedPhase({ state: 'committed', failed: undefined, updatedAt: '2026-12-01T02:00:00.000Z' });
      await store.putPhase(committed);
      expect(await store.getPhase(2)).toStrictEqual(committed);
    });

    it('never store a secret in an error message', async () => {
      const { store } = fixture;
      await store.putPhase(
        stoppedPhase({
          failed: { step: 'switch', at: 'now', error: 'connect postgres://emc2:Tr0ub4dor@pg/emc2 refused' },
        }),
      );
      expect((await store.getPhase(2))?.failed?.error).toBe('connect postgres://emc2:***@pg/emc2 refused');
    });

    it('refuse a state that does not exist, or a phase id that is not a whole number, changing nothing', async () => {
      const { store } = fixture;
      await store.putPhase(stoppedPhase());
      await expect(store.putPhase(stoppedPhase({ state: 'done' as PhaseRecord['state'] }))).rejects.toThrow();
      await expect(store.putPhase(stoppedPhase({ phaseId: 2.5 }))).rejects.toThrow(/whole number/);
      expect((await store.getPhase(2))?.state).toBe('in-progress');
    });
  });
}
