/**
 * `cloudexit rehearse` ends by writing the runbooks of the migration it just finished into its
 * output folder, and says where: here for phase 1 only, to keep the run short.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRehearsal } from '../../src/cli/commands/rehearse.ts';
import { runCli, type CliResult } from '../cli/run-cli.ts';

let out: string;
let result: CliResult;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'cloudexit-rehearse-runbooks-'));
  result = await runCli(
    ['rehearse', '--phase', '1', '--json', '--no-progress', '--out', join(out, 'json')],
    process.env,
  );
}, 300_000);
afterAll(() => rm(out, { recursive: true, force: true }));

describe('the rehearsal writes the runbooks of its finished migration', () => {
  it('reports their folder, and prints it', () => {
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.runbooks).toBe(join(out, 'json', 'runbooks'));
    // What `cloudexit rehearse` prints without --json, from the same report.
    expect(renderRehearsal(report)).toContain(`runbooks: ${join(out, 'json', 'runbooks')}/README.md`);
  });

  it('phase 1 committed, its manifests named relative to the runbooks with their SHA-256, the audit head of the report', async () => {
    const report = JSON.parse(result.stdout);
    const dir = report.runbooks as string;
    expect((await readdir(dir)).sort()).toEqual([
      'README.md',
      'overview.html',
      'phase-1.md',
      'phase-2.md',
      'phase-3.md',
    ]);
    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    expect(readme).toMatch(/\| 1\. Pilot [^|]+\| Committed \|/);
    expect(readme).toContain(`hash \`${report.auditHead}\``);
    const phase1 = await readFile(join(dir, 'phase-1.md'), 'utf8');
    for (const name of ['nomenclatures', 'clb']) {
      const sha = createHash('sha256')
        .update(await readFile(join(out, 'json', 'evidence', name, 'manifest.sha256')))
        .digest('hex');
      expect(phase1).toContain(`| \`../evidence/${name}/manifest.sha256\` |`);
      expect(phase1).toContain(`\`${sha}\``);
    }
    expect(phase1).not.toContain(out);
  });
});
