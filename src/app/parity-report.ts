/**
 * The parity gate reads a saved `cloudexit parity --json` report: running both Pulumi
 * programs under mocks inside every cutover would be slow, and an operator may instead
 * have compared the deployed stacks (`--from-state`) and saved that.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.ts';
import { DEFAULT_PARITY_REPORT } from './paths.ts';

/** What the parity gate needs from a saved report. */
export interface SavedParity {
  equivalent: boolean;
  /** `subject property` of each row that differs. */
  differing: string[];
  /** `subject property` of each unsupported row not accepted (by the plan, or in the report). */
  gaps: string[];
  file: string;
}

/**
 * Which report to read: a file (it must exist), `false` for none, or nothing for the
 * default file when it exists.
 */
export type ParityChoice = string | false | undefined;

/**
 * Reads the report; `accepted` are the plan's accepted gaps (`parity.accepted`). Without
 * them, the report's own acceptance marks (those of the plan it was made with) count.
 */
export async function loadParityReport(
  choice: ParityChoice,
  accepted?: readonly { property: string; subject?: string | undefined }[],
): Promise<SavedParity | undefined> {
  if (choice === false) return undefined;
  const path = choice ?? DEFAULT_PARITY_REPORT;
  if (choice === undefined && !existsSync(path)) return undefined;
  const fix = `save one with \`cloudexit parity --json > ${DEFAULT_PARITY_REPORT}\``;
  let report: {
    equivalent?: unknown;
    rows?: { subject?: string; property?: string; verdict?: string; accepted?: unknown }[];
  };
  try {
    report = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new UserError(`cannot read the parity report: ${(err as Error).message}`, { where: path, fix });
  }
  if (typeof report.equivalent !== 'boolean' || !Array.isArray(report.rows)) {
    throw new UserError('this is not a `cloudexit parity --json` report', { where: path, fix });
  }
  const differing = report.rows.filter((r) => r.verdict === 'differs').map((r) => `${r.subject} ${r.property}`);
  const isAccepted = (r: { subject?: string; property?: string; accepted?: unknown }) =>
    accepted === undefined
      ? r.accepted !== undefined
      : accepted.some((a) => a.property === r.property && (a.subject === undefined || a.subject === r.subject));
  const gaps = report.rows
    .filter((r) => r.verdict?.startsWith('unsupported') && !isAccepted(r))
    .map((r) => `${r.subject} ${r.property}`);
  return { equivalent: report.equivalent && gaps.length === 0, differing, gaps, file: path };
}
