/**
 * Stack parity: do the Azure and OVHcloud warehouse stacks declare equivalent resources,
 * property by property? Offline by default (both Pulumi programs under mocks, from the stack
 * files and the spec); `fromState` compares two `pulumi stack export` files instead.
 */
import type { DeclaredResource } from '../infra/declared.ts';
import type { AcceptedGap, ParityReport } from '../infra/parity.ts';
import { loadPlan } from '../plan/load.ts';
import { DEFAULT_SPEC_FILE } from '../warehouse/load.ts';
import { UserError } from '../errors.ts';
import { DEFAULT_PLAN, DEFAULT_STACK_FILES } from './paths.ts';

export interface ParityOptions {
  /** The warehouse spec both programs are built from (offline). @default `stacks/warehouse.yaml` */
  spec?: string | undefined;
  /** The two stack settings files (offline). @default `stacks/Pulumi.azure-emc2.yaml`, `stacks/Pulumi.ovh-emc2.yaml` */
  stackFiles?: readonly string[] | undefined;
  /** Two `pulumi stack export` files of deployed stacks, compared instead. @default none (offline) */
  fromState?: readonly string[] | undefined;
  /** The plan whose `parity.accepted` says which unsupported properties are accepted. @default `runbooks/emc2/plan.yaml` */
  plan?: string | undefined;
  /** The accepted gaps, instead of reading them from `plan`. */
  accepted?: readonly AcceptedGap[] | undefined;
}

export type { ParityReport };

/**
 * Compares the two stacks property by property; `equivalent` when nothing differs and the
 * plan accepts every property one host cannot declare (the rest are listed in `gaps`).
 */
export async function parity(options: ParityOptions = {}): Promise<ParityReport> {
  const accepted = options.accepted ?? (await loadPlan(options.plan ?? DEFAULT_PLAN)).parity.accepted;
  // Loaded on use: the Pulumi SDK would otherwise slow the start of every other use case.
  const { parity: compare } = await import('../infra/parity.ts');
  const [left, right] = await declaredPair(options);
  return compare(left, right, accepted);
}

async function declaredPair(options: ParityOptions): Promise<readonly [DeclaredResource[], DeclaredResource[]]> {
  const { declaredFromStateFile, declareUnderMocks } = await import('../infra/declared.ts');
  if (options.fromState !== undefined) {
    const files = pair(options.fromState, '--from-state', 'pass two files: --from-state azure.json ovh.json');
    return [declaredFromStateFile(files[0]), declaredFromStateFile(files[1])] as const;
  }
  const files = pair(
    options.stackFiles ?? DEFAULT_STACK_FILES,
    '--stack-files',
    'pass two files: --stack-files stacks/Pulumi.azure-emc2.yaml stacks/Pulumi.ovh-emc2.yaml',
  );
  const spec = options.spec ?? DEFAULT_SPEC_FILE;
  // One after the other: the mocked Pulumi runtime is process-wide.
  const left = await declareUnderMocks(files[0], spec);
  const right = await declareUnderMocks(files[1], spec);
  return [left, right] as const;
}

function pair(files: readonly string[], flag: string, fix: string): [string, string] {
  const [a, b] = files;
  if (files.length !== 2 || a === undefined || b === undefined)
    throw new UserError(`${flag} takes exactly two files (got ${files.length})`, { fix });
  return [a, b];
}
