/**
 * The warehouse spec: the EMC2 sample matches the migration plan's datasets, and bad
 * input is refused with the file, the line, the path inside it and a fix.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { loadWarehouseSpec, parseWarehouseSpec } from '../../src/warehouse/load.ts';
import { bucketName } from '../../src/warehouse/spec.ts';

const SAMPLE = new URL('../../stacks/warehouse.yaml', import.meta.url).pathname;

function problems(text: string): UserError {
  try {
    parseWarehouseSpec(text, 'w.yaml');
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('expected a UserError');
}

describe('the EMC2 sample spec', () => {
  const spec = loadWarehouseSpec(SAMPLE);

  it('declares the six datasets of the migration plan, named emc2-<dataset>', () => {
    expect(spec.datasets.map((d) => d.name)).toEqual([
      'hcl',
      'clb',
      'chru-nancy',
      'hpsj',
      'snds-extracts',
      'nomenclatures',
    ]);
    expect(spec.datasets.map((d) => bucketName(spec, d))).toContain('emc2-chru-nancy');
  });

  it('classifies everything as pseudonymised health data except the nomenclatures', () => {
    for (const d of spec.datasets)
      expect(d.classification).toBe(d.name === 'nomenclatures' ? 'public-reference' : 'health-pseudonymised');
  });

  it('makes the SNDS extracts immutable, in governance mode', () => {
    expect(spec.datasets.find((d) => d.name === 'snds-extracts')?.immutability).toEqual({
      mode: 'governance',
      days: 365,
    });
    expect(spec.datasets.filter((d) => d.immutability)).toHaveLength(1);
  });

  it('declares the emc2_catalog PostgreSQL database, private network, customer keys and audit logging', () => {
    expect(spec.postgres).toMatchObject({
      version: '16',
      highAvailability: true,
      backupRetentionDays: 14,
      databases: [{ name: 'emc2_catalog' }],
    });
    expect(spec.network.exposure).toBe('private');
    expect(spec.keys.management).toBe('customer-managed');
    expect(spec.audit.enabled).toBe(true);
  });
});

describe('bad specs', () => {
  const valid = (over: string) => `name: emc2
title: t
datasets:
  - name: hcl
    title: HCL
    classification: health-pseudonymised
    retentionDays: 30
    versioning: ${over}
postgres:
  version: "16"
  size: { vcpus: 4, memoryGb: 16, storageGb: 256 }
  highAvailability: true
  backupRetentionDays: 14
  databases: [{ name: emc2_catalog, title: c, classification: health-pseudonymised }]
network: { exposure: private, cidr: 10.40.0.0/16 }
keys: { management: customer-managed, rotationDays: 365 }
audit: { enabled: true, retentionDays: 365 }
`;

  it('accepts the minimal valid spec', () => {
    expect(parseWarehouseSpec(valid('true'), 'w.yaml').datasets[0]?.prefix).toBe('');
  });

  it('names the file, line, path and fix of each problem', () => {
    const err = problems(
      valid('true').replace('retentionDays: 30', 'retentionDays: 900').replace('exposure: private', 'exposure: public'),
    );
    expect(err.where).toBe('w.yaml');
    expect(err.message).toContain('w.yaml:7:20: datasets[0].retentionDays: must be at most 365, found the number 900');
    expect(err.message).not.toMatch(/Too big|Invalid|expected \w+, received/);
    expect(err.message).toMatch(
      /w\.yaml:15:\d+: network\.exposure: only "private" is supported: set network\.exposure: private/,
    );
    expect(err.fix).toMatch(/stacks\/warehouse\.yaml shows every field/);
  });

  it('says what to add when a field is missing', () => {
    const err = problems(valid('true').replace(/audit:.*\n/, ''));
    expect(err.message).toContain('audit: missing required field "audit" (fix: add "audit" at the top level)');
  });

  it('refuses immutability without versioning, with the fix', () => {
    const err = problems(
      valid('false').replace(
        'versioning: false',
        'versioning: false\n    immutability: { mode: compliance, days: 30 }',
      ),
    );
    expect(err.message).toMatch(
      /datasets\[0\]\.versioning: immutability needs versioning \(fix: set versioning: true or remove immutability\)/,
    );
  });

  it('reports YAML syntax errors with their position', () => {
    expect(problems('name: [emc2\n').message).toMatch(/w\.yaml:\d+:\d+: YAML:/);
  });

  it('names an unreadable file', () => {
    expect(() => loadWarehouseSpec('/nonexistent/warehouse.yaml')).toThrow(UserError);
    try {
      loadWarehouseSpec('/nonexistent/warehouse.yaml');
    } catch (err) {
      expect((err as UserError).where).toBe('/nonexistent/warehouse.yaml');
    }
  });
});
