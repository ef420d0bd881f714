/**
 * Stack outputs as scripts/stacks-up.mjs writes them (`pulumi stack output --json`), read
 * back in the shared shape; secrets are only ever "[secret]" there.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { readWarehouseOutputs } from '../../src/infra/outputs.ts';

const warehouse = {
  host: 'ovh',
  region: 'EU-WEST-PAR',
  datasets: { hcl: { endpoint: 'https://s3.eu-west-par.io.cloud.ovh.net', container: 'emc2-hcl', prefix: '' } },
  database: { host: 'pg.example', port: 20184, name: 'emc2_catalog', databases: ['emc2_catalog'] },
  keys: { storage: 'key-id', database: 'provider-managed' },
};

describe('readWarehouseOutputs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outputs-'));

  it('reads the warehouse output of a stack-output file', () => {
    const file = join(dir, 'ovh-emc2.outputs.json');
    writeFileSync(file, JSON.stringify({ warehouse, migrationCredentials: '[secret]' }));
    expect(readWarehouseOutputs(file)).toEqual(warehouse);
  });

  it('names the file and the fix when the shape is wrong', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ warehouse: { ...warehouse, database: { host: 'x' } } }));
    expect(() => readWarehouseOutputs(file)).toThrow(UserError);
    expect(() => readWarehouseOutputs(file)).toThrow(/database\.port/);
  });
});
