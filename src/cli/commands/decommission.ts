import type { Command } from 'commander';
import type { DecommissionReport } from '../../app/decommission.ts';
import { DEFAULT_PLAN } from '../../app/paths.ts';
import { EXIT } from '../../errors.ts';
import { withCommandIo } from '../interrupts.ts';
import { printJson } from '../output.ts';
import { STATE_FLAGS, STATE_HELP } from '../data-options.ts';
import { approverName } from '../approver.ts';

interface DecommissionFlags {
  plan: string;
  state?: string;
  evidence?: string;
  phase: string;
  approve?: string;
  as?: string;
  allowSeveralRoles?: boolean;
  json?: boolean;
  progress?: boolean;
}

export function renderDecommission(report: DecommissionReport): string {
  const lines = [`phase ${report.phase}: decommission ${report.outcome}`];
  if (report.outcome === 'no-go')
    lines.push('  go/no-go gates:', ...report.gates.map((g) => `    ${g.ok ? '✓' : '✗'} ${g.gate}: ${g.detail}`));
  for (const d of report.datasets) {
    if (d.outcome === 'refused') {
      lines.push(`  ✗ ${d.dataset}: ${d.reason}`, ...d.keys.map((k) => `      ${k}`));
      continue;
    }
    const gone = d.goneAt ? `last copy at the source gone on ${d.goneAt}` : `${d.objectsLeftAtSource} item(s) left`;
    const residue = d.residualUntil ? `; provider-held residues until ${d.residualUntil}` : '';
    lines.push(`  ${d.goneAt ? '✓' : '…'} ${d.dataset}: ${gone}${residue} (certificate ${d.certificate})`);
  }
  return lines.join('\n');
}

export function registerDecommissionCommand(program: Command): void {
  program
    .command('decommission')
    .summary("delete a committed phase's data at the source, with a deletion certificate per dataset")
    .description(
      'The step after the commit, and the only one that cannot be undone. Gates: the phase is committed, the ' +
        "decision maker and the DPO gave the decommission go (--approve), and the plan's hypercareDays have passed " +
        'since the commit. Then, dataset by dataset: the target is verified in full; the source is listed (current ' +
        'objects, versions, snapshots, soft-deleted) and that listing kept as evidence; a current object the ledger ' +
        'does not have verified in full with the same ETag refuses the whole dataset (keys named, nothing deleted); ' +
        'blobs are deleted with their snapshots and every version, soft-deleted versions and snapshots purged where ' +
        'the account allows, PostgreSQL tables dropped; the source is listed again. Each dataset gets ' +
        'decommission/<dataset>.certificate.json in the evidence folder, its SHA-256 in the audit log. Run again ' +
        'after any interruption: it resumes. Exit code 0 when every dataset of the phase is gone from the source.',
    )
    .requiredOption('--phase <id>', 'the committed phase to decommission')
    .option('--approve <role>', 'record the decommission go of decisionMaker or dpo and stop; needs --as')
    .option('--as <name>', 'with --approve: the name of the person giving the go')
    .option('--allow-several-roles', 'with --approve: let one person give both goes')
    .option('--plan <file>', 'migration plan', DEFAULT_PLAN)
    .option(STATE_FLAGS, STATE_HELP)
    .option(
      '--evidence <dir>',
      'evidence folder for the listings and certificates (default: .cloudexit/evidence/<migration>)',
    )
    .option('--no-progress', 'no progress display')
    .option('--json', 'print one JSON object on stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ npx cloudexit decommission --phase 1 --approve decisionMaker --as "Claire Martin"
  $ npx cloudexit decommission --phase 1 --approve dpo --as "Yann Le Goff"
  $ npx cloudexit decommission --phase 1                 delete the source, certify each dataset (or resume)
  $ jq . .cloudexit/evidence/emc2/decommission/hcl.certificate.json
  $ sha256sum .cloudexit/evidence/emc2/decommission/hcl.certificate.json    compare with \`cloudexit audit export\``,
    )
    .action(async (options: DecommissionFlags) => {
      if (options.approve !== undefined) return approveAction(options, options.approve);
      const { decommission } = await import('../../app/decommission.ts');
      const report = await withCommandIo(options, (io) =>
        decommission({
          plan: options.plan,
          state: options.state,
          evidence: options.evidence,
          phase: options.phase,
          progress: io.progress,
          signal: io.signal,
        }),
      );
      if (options.json) printJson(report);
      else process.stdout.write(`${renderDecommission(report)}\n`);
      process.exitCode = report.outcome === 'done' ? EXIT.ok : EXIT.failed;
    });
}

async function approveAction(options: DecommissionFlags, owner: string): Promise<void> {
  const as = approverName(options.as, `cloudexit decommission --phase ${options.phase} --approve ${owner}`);
  const { approveDecommission } = await import('../../app/decommission.ts');
  const report = await approveDecommission({
    plan: options.plan,
    state: options.state,
    phase: options.phase,
    owner,
    as,
    allowSeveralRoles: options.allowSeveralRoles === true,
  });
  if (options.json) printJson(report);
  else
    process.stdout.write(
      `decommission go recorded for phase ${report.phase}; ${report.missing.length > 0 ? `still waiting for: ${report.missing.join(', ')}` : 'both goes given'}\n`,
    );
}
