/**
 * The Pulumi program (`main` in Pulumi.yaml). One program, two hosts: the stack's
 * `cloudexit:host` picks `AzureWarehouse` or `OvhWarehouse`, both built from the same
 * spec file. Pulumi loads this module and calls its default export; the returned object
 * becomes the stack outputs.
 */
import * as pulumi from '@pulumi/pulumi';
import { loadWarehouseSpec } from '../warehouse/load.ts';
import type { WarehouseSpec } from '../warehouse/spec.ts';
import { AzureWarehouse } from './azure.ts';
import type { WarehouseOutputs } from './outputs.ts';
import { OvhWarehouse } from './ovh.ts';
import type { MigrationCredentials } from './migration-credentials.ts';
import { parseStackConfig, type StackConfig } from './stack-config.ts';

export interface WarehouseStack {
  /** The shared output shape (`pulumi stack output warehouse`). */
  warehouse: pulumi.Output<WarehouseOutputs>;
  /** OVHcloud only: the migration user's S3 credentials, as secrets. */
  migrationCredentials?: MigrationCredentials;
}

/** Reads the stack's `cloudexit:*` configuration. */
export function readStackConfig(): StackConfig {
  const config = new pulumi.Config('cloudexit');
  const stackFile = `stacks/Pulumi.${pulumi.getStack()}.yaml`;
  return parseStackConfig(
    {
      host: config.get('host'),
      spec: config.get('spec'),
      azure: config.getObject('azure'),
      ovh: config.getObject('ovh'),
      qualification: config.getObject('qualification'),
    },
    stackFile,
  );
}

/** Declares the warehouse of `spec` on the host `config` names. */
export function defineWarehouse(config: StackConfig, spec: WarehouseSpec): WarehouseStack {
  const name = spec.name;
  if (config.host === 'azure') {
    const wh = new AzureWarehouse(name, { spec, settings: config.azure, qualification: config.qualification });
    return { warehouse: wh.outputs };
  }
  const wh = new OvhWarehouse(name, { spec, settings: config.ovh, qualification: config.qualification });
  return { warehouse: wh.outputs, migrationCredentials: wh.migrationCredentials };
}

export default async function main(): Promise<WarehouseStack> {
  const config = readStackConfig();
  return defineWarehouse(config, loadWarehouseSpec(config.specFile));
}
