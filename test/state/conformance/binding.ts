/**
 * Conformance of a `MigrationBinding` (src/state/contracts/binding.ts): every
 * implementation runs this suite unchanged, with a fresh storage per test.
 */
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/errors.ts';
import {
  BindingConflictError,
  type BindingConflict,
  type DatasetBinding,
  type MigrationBinding,
  type WantedBinding,
} from '../../../src/state/contracts/binding.ts';
import { useStorage, type CreateStorage } from './storage.ts';

export const HCL: DatasetBinding = {
  name: 'hcl',
  kind: 'objects',
  source: 'https://emc2.blob.core.windows.net/hcl/lyon/',
  target: 'https://s3.eu-west-par.io.cloud.ovh.net/emc2-hcl/lyon/',
};
export const CATALOG: DatasetBinding = {
  name: 'catalog',
  kind: 'postgres',
  source: 'postgresql://emc2-pg.postgres.database.azure.com:5432/catalog',
  target: 'postgresql://pg.emc2.internal:5432/catalog',
};
export const CLB: DatasetBinding = {
  name: 'clb',
  kind: 'objects',
  source: 'https://emc2.blob.core.windows.net/clb/',
  target: 'https://s3.eu-west-par.io.cloud.ovh.net/emc2-clb/',
};

/** The plan of migration `emc2` with these datasets (written in an order that is not name order). */
export function emc2(...datasets: DatasetBinding[]): WantedBinding {
  return { migration: 'emc2', datasets: datasets.length > 0 ? datasets : [HCL, CATALOG] };
}

/** The rejection of `promise`, which must be a `BindingConflictError`. */
async function conflictOf(promise: Promise<unknown>): Promise<BindingConflictError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BindingConflictError);
  return err as BindingConflictError;
}

