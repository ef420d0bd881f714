/**
 * The parity gate reads a saved `cloudexit parity --json` report: running both Pulumi
 * programs under mocks inside every cutover would be slow, and an operator may instead
 * have compared the deployed stacks (`--from-state`) and saved that.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.ts';

export const DEFAULT_PARITY_REPORT = '.cloudexit/parity.json';

export async function loadParityReport(file: string | undefined): Promise<{ equivalent: boolean; differing: string[]; file: string } | undefined> {
  const path = file ?? DEFAULT_PARITY_REPORT;
  if (!file && !existsSync(path)) return undefined;
  let report: { equivalent?: unknown; rows?: { subject?: string; property?: string; verdict?: string }[] };
  try {
    report = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new UserError(`cannot read the parity report: ${(err as Error).message}`, { where: path, fix: 'save one with `cloudexit parity --json > .cloudexit/parity.json`' });
  }
  if (typeof report.equivalent !== 'boolean' || !Array.isArray(report.rows)) {
    throw new UserError('this is not a `cloudexit parity --json` report', { where: path, fix: 'save one with `cloudexit parity --json > .cloudexit/parity.json`' });
  }
  const differing = report.rows.filter((r) => r.verdict === 'differs').map((r) => `${r.subject} ${r.property}`);
  return { equivalent: report.equivalent, differing, file: path };
}
