import { Option, type Command } from 'commander';
import type { VerifyMode, VerifyReport } from '../../app/verify.ts';
import { EXIT } from '../../errors.ts';
import { addDataOptions, sessionOptionsOf, type DataOptions } from '../data-options.ts';
import { withCommandIo } from '../interrupts.ts';
import { printJson, renderTable } from '../output.ts';

export function renderVerify(report: VerifyReport): string {
  const rows = report.datasets.map((d) => [d.dataset, d.checked, d.verified, d.mismatches.length, d.notCopied]);
  const lines = [renderTable(['dataset', 'checked', 'verified', 'mismatches', 'not copied'], rows)];
  for (const d of report.datasets) {
    for (const m of d.mismatches)
      lines.push(
        `  mismatch: ${d.dataset}: ${m.targetKey}: ${m.field ? `${m.problem} ${m.field}` : m.problem} (expected ${m.expected}, found ${m.actual})`,
      );
    for (const f of d.failed) lines.push(`  not verified: ${d.dataset}: ${f.key}: ${f.error}`);
    if (d.sha256NotOnTarget.length > 0)
      lines.push(
        `  ${d.dataset}: the SHA-256 of ${d.sha256NotOnTarget.length} objects is not on the target (no tagging there): a full verify re-hashes their bytes`,
      );
    if (d.notCopied)
      lines.push(`  ${d.dataset}: ${d.notCopied} objects are not on the target yet: run \`cloudexit copy\` first`);
  }
  for (const db of report.databases) {
    const v = db.verification;
    lines.push(
      `  ${db.dataset} (PostgreSQL): ${v ? `${v.tablesVerified} tables verified, ${v.mismatches.length} mismatching key ranges, ${v.schemaDifferences.length} schema differences` : (db.lastError ?? 'not verified')}`,
    );
    for (const m of [...(v?.mismatches ?? []), ...(v?.schemaDifferences ?? [])].slice(0, 20))
      lines.push(`    mismatch: ${db.dataset}: ${m}`);
  }
  lines.push(
    report.ok
      ? `verified ${report.verified} objects (${report.mode})`
      : `${report.mismatches} mismatches, ${report.notCopied} not copied; \`cloudexit copy\` repairs mismatched objects`,
  );
  return lines.join('\n');
}

export function registerVerifyCommand(program: Command): void {
  addDataOptions(
    program
      .command('verify')
      .summary('prove the target holds what was copied')
      .description(
        'quick: ask the target for size, ETag (checked against the one computed locally from the MD5 of the bytes ' +
          "sent) and the SHA-256 in the object's metadata — nothing downloaded. full: read every target object again " +
          'and recompute its SHA-256. Mismatched objects are listed by key and marked for the next copy. ' +
          'Exit code 0 only when every object is verified.',
      )
      .addOption(new Option('--mode <mode>', 'quick or full').choices(['quick', 'full']).default('quick')),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ npx cloudexit verify --phase 2                 quick: no download
  $ npx cloudexit verify --mode full --dataset snds-extracts
  $ sha256sum -c .cloudexit/evidence/emc2/hcl/manifest.sha256   (from a download of the dataset)`,
    )
    .action(async (options: DataOptions & { mode: VerifyMode }) => {
      const { verify } = await import('../../app/verify.ts');
      const report = await withCommandIo(options, (io) =>
        verify({ ...sessionOptionsOf(options, io), mode: options.mode }),
      );
      if (options.json) printJson(report);
      else process.stdout.write(`${renderVerify(report)}\n`);
      process.exitCode = report.ok ? EXIT.ok : EXIT.failed;
    });
}
