/**
 * `cloudexit parity`: are the Azure and OVHcloud warehouse stacks equivalent? Offline by
 * default (both programs run under Pulumi mocks, from the stack files and the spec);
 * `--from-state` compares two `pulumi stack export` files of deployed stacks instead.
 * Exit 0 when no property differs and the plan accepts every property one host cannot
 * declare (`parity.accepted`), 1 otherwise (the gaps are listed), 2 on bad input.
 */
import type { Command } from 'commander';
import { DEFAULT_PLAN, DEFAULT_STACK_FILES } from '../../app/paths.ts';
import { redact } from '../../secrets/redact.ts';
import { DEFAULT_SPEC_FILE } from '../../warehouse/default-spec-file.ts';
import { EXIT } from '../../errors.ts';

interface ParityFlags {
  spec: string;
  stackFiles: string[];
  fromState?: string[];
  plan: string;
  json?: boolean;
  markdown?: boolean;
}

export function registerParityCommand(program: Command): void {
  program
    .command('parity')
    .description(
      'compare what the two warehouse stacks declare, property by property (exit 1 if any differs, or if a property one host cannot declare is not accepted in the plan)',
    )
    .option('--spec <file>', 'warehouse spec both programs are built from (offline mode)', DEFAULT_SPEC_FILE)
    .option('--stack-files <files...>', 'the two stack settings files (offline mode)', [...DEFAULT_STACK_FILES])
    .option('--from-state <files...>', 'compare two `pulumi stack export` files of deployed stacks instead')
    .option('--plan <file>', 'migration plan whose parity.accepted lists the accepted gaps', DEFAULT_PLAN)
    .option('--json', 'print one JSON object')
    .option('--markdown', 'print a Markdown table (the default)')
    .action(async (options: ParityFlags) => {
      const { parity } = await import('../../app/parity.ts');
      const report = await parity({
        spec: options.spec,
        stackFiles: options.stackFiles,
        fromState: options.fromState,
        plan: options.plan,
      });
      // Loaded on use, as the use case loads the comparison: the Pulumi SDK would slow every other command's start.
      const { renderMarkdown, reportToJson } = await import('../../infra/parity.ts');
      const text = options.json ? JSON.stringify(reportToJson(report)) : renderMarkdown(report);
      process.stdout.write(`${redact(text)}\n`);
      if (report.gaps.length > 0 && options.json) {
        const list = report.gaps.map(
          (g) => `  ${g.subject} ${g.property} (unsupported on ${g.unsupportedOn.join(' and ')})`,
        );
        process.stderr.write(
          `${report.gaps.length} gap${report.gaps.length > 1 ? 's' : ''} not accepted in the plan (parity.accepted in ${options.plan}):\n${list.join('\n')}\n`,
        );
      }
      process.exitCode = report.equivalent ? EXIT.ok : EXIT.failed;
    });
}
