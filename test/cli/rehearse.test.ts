import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './run-cli.ts';

let out: string;
let result: CliResult;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'cloudexit-rehearse-test-'));
  // The command `npm start` runs (without its V8 memory flag, which changes no behaviour), plus --json and an output folder of our own.
  result = await runCli(['rehearse', '--json', '--out', out], { ...process.env });
}, 300_000);
afterAll(() => rm(out, { recursive: true, force: true }));

describe('cloudexit rehearse (npm start)', () => {
  it('migrates the whole synthetic EMC2 warehouse and proves every object', () => {
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.ok).toBe(true);
    expect(report.datasets.map((d: { name: string }) => d.name)).toEqual([
      'nomenclatures',
      'clb',
      'hcl',
      'chru-nancy',
      'hpsj',
      'snds-extracts',
    ]);
    expect(report.objects).toBeGreaterThanOrEqual(2000);
    expect(report.bytes).toBeGreaterThan(64 * 2 ** 20);
    expect(report.copied).toBe(report.objects);
    expect(report.verified).toBe(report.objects);
    expect(report.mismatches).toBe(0);
    expect(report.failed).toBe(0);
    expect(report.kept).toBeUndefined();
  });

  it('writes to Ceph RGW, a real S3 implementation, where Ceph is installed (the suite installs it), and says so', () => {
    const report = JSON.parse(result.stdout);
    expect(report.target).toEqual({
      server: 'ceph-rgw',
      why: 'Ceph RGW is installed: the target is a real S3 implementation',
    });
  });

  it('leaves one sha256sum manifest per dataset in its output folder, one line per object', async () => {
    const report = JSON.parse(result.stdout);
    for (const dataset of report.datasets) {
      const manifest = await readFile(join(out, 'evidence', dataset.name, 'manifest.sha256'), 'utf8');
      const lines = manifest.trimEnd().split('\n');
      expect(lines, dataset.name).toHaveLength(dataset.objects);
      for (const line of lines) expect(line).toMatch(/^\\?[0-9a-f]{64} {2}\S/);
    }
  });

  it('takes all three phases through cutover to commit with the example hooks, and reports the audit head', async () => {
    const report = JSON.parse(result.stdout);
    expect(report.phases.map((p: { id: number; state: string }) => [p.id, p.state])).toEqual([
      [1, 'committed'],
      [2, 'committed'],
      [3, 'committed'],
    ]);
    expect(report.auditHead).toMatch(/^[0-9a-f]{64}$/);
    // The sample plan's PostgreSQL catalogue, between two embedded clusters.
    expect(report.tables).toEqual({ count: 4, verified: 4, mismatches: 0 });
    expect(report.databases).toMatchObject([
      { name: 'catalog', method: 'dump-restore', status: 'verified', tables: 4 },
    ]);
    for (const id of [1, 2, 3]) {
      const pointer = JSON.parse(await readFile(join(out, 'hooks', 'emc2', `phase-${id}.pointer.json`), 'utf8'));
      expect(pointer.serving, `phase ${id}`).toBe('target');
    }
  });

  it('prints progress and notes on stderr only, never on stdout under --json', () => {
    expect(() => JSON.parse(result.stdout)).not.toThrow();
    expect(result.stderr).toMatch(/seeding \d+ synthetic objects/);
  });
});
