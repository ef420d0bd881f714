/**
 * `OvhWarehouse`: the warehouse of a spec on OVHcloud Public Cloud. A thin component:
 * every resource is declared by `createOvhWarehouse` (ovh-warehouse.ts), whose arguments
 * come from the pure builders in `ovh-args.ts`.
 */
import * as pulumi from '@pulumi/pulumi';
import type { WarehouseOutputs } from './outputs.ts';
import { createOvhWarehouse, type MigrationCredentials, type OvhWarehouseArgs } from './ovh-warehouse.ts';

export class OvhWarehouse extends pulumi.ComponentResource {
  /** Endpoints, names and key ids, in the shape shared with the Azure stack. */
  readonly outputs: pulumi.Output<WarehouseOutputs>;
  /** For the copy engine; exported as secrets, never printed. */
  readonly migrationCredentials: MigrationCredentials;

  constructor(name: string, args: OvhWarehouseArgs, opts?: pulumi.ComponentResourceOptions) {
    const { spec, settings } = args;
    super(
      'cloudexit:warehouse:OvhWarehouse',
      name,
      { host: 'ovh', region: settings.region, warehouse: spec.name, qualification: args.qualification },
      opts,
    );
    ({ outputs: this.outputs, migrationCredentials: this.migrationCredentials } = createOvhWarehouse(name, args, this));
    this.registerOutputs({ outputs: this.outputs, migrationCredentials: this.migrationCredentials });
  }
}
