/**
 * Conformance of a `RunLog` (src/state/contracts/runs.ts): every implementation runs this
 * suite unchanged, with a fresh storage per test.
 */
import { describe, expect, it } from 'vitest';
import type { RunLog } from '../../../src/state/contracts/runs.ts';
import { useStorage, type CreateStorage } from './storage.ts';

export function describeRunLogConformance(name: string, create: CreateStorage<RunLog>): void {
  describe(`${name}: run log`, () => {
    const fixture = useStorage(create);

    it('starts, finishes and lists runs newest first', async () => {
      const { store } = fixture;
      const first = await store.startRun({ command: 'inventory', scope: 'emc2-hcl' });
      const second = await store.startRun({ command: 'copy', scope: 'emc2-hcl' });
      expect(first).toMatch(/^run-\d{8}T\d{9}Z-[0-9a-f]{8}$/);
      expect(second > first || second.slice(0, 24) === first.slice(0, 24)).toBe(true);

      await store.finishRun(first, 'succeeded', { objects: 3, bytes: 5 * 2 ** 30, failed: 0 });
      const runs = await store.listRuns();
      expect(runs.map((r) => r.id)).toEqual([second, first]);
      expect(runs[0]).toEqual({
        id: second,
        command: 'copy',
        scope: 'emc2-hcl',
        startedAt: expect.any(String),
        endedAt: undefined,
        outcome: undefined,
        totals: undefined,
      });
      expect(runs[1]).toMatchObject({ outcome: 'succeeded', totals: { objects: 3, bytes: 5 * 2 ** 30, failed: 0 } });
      expect(Date.parse(runs[1]!.endedAt!)).not.toBeNaN();
      expect(await store.listRuns(1)).toHaveLength(1);
      await expect(store.finishRun('run-nope', 'failed', { objects: 0, bytes: 0, failed: 0 })).rejects.toThrow(
        /no such run/,
      );
    });
  });
}
