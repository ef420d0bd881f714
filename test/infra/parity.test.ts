/**
 * Parity of the two stacks: the sample spec gives equivalent stacks (with the host
 * limits reported as unsupported, not hidden); a spec change makes them differ and the
 * report shows both values; stack exports give the same answer as the mocked programs.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { declaredFromStateFile, declareUnderMocks, type DeclaredResource } from '../../src/infra/declared.ts';
import { compareFacts, parity, renderMarkdown, reportToJson, type ParityReport } from '../../src/infra/parity.ts';
import { unsupported, value, type HostFacts } from '../../src/infra/parity-facts.ts';
import { loadPlan } from '../../src/plan/load.ts';

const root = new URL('../../', import.meta.url).pathname;
const AZURE = join(root, 'stacks/Pulumi.azure-emc2.yaml');
const OVH = join(root, 'stacks/Pulumi.ovh-emc2.yaml');
const SPEC = join(root, 'stacks/warehouse.yaml');

let accepted: Awaited<ReturnType<typeof loadPlan>>['parity']['accepted'];
let azure: DeclaredResource[];
let ovh: DeclaredResource[];
let sample: ParityReport;
const row = (report: ParityReport, subject: string, property: string) =>
  report.rows.find((r) => r.subject === subject && r.property === property);

beforeAll(async () => {
  azure = await declareUnderMocks(AZURE, SPEC);
  ovh = await declareUnderMocks(OVH, SPEC);
  accepted = (await loadPlan(join(root, 'runbooks/emc2/plan.yaml'), root)).parity.accepted;
  sample = parity(azure, ovh, accepted);
});

describe('parity of the sample stacks', () => {
  it('finds no difference and covers every dataset, the database and the keys', () => {
    expect(sample.counts.differs).toBe(0);
    expect(sample.gaps).toEqual([]);
    expect(sample.equivalent).toBe(true);
    const subjects = new Set(sample.rows.map((r) => r.subject));
    expect([...subjects]).toEqual([
      'dataset hcl',
      'dataset clb',
      'dataset chru-nancy',
      'dataset hpsj',
      'dataset snds-extracts',
      'dataset nomenclatures',
      'database',
      'keys',
    ]);
  });

  it('reports what a host cannot declare, with what compensates', () => {
    const keyHolder = row(sample, 'dataset hcl', 'key holder')!;
    expect(keyHolder.verdict).toBe('unsupported');
    expect(keyHolder.unsupportedOn).toEqual(['ovh']);
    expect(keyHolder.right).toMatchObject({
      kind: 'unsupported',
      reason: expect.stringMatching(/no customer-managed-key field for buckets/),
    });
    expect(keyHolder.left).toMatchObject({ kind: 'value', value: 'customer' });
    const versioning = row(sample, 'dataset snds-extracts', 'versioning')!;
    expect(versioning.unsupportedOn).toEqual(['azure']);
    expect(versioning.left).toMatchObject({ compensation: 'blob soft delete keeps deleted data 30 days' });
  });

  it('compares values point by point', () => {
    expect(row(sample, 'dataset snds-extracts', 'immutability')).toMatchObject({
      verdict: 'equivalent',
      left: { value: 'governance, 365 days' },
      right: { value: 'governance, 365 days' },
    });
    expect(row(sample, 'database', 'high availability')).toMatchObject({
      verdict: 'equivalent',
      left: { detail: 'ZoneRedundant standby' },
      right: { detail: '2 node(s), plan "business"' },
    });
    expect(row(sample, 'database', 'compute')?.verdict).toBe('equivalent');
    expect(row(sample, 'database', 'network exposure')?.verdict).toBe('equivalent');
    expect(row(sample, 'database', 'backups')?.unsupportedOn).toEqual(['ovh']);
  });

  it('counts an unsupported property the plan does not accept as a gap, and says who accepted the others', () => {
    const withoutKeyHolder = parity(
      azure,
      ovh,
      accepted.filter((a) => a.property !== 'key holder'),
    );
    expect(withoutKeyHolder.equivalent).toBe(false);
    expect(withoutKeyHolder.counts.differs).toBe(0);
    expect(withoutKeyHolder.gaps.map((g) => `${g.subject} ${g.property}`)).toEqual([
      'dataset hcl key holder',
      'dataset clb key holder',
      'dataset chru-nancy key holder',
      'dataset hpsj key holder',
      'dataset snds-extracts key holder',
      'dataset nomenclatures key holder',
      'database key holder',
    ]);
    const md = renderMarkdown(withoutKeyHolder);
    expect(md).toMatch(/\| dataset hcl \| key holder \|.*\*\*gap: not accepted in the plan\*\* \|/);
    expect(md).toMatch(/\| dataset hcl \| TLS \|.*; accepted by HDH platform operations lead: /);
    expect(md).toContain('Gaps not accepted in the plan (add them to parity.accepted');
    expect(reportToJson(withoutKeyHolder)).toMatchObject({ equivalent: false, gaps: expect.any(Array) });
    expect(parity(azure, ovh).gaps).toHaveLength(sample.counts.unsupported);
  });

  it('renders a Markdown table with a row per subject and property', () => {
    const md = renderMarkdown(sample);
    expect(md.split('\n')[0]).toBe('| Subject | Property | Azure | OVHcloud | Verdict |');
    expect(md).toContain(
      '| dataset hcl | key holder | customer (Key Vault key "emc2-storage") | — | unsupported on ovh: the OVH provider (2.19) has no customer-managed-key field for buckets',
    );
    expect(
      md.split('\n').filter((l) => l.startsWith('| dataset') || l.startsWith('| database') || l.startsWith('| keys')),
    ).toHaveLength(sample.rows.length);
  });
});

describe('a spec change that makes the stacks differ', () => {
  it('reports the dataset and property with both values', async () => {
    // Azure soft delete is account-wide, so one dataset asking for a shorter window cannot be matched there.
    const dir = mkdtempSync(join(tmpdir(), 'parity-'));
    const spec = join(dir, 'warehouse.yaml');
    writeFileSync(spec, readFileSync(SPEC, 'utf8').replace(/(name: nomenclatures[\s\S]*?retentionDays: )30/, '$17'));
    const report = parity(await declareUnderMocks(AZURE, spec), await declareUnderMocks(OVH, spec), accepted);
    expect(report.equivalent).toBe(false);
    const differs = report.rows.filter((r) => r.verdict === 'differs');
    expect(differs).toHaveLength(1);
    expect(differs[0]).toMatchObject({
      subject: 'dataset nomenclatures',
      property: 'recovery window',
      left: { value: '30 days' },
      right: { value: '7 days' },
    });
    expect(renderMarkdown(report)).toMatch(
      /\| dataset nomenclatures \| recovery window \| 30 days \(.*\) \| 7 days \(.*\) \| \*\*differs\*\* \|/,
    );
    const json = reportToJson(report) as { rows: { verdict: string; azure: unknown; ovh: unknown }[] };
    expect(json.rows.find((r) => r.verdict === 'differs')).toMatchObject({
      azure: { value: '30 days' },
      ovh: { value: '7 days' },
    });
  });
});

describe('parity from stack exports', () => {
  const exportOf = (resources: DeclaredResource[], stack: string) => ({
    version: 3,
    deployment: {
      manifest: { time: '2026-01-01T00:00:00Z' },
      resources: [
        {
          urn: `urn:pulumi:${stack}::cloudexit-warehouse::pulumi:pulumi:Stack::cloudexit-warehouse-${stack}`,
          type: 'pulumi:pulumi:Stack',
        },
        ...resources.map((r) => ({
          urn: `urn:pulumi:${stack}::cloudexit-warehouse::${r.type}::${r.name}`,
          type: r.type,
          inputs: r.inputs,
          outputs: {},
        })),
      ],
    },
  });

  it('gives the same report as the mocked programs and never prints an encrypted secret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parity-state-'));
    const withSecret = ovh.map((r) =>
      r.type === 'ovh:CloudProject/s3Credential:S3Credential'
        ? {
            ...r,
            inputs: {
              ...r.inputs,
              secretAccessKey: {
                '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270',
                ciphertext: 'v1:SECRETCIPHERTEXT',
              },
            },
          }
        : r,
    );
    writeFileSync(join(dir, 'azure.json'), JSON.stringify(exportOf(azure, 'azure-emc2')));
    writeFileSync(join(dir, 'ovh.json'), JSON.stringify(exportOf(withSecret, 'ovh-emc2')));
    const report = parity(
      declaredFromStateFile(join(dir, 'azure.json')),
      declaredFromStateFile(join(dir, 'ovh.json')),
      accepted,
    );
    expect(reportToJson(report)).toEqual(reportToJson(sample));
    expect(JSON.stringify(reportToJson(report)) + renderMarkdown(report)).not.toContain('SECRETCIPHERTEXT');
  });

  it('rejects a file that is not a stack export', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parity-bad-'));
    writeFileSync(join(dir, 'x.json'), '{"resources": []}');
    expect(() => declaredFromStateFile(join(dir, 'x.json'))).toThrow(/not a Pulumi stack export/);
  });
});

describe('compareFacts', () => {
  const facts = (host: 'azure' | 'ovh', entries: [string, Record<string, ReturnType<typeof value>>][]): HostFacts => ({
    host,
    facts: new Map(entries.map(([s, props]) => [s, new Map(Object.entries(props)) as never])),
  });

  it('marks a subject missing on one side as differing, and unsupported on both hosts', () => {
    const report = compareFacts(
      facts('azure', [
        ['dataset a', { versioning: value('on') }],
        ['dataset b', { TLS: unsupported('x', 'y') }],
      ]),
      facts('ovh', [['dataset b', { TLS: unsupported('p', 'q') }]]),
    );
    expect(report.rows[0]).toMatchObject({ subject: 'dataset a', verdict: 'differs', right: undefined });
    expect(report.rows[1]).toMatchObject({ verdict: 'unsupported', unsupportedOn: ['azure', 'ovh'] });
    expect(renderMarkdown(report)).toContain('(absent)');
  });
});
