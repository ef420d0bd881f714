/** Which datasets a use case works on, and the one "there is no phase N" check. */
import { describe, expect, it } from 'vitest';
import { bandwidthOf, concurrencyOf } from '../../src/app/limits.ts';
import { phaseOf, selectDatasets } from '../../src/app/selection.ts';
import { UserError } from '../../src/errors.ts';
import { loadPlan } from '../../src/plan/load.ts';

const SAMPLE = 'runbooks/emc2/plan.yaml';

function userErrorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('expected a UserError');
}

describe('phaseOf', () => {
  it('finds a phase by its id, given as text or as a number', async () => {
    const plan = await loadPlan(SAMPLE);
    expect(phaseOf(plan, '2').name).toBe(plan.phases[1]!.name);
    expect(phaseOf(plan, 3).datasets).toEqual(['snds-extracts']);
  });

  it('names the plan file and lists the phases there are', async () => {
    const plan = await loadPlan(SAMPLE);
    const err = userErrorOf(() => phaseOf(plan, '9'));
    expect(err.message).toBe('there is no phase 9');
    expect(err.where).toBe(SAMPLE);
    expect(err.fix).toBe('use one of: 1, 2, 3');
  });
});

describe('selectDatasets', () => {
  it("every dataset by default, those of a phase, or some by name, in the plan's order", async () => {
    const plan = await loadPlan(SAMPLE);
    expect(selectDatasets(plan, {}).map((d) => d.name)).toEqual(plan.datasets.map((d) => d.name));
    expect(selectDatasets(plan, { phase: 2 }).map((d) => d.name)).toEqual(['hcl', 'chru-nancy', 'hpsj', 'catalog']);
    expect(selectDatasets(plan, { dataset: ['hpsj', 'hcl'], phase: '2' }).map((d) => d.name)).toEqual(['hcl', 'hpsj']);
    expect(selectDatasets(plan, { dataset: [] }).length).toBe(plan.datasets.length);
  });

  it('a phase that does not exist fails through phaseOf, a dataset outside the phase names those inside', async () => {
    const plan = await loadPlan(SAMPLE);
    expect(userErrorOf(() => selectDatasets(plan, { phase: 7 })).message).toBe('there is no phase 7');
    const err = userErrorOf(() => selectDatasets(plan, { phase: 1, dataset: ['hcl'] }));
    expect(err.message).toBe('unknown dataset "hcl" in phase 1');
    expect(err.fix).toBe('use one of: nomenclatures, clb');
  });
});

describe('limit overrides', () => {
  it('accept numbers and rates, and name the setting as the caller spells it', () => {
    expect(concurrencyOf('8')).toBe(8);
    expect(bandwidthOf('1MiB/s')).toBe(2 ** 20);
    expect(bandwidthOf(5000)).toBe(5000);
    expect(userErrorOf(() => concurrencyOf(0)).message).toBe('concurrency 0 is not a whole number from 1 to 256');
    expect(userErrorOf(() => concurrencyOf('many', '--concurrency')).message).toBe(
      '--concurrency many is not a whole number from 1 to 256',
    );
    expect(userErrorOf(() => bandwidthOf('fast')).fix).toBe('write it like 200MiB/s or 50MB/s');
  });
});
