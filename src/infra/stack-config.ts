/**
 * Reads the `cloudexit:*` keys of a stack's configuration into typed settings. Pure: the
 * Pulumi program passes what `pulumi.Config` returned, and the offline parity run passes
 * what it read from `stacks/Pulumi.<stack>.yaml`, so both go through the same checks.
 */
import type { z } from 'zod';
import { UserError } from '../errors.ts';
import { DEFAULT_SPEC_FILE } from '../warehouse/load.ts';
import {
  azureSettings,
  hostName,
  ovhSettings,
  qualificationEvidence,
  type AzureSettings,
  type HostName,
  type OvhSettings,
  type QualificationEvidence,
} from './settings.ts';

export type StackConfig =
  | { host: 'azure'; specFile: string; azure: AzureSettings; qualification: QualificationEvidence | undefined }
  | { host: 'ovh'; specFile: string; ovh: OvhSettings; qualification: QualificationEvidence | undefined };

/** Raw `cloudexit:*` values: strings or already-parsed objects (Pulumi stores objects as JSON text). */
export type RawStackConfig = Partial<Record<'host' | 'spec' | 'azure' | 'ovh' | 'qualification', unknown>>;

/** `where` names the stack file in messages, e.g. `stacks/Pulumi.ovh-emc2.yaml`. */
export function parseStackConfig(raw: RawStackConfig, where: string): StackConfig {
  const host = hostName.safeParse(raw.host);
  if (!host.success) {
    throw new UserError(`cloudexit:host must be "azure" or "ovh" (got ${JSON.stringify(raw.host ?? null)})`, {
      where,
      fix: 'set cloudexit:host: azure or cloudexit:host: ovh in the stack file',
    });
  }
  const specFile = typeof raw.spec === 'string' && raw.spec !== '' ? raw.spec : DEFAULT_SPEC_FILE;
  const qualification =
    raw.qualification === undefined
      ? undefined
      : check(qualificationEvidence, raw.qualification, 'cloudexit:qualification', where);
  return host.data === 'azure'
    ? {
        host: 'azure',
        specFile,
        azure: check(azureSettings, required(raw.azure, 'azure', where), 'cloudexit:azure', where),
        qualification,
      }
    : {
        host: 'ovh',
        specFile,
        ovh: check(ovhSettings, required(raw.ovh, 'ovh', where), 'cloudexit:ovh', where),
        qualification,
      };
}

function required(value: unknown, key: HostName, where: string): unknown {
  if (value === undefined)
    throw new UserError(`cloudexit:${key} is missing`, {
      where,
      fix: `add a cloudexit:${key} block (see stacks/Pulumi.${key}-emc2.yaml)`,
    });
  return value;
}

function check<S extends z.ZodType>(schema: S, value: unknown, key: string, where: string): z.output<S> {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new UserError(`${key} is not an object`, {
        where,
        fix: `write ${key} as a YAML mapping in the stack file`,
      });
    }
  }
  const result = schema.safeParse(parsed);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${key}${i.path.length ? `.${i.path.join('.')}` : ''}: ${i.message}`);
  throw new UserError(`${key} has ${lines.length} problem${lines.length > 1 ? 's' : ''}\n${lines.join('\n')}`, {
    where,
    fix: 'correct each line above in the stack file (src/infra/settings.ts documents every field)',
  });
}
