/**
 * What a stack declares, as a flat list of resources with their inputs, from either
 * source parity accepts:
 * - offline: the Pulumi program run under `pulumi.runtime.setMocks` (no cloud, no CLI);
 * - deployed: a `pulumi stack export` file, whose resources carry the inputs last applied.
 *
 * Both give the same records, so one set of extractors (parity-facts.ts) reads either.
 */
import { readFileSync } from 'node:fs';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { UserError } from '../errors.ts';
import { loadWarehouseSpec } from '../warehouse/load.ts';
import { mockCall, mockOutputs } from './mocks.ts';
import { parseStackConfig, type RawStackConfig, type StackConfig } from './stack-config.ts';

export interface DeclaredResource {
  /** Pulumi type token, e.g. `azure-native:storage:StorageAccount`. */
  type: string;
  /** Logical name (last URN segment). */
  name: string;
  /** Inputs as declared; secret values are never read from it. */
  inputs: Record<string, unknown>;
}

/** Reads the `cloudexit:*` keys of `stacks/Pulumi.<stack>.yaml`. Encrypted values stay encrypted: none is needed offline. */
function readStackFile(file: string): StackConfig {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(
      `cannot read the stack settings: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      { where: file, fix: 'pass the path of a stacks/Pulumi.<stack>.yaml file' },
    );
  }
  const config = ((doc as { config?: Record<string, unknown> } | null)?.config ?? {}) as Record<string, unknown>;
  const raw: RawStackConfig = {};
  for (const key of ['host', 'spec', 'azure', 'ovh', 'qualification'] as const) {
    if (config[`cloudexit:${key}`] !== undefined) raw[key] = config[`cloudexit:${key}`];
  }
  return parseStackConfig(raw, file);
}

/**
 * Runs the program of one stack under Pulumi mocks and returns every resource it
 * declared. `specFile` overrides the stack's `cloudexit:spec`.
 */
export async function declareUnderMocks(stackFile: string, specFile?: string): Promise<DeclaredResource[]> {
  const config = readStackFile(stackFile);
  const spec = loadWarehouseSpec(specFile ?? config.specFile);
  const declared: DeclaredResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        declared.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        const state = { ...args.inputs, ...mockOutputs(args.type, args.name, args.inputs) };
        return { id: typeof state['id'] === 'string' ? state['id'] : `${args.name}-id`, state };
      },
      call: (args) => mockCall(args.token, args.inputs),
    },
    'cloudexit',
    stackNameOf(stackFile),
    false,
  );
  // The program module is imported only now, after the mocks are in place.
  const { defineWarehouse } = await import('./program.ts');
  const stack = defineWarehouse(config, spec);
  await new Promise<void>((resolve) => stack.warehouse.apply(() => resolve()));
  await settle();
  return declared;
}

/** `ovh-emc2` from `stacks/Pulumi.ovh-emc2.yaml`. */
function stackNameOf(stackFile: string): string {
  return /Pulumi\.(.+)\.ya?ml$/.exec(stackFile)?.[1] ?? 'offline';
}

/** Waits until the mocked runtime has no registration in flight. */
async function settle(): Promise<void> {
  // `waitForRPCs` is exported by the runtime but marked internal in its typings.
  const wait = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
  if (wait) await wait();
  else await new Promise((r) => setTimeout(r, 50));
}

/** Resources of a `pulumi stack export` file (deployment format v3). */
export function declaredFromStateFile(file: string): DeclaredResource[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(
      `cannot read the stack export: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      {
        where: file,
        fix: 'write it with `pulumi stack export -s <stack> --file <file>` (without --show-secrets)',
      },
    );
  }
  const resources = (doc as { deployment?: { resources?: unknown } } | null)?.deployment?.resources;
  if (!Array.isArray(resources)) {
    throw new UserError('not a Pulumi stack export: no deployment.resources array', {
      where: file,
      fix: 'write it with `pulumi stack export -s <stack> --file <file>`',
    });
  }
  return resources
    .filter(
      (r): r is { urn: string; type: string; inputs?: Record<string, unknown> } =>
        typeof r?.urn === 'string' && typeof r?.type === 'string',
    )
    .map((r) => ({ type: r.type, name: r.urn.split('::').at(-1) ?? r.urn, inputs: r.inputs ?? {} }));
}