export function describeMigrationBindingConformance(name: string, create: CreateStorage<MigrationBinding>): void {
  describe(`${name}: migration binding`, () => {
    const fixture = useStorage(create);

    it('is absent until bound', async () => {
      expect(await fixture.store.getBinding()).toBeUndefined();
    });

    it('records the migration and every dataset on first use, in name order, durably', async () => {
      const outcome = await fixture.store.bind(emc2());
      expect(outcome).toMatchObject({ first: true, added: [CATALOG, HCL], removed: [] });
      const store = await fixture.reopen();
      const binding = await store.getBinding();
      expect(binding).toStrictEqual({
        migration: 'emc2',
        datasets: [CATALOG, HCL],
        boundAt: expect.any(String),
        updatedAt: binding?.boundAt,
        rebinds: [],
      });
      expect(Date.parse(binding!.boundAt)).not.toBeNaN();
      expect(outcome.binding).toStrictEqual(binding);
    });

    it('binds again with an equal plan without changing anything', async () => {
      const { store } = fixture;
      const first = await store.bind(emc2(HCL, CATALOG));
      const again = await store.bind(emc2(CATALOG, HCL));
      expect(again).toStrictEqual({ binding: first.binding, first: false, added: [], removed: [] });
      expect(await store.getBinding()).toStrictEqual(first.binding);
    });

    it('refuses a plan of another migration, changing nothing', async () => {
      const { store } = fixture;
      const { binding } = await store.bind(emc2());
      const err = await conflictOf(store.bind({ migration: 'chu-nantes', datasets: [HCL, CATALOG, CLB] }));
      expect(err.conflicts).toEqual([{ type: 'migration', recorded: 'emc2', wanted: 'chu-nantes' }]);
      expect(err.exitCode).toBe(EXIT.usage);
      expect(err.message).toMatch(/migration "emc2".*migration "chu-nantes"/);
      expect(err.fix).toMatch(/--state/);
      expect(await store.getBinding()).toStrictEqual(binding); // clb, new in that plan, was not recorded either
    });

    it('refuses a dataset whose kind, source or target changed, naming every difference', async () => {
      const { store } = fixture;
      const { binding } = await store.bind(emc2());
      const moved = { ...HCL, target: 'https://s3.gra.io.cloud.ovh.net/emc2-hcl/lyon/' };
      const retyped = { ...CATALOG, kind: 'objects' as const, source: 'https://emc2.blob.core.windows.net/catalog/' };
      const err = await conflictOf(store.bind(emc2(moved, retyped, CLB)));
      expect(err.conflicts).toEqual<BindingConflict[]>([
        { type: 'dataset', dataset: 'catalog', field: 'kind', recorded: 'postgres', wanted: 'objects' },
        { type: 'dataset', dataset: 'catalog', field: 'source', recorded: CATALOG.source, wanted: retyped.source },
        { type: 'dataset', dataset: 'hcl', field: 'target', recorded: HCL.target, wanted: moved.target },
      ]);
      expect(err.message).toContain(`dataset hcl: its target was ${HCL.target}, the plan says ${moved.target}`);
      expect(await store.getBinding()).toStrictEqual(binding);
    });

    it('records datasets the plan added and reports, but keeps, those it dropped', async () => {
      const { store } = fixture;
      await store.bind(emc2(HCL, CATALOG));
      const outcome = await store.bind(emc2(HCL, CLB));
      expect(outcome).toMatchObject({ first: false, added: [CLB], removed: [CATALOG] });
      const binding = await (await fixture.reopen()).getBinding();
      expect(binding?.datasets).toEqual([CATALOG, CLB, HCL]);
      expect(binding!.updatedAt >= binding!.boundAt).toBe(true);
      // The dropped dataset is still bound: bringing it back with another target is refused.
      await conflictOf(fixture.store.bind(emc2({ ...CATALOG, target: 'postgresql://elsewhere:5432/catalog' })));
    });

    it('rebinds on purpose: records the new mapping, the reason (redacted) and what it overrode', async () => {
      const { store } = fixture;
      await store.bind(emc2(HCL, CATALOG));
      const moved = { ...HCL, target: 'https://s3.gra.io.cloud.ovh.net/emc2-hcl/lyon/' };
      const outcome = await store.rebind(
        { migration: 'emc2-v2', datasets: [moved, CLB] },
        'bucket moved to GRA; ticket https://ops:Tr0ub4dor@tickets/42',
      );
      const overridden: BindingConflict[] = [
        { type: 'migration', recorded: 'emc2', wanted: 'emc2-v2' },
        { type: 'dataset', dataset: 'hcl', field: 'target', recorded: HCL.target, wanted: moved.target },
      ];
      expect(outcome).toMatchObject({ first: false, added: [CLB], removed: [CATALOG], conflicts: overridden });

      const binding = await (await fixture.reopen()).getBinding();
      expect(binding).toMatchObject({ migration: 'emc2-v2', datasets: [CATALOG, CLB, moved] });
      expect(binding?.rebinds).toEqual([
        {
          at: expect.any(String),
          reason: 'bucket moved to GRA; ticket https://ops:***@tickets/42',
          conflicts: overridden,
        },
      ]);
      expect(outcome.binding).toStrictEqual(binding);

      // From now on the new mapping is the one that binds.
      expect((await fixture.store.bind({ migration: 'emc2-v2', datasets: [moved] })).added).toEqual([]);
      await conflictOf(fixture.store.bind({ migration: 'emc2-v2', datasets: [HCL] }));
    });

    it('rebinds a state never bound, and refuses a rebind without a reason', async () => {
      const { store } = fixture;
      await expect(store.rebind(emc2(), '  ')).rejects.toThrow(/reason/);
      expect(await store.getBinding()).toBeUndefined();
      const outcome = await store.rebind(emc2(), 'adopted a state written before bindings existed');
      expect(outcome).toMatchObject({ first: true, added: [CATALOG, HCL], conflicts: [] });
      expect(outcome.binding.rebinds).toHaveLength(1);
    });

    it('refuses a malformed binding, or one holding a secret, changing nothing', async () => {
      const { store } = fixture;
      const refused: WantedBinding[] = [
        { migration: '', datasets: [HCL] },
        { migration: 'emc2', datasets: [HCL, { ...CLB, name: 'hcl' }] },
        { migration: 'emc2', datasets: [{ ...HCL, name: '' }] },
        { migration: 'emc2', datasets: [{ ...HCL, kind: 'mysql' as 'objects' }] },
        { migration: 'emc2', datasets: [{ ...HCL, target: '' }] },
        { migration: 'emc2', datasets: [{ ...CATALOG, source: 'postgresql://emc2:Tr0ub4dor@pg:5432/catalog' }] },
        {
          migration: 'emc2',
          datasets: [{ ...HCL, source: 'https://emc2.blob.core.windows.net/hcl/?sv=2024&sig=abcdef123456' }],
        },
      ];
      for (const wanted of refused) {
        await expect(store.bind(wanted), JSON.stringify(wanted)).rejects.toThrow(/cannot bind/);
        await expect(store.rebind(wanted, 'why not'), JSON.stringify(wanted)).rejects.toThrow(/cannot bind/);
      }
      expect(await store.getBinding()).toBeUndefined();
    });

    it('gives one binding when two handles bind a new state at once', async () => {
      const other = await fixture.connect();
      const results = await Promise.allSettled([
        fixture.store.bind(emc2()),
        other.bind({ migration: 'chu-nantes', datasets: [CLB] }),
      ]);
      const fulfilled = results.filter((r) => r.status === 'fulfilled');
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(fulfilled).toHaveLength(1);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]!.reason).toBeInstanceOf(BindingConflictError);
      const winner = (await fixture.store.getBinding())!.migration;
      expect(await other.getBinding()).toMatchObject({ migration: winner });
    });
  });
}
