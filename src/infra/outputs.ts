/**
 * The one shape both warehouse stacks export (`pulumi stack output warehouse`), so the
 * migration plan and the copy engine can take their endpoints from whichever host a
 * stack targets without knowing which one it is. Secrets are never part of it: the OVH
 * stack exports its S3 credentials separately, as Pulumi secrets.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../errors.ts';

const datasetEndpoint = z.strictObject({
  /** Blob service URL (Azure) or S3 API URL (OVHcloud). */
  endpoint: z.string(),
  /** Container (Azure) or bucket (S3) name. */
  container: z.string(),
  prefix: z.string(),
});

const warehouseOutputs = z.strictObject({
  host: z.enum(['azure', 'ovh']),
  region: z.string(),
  datasets: z.record(z.string(), datasetEndpoint),
  database: z.strictObject({
    host: z.string(),
    port: z.number().int(),
    name: z.string(),
    databases: z.array(z.string()),
  }),
  /** Key identifiers (Key Vault key URI, OKMS service key id): identifiers, not key material. */
  keys: z.strictObject({ storage: z.string(), database: z.string() }),
});
export type WarehouseOutputs = z.output<typeof warehouseOutputs>;

/**
 * Reads the `warehouse` output of a stack from a file written by
 * `pulumi stack output --json > file` (scripts/stacks-up.mjs writes them to
 * `.cloudexit/stacks/<stack>.outputs.json`).
 */
export function readWarehouseOutputs(file: string): WarehouseOutputs {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`cannot read stack outputs: ${(err as Error).message}`, {
      where: file,
      fix: 'run scripts/stacks-up.mjs, or `pulumi stack output --json -s <stack> > <file>`',
    });
  }
  const candidate = (raw as { warehouse?: unknown } | null)?.warehouse ?? raw;
  const parsed = warehouseOutputs.safeParse(candidate);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new UserError(
      `stack outputs do not have the warehouse shape: ${first?.path.join('.') ?? ''} ${first?.message ?? ''}`,
      {
        where: file,
        fix: 'export the file from a stack built by src/infra/program.ts (it has a "warehouse" output)',
      },
    );
  }
  return parsed.data;
}
