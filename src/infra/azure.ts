/**
 * `AzureWarehouse`: the warehouse of a spec on Microsoft Azure. A thin component: every
 * resource is declared by `createAzureWarehouse` (azure-warehouse.ts), whose arguments
 * come from the pure builders in `azure-*.ts`.
 */
import * as pulumi from '@pulumi/pulumi';
import { createAzureWarehouse, type AzureWarehouseArgs } from './azure-warehouse.ts';
import type { WarehouseOutputs } from './outputs.ts';

export class AzureWarehouse extends pulumi.ComponentResource {
  /** Endpoints, names and key ids, in the shape shared with the OVHcloud stack. */
  readonly outputs: pulumi.Output<WarehouseOutputs>;

  constructor(name: string, args: AzureWarehouseArgs, opts?: pulumi.ComponentResourceOptions) {
    const { spec, settings } = args;
    super(
      'cloudexit:warehouse:AzureWarehouse',
      name,
      { host: 'azure', region: settings.location, warehouse: spec.name, qualification: args.qualification },
      opts,
    );
    this.outputs = createAzureWarehouse(name, args, this);
    this.registerOutputs({ outputs: this.outputs });
  }
}
