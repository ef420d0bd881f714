/**
 * `cloudexit parity`: are the Azure and OVHcloud warehouse stacks equivalent? Offline by
 * default (both programs run under Pulumi mocks, from the stack files and the spec);
 * `--from-state` compares two `pulumi stack export` files of deployed stacks instead.
 * Exit 0 when no property differs, 1 when one does, 2 on bad input.
 */
import type { Command } from 'commander';
import type { DeclaredResource } from '../../infra/declared.ts';
import { redact } from '../../secrets/redact.ts';
import { DEFAULT_SPEC_FILE } from '../../warehouse/load.ts';
import { EXIT, UserError } from '../../errors.ts';

const DEFAULT_STACK_FILES = ['stacks/Pulumi.azure-emc2.yaml', 'stacks/Pulumi.ovh-emc2.yaml'];

interface ParityOptions {
  spec: string;
  stackFiles: string[];
  fromState?: string[];
  json?: boolean;
  markdown?: boolean;
}

export function registerParityCommand(program: Command): void {
  program
    .command('parity')
    .description('compare what the two warehouse stacks declare, property by property (exit 1 if any differs)')
    .option('--spec <file>', 'warehouse spec both programs are built from (offline mode)', DEFAULT_SPEC_FILE)
    .option('--stack-files <files...>', 'the two stack settings files (offline mode)', DEFAULT_STACK_FILES)
    .option('--from-state <files...>', 'compare two `pulumi stack export` files of deployed stacks instead')
    .option('--json', 'print one JSON object')
    .option('--markdown', 'print a Markdown table (the default)')
    .action(async (options: ParityOptions) => {
      // Loaded on use: the Pulumi SDK would otherwise slow every other command's start.
      const { parity, renderMarkdown, reportToJson } = await import('../../infra/parity.ts');
      const [left, right] = await declaredPair(options);
      const report = parity(left, right);
      const text = options.json ? JSON.stringify(reportToJson(report)) : renderMarkdown(report);
      process.stdout.write(`${redact(text)}\n`);
      process.exitCode = report.equivalent ? EXIT.ok : EXIT.failed;
    });
}

async function declaredPair(options: ParityOptions): Promise<readonly [DeclaredResource[], DeclaredResource[]]> {
  const { declaredFromStateFile, declareUnderMocks } = await import('../../infra/declared.ts');
  if (options.fromState !== undefined) {
    const files = pair(options.fromState, '--from-state', 'pass two files: --from-state azure.json ovh.json');
    return [declaredFromStateFile(files[0]), declaredFromStateFile(files[1])] as const;
  }
  const files = pair(options.stackFiles, '--stack-files', 'pass two files: --stack-files stacks/Pulumi.azure-emc2.yaml stacks/Pulumi.ovh-emc2.yaml');
  // One after the other: the mocked Pulumi runtime is process-wide.
  const left = await declareUnderMocks(files[0], options.spec);
  const right = await declareUnderMocks(files[1], options.spec);
  return [left, right] as const;
}

function pair(files: string[], flag: string, fix: string): [string, string] {
  const [a, b] = files;
  if (files.length !== 2 || a === undefined || b === undefined) throw new UserError(`${flag} takes exactly two files (got ${files.length})`, { fix });
  return [a, b];
}
