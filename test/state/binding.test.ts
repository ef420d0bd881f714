/**
 * The pure parts of the migration binding contract: comparing a recorded binding with the
 * one a plan wants, and the canonical identities of object and PostgreSQL locations.
 * What every store must do with them is in ./conformance/binding.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  compareBinding,
  describeConflict,
  objectLocation,
  postgresLocation,
} from '../../src/state/contracts/binding.ts';
import { CATALOG, CLB, HCL, emc2 } from './conformance/binding.ts';

describe('compareBinding', () => {
  it('finds every dataset added when nothing is recorded', () => {
    expect(compareBinding(undefined, emc2(HCL, CLB, CATALOG))).toEqual({
      conflicts: [],
      added: [CATALOG, CLB, HCL],
      removed: [],
    });
  });

  it('finds nothing between equal bindings, whatever the order of datasets', () => {
    expect(compareBinding({ migration: 'emc2', datasets: [HCL, CATALOG] }, emc2(CATALOG, HCL))).toEqual({
      conflicts: [],
      added: [],
      removed: [],
    });
  });

  it('lists the other migration first, then changed fields by dataset name, then added and removed datasets', () => {
    const recorded = { migration: 'emc2', datasets: [HCL, CATALOG] };
    const wanted = { migration: 'other', datasets: [{ ...HCL, source: 's', target: 't' }, CLB] };
    expect(compareBinding(recorded, wanted)).toEqual({
      conflicts: [
        { type: 'migration', recorded: 'emc2', wanted: 'other' },
        { type: 'dataset', dataset: 'hcl', field: 'source', recorded: HCL.source, wanted: 's' },
        { type: 'dataset', dataset: 'hcl', field: 'target', recorded: HCL.target, wanted: 't' },
      ],
      added: [CLB],
      removed: [CATALOG],
    });
  });

  it('does not change its arguments', () => {
    const wanted = emc2(HCL, CATALOG);
    const recorded = { migration: 'emc2', datasets: [HCL] };
    compareBinding(recorded, wanted);
    expect(wanted.datasets).toEqual([HCL, CATALOG]);
    expect(recorded.datasets).toEqual([HCL]);
  });

  it('describes each conflict in one line', () => {
    expect(describeConflict({ type: 'migration', recorded: 'emc2', wanted: 'x' })).toBe(
      'the state belongs to migration "emc2", the plan is migration "x"',
    );
    expect(describeConflict({ type: 'dataset', dataset: 'hcl', field: 'target', recorded: 'a', wanted: 'b' })).toBe(
      'dataset hcl: its target was a, the plan says b',
    );
  });
});

describe('canonical locations', () => {
  it('keep only the origin and path of an endpoint: never a user, password, SAS or fragment', () => {
    expect(objectLocation('https://EMC2.blob.core.windows.net/?sv=2024-08-04&sig=abc%3D', 'hcl', 'lyon/')).toBe(
      'https://emc2.blob.core.windows.net/hcl/lyon/',
    );
    expect(objectLocation('https://key:secret@s3.gra.io.cloud.ovh.net#x', 'emc2-hcl', '')).toBe(
      'https://s3.gra.io.cloud.ovh.net/emc2-hcl/',
    );
    expect(objectLocation('http://127.0.0.1:10000/devstoreaccount1/', 'hcl', 'a/')).toBe(
      'http://127.0.0.1:10000/devstoreaccount1/hcl/a/',
    );
    expect(objectLocation('https://s3.example:443', 'b', 'p/')).toBe('https://s3.example/b/p/');
  });

  it('name a PostgreSQL database by host, port and database only', () => {
    expect(postgresLocation('PG.emc2.internal', 5432, 'catalog')).toBe('postgresql://pg.emc2.internal:5432/catalog');
    expect(postgresLocation('::1', 5433, 'catalog')).toBe('postgresql://[::1]:5433/catalog');
  });
});
