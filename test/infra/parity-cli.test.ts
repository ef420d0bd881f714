/**
 * `cloudexit parity` end to end: the real CLI in a child process (Node 24, as users run
 * it), offline under Pulumi mocks.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const run = promisify(execFile);

async function cloudexit(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, 'src/cli/main.ts'), ...argv], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('cloudexit parity --json', () => {
  it('prints one JSON object and exits 0 for the sample stacks', async () => {
    const { code, stdout } = await cloudexit('parity', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ equivalent: true, hosts: { left: 'azure', right: 'ovh' }, counts: { differs: 0 } });
    expect(
      report.rows.find(
        (r: { subject: string; property: string }) => r.subject === 'dataset hcl' && r.property === 'key holder',
      ),
    ).toMatchObject({
      verdict: 'unsupported on ovh',
      azure: { value: 'customer' },
      ovh: { kind: 'unsupported' },
    });
    expect(stdout).not.toContain('mock-secret-access-key');
  });

  it('exits 1 and shows both values when a spec change makes the stacks differ', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parity-cli-'));
    const spec = join(dir, 'warehouse.yaml');
    writeFileSync(
      spec,
      readFileSync(join(root, 'stacks/warehouse.yaml'), 'utf8').replace(
        /(name: hpsj[\s\S]*?retentionDays: )30/,
        '$110',
      ),
    );
    const { code, stdout } = await cloudexit('parity', '--json', '--spec', spec);
    expect(code).toBe(1);
    const differs = JSON.parse(stdout).rows.filter((r: { verdict: string }) => r.verdict === 'differs');
    expect(differs).toEqual([
      expect.objectContaining({
        subject: 'dataset hpsj',
        property: 'recovery window',
        azure: expect.objectContaining({ value: '30 days' }),
        ovh: expect.objectContaining({ value: '10 days' }),
      }),
    ]);
  });

  it('exits 1 with the unaccepted gaps listed when the plan does not accept them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parity-gaps-'));
    const plan = join(dir, 'plan.yaml');
    const text = readFileSync(join(root, 'runbooks/emc2/plan.yaml'), 'utf8');
    writeFileSync(plan, text.replace(/\n {4}- property: rotation\n(?: {6}.*\n)+/, '\n'));
    const { code, stdout, stderr } = await cloudexit('parity', '--json', '--plan', plan);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      equivalent: false,
      counts: { differs: 0 },
      gaps: [{ subject: 'keys', property: 'rotation', unsupportedOn: ['ovh'] }],
    });
    expect(stderr).toContain('1 gap not accepted in the plan');
    expect(stderr).toContain('keys rotation (unsupported on ovh)');
  });

  it('prints a Markdown table by default', async () => {
    const { code, stdout } = await cloudexit('parity', '--markdown');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('| Subject | Property | Azure | OVHcloud | Verdict |');
  });

  it('exits 2 with the file, the path and the fix on a bad spec', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parity-bad-'));
    const spec = join(dir, 'warehouse.yaml');
    writeFileSync(
      spec,
      readFileSync(join(root, 'stacks/warehouse.yaml'), 'utf8').replace('cidr: 10.40.0.0/16', 'cidr: 0.0.0.0/0'),
    );
    const { code, stdout, stderr } = await cloudexit('parity', '--json', '--spec', spec);
    expect(code).toBe(2);
    expect(JSON.parse(stdout).error).toMatchObject({
      where: spec,
      message: expect.stringMatching(/network\.cidr: must be a private \(RFC 1918\) IPv4 CIDR/),
    });
    expect(stderr).toMatch(new RegExp(`${spec.replaceAll('/', '\\/')}:\\d+:\\d+: network\\.cidr`));
    expect(stderr).toContain('fix:');
  });

  it('exits 2 when --from-state is not given two files', async () => {
    const { code, stderr } = await cloudexit('parity', '--from-state', 'only-one.json');
    expect(code).toBe(2);
    expect(stderr).toContain('--from-state takes exactly two files');
  });
});
