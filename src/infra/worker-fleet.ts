/**
 * `WorkerFleet`: machines running `cloudexit worker` next to the OVHcloud target, and the
 * PostgreSQL state that coordinates them (issue 13). A thin component: every resource is
 * declared by `createWorkerFleet` (worker-fleet-resources.ts) from the pure builders in
 * worker-fleet-args.ts, worker-fleet-cloud-init.ts and worker-fleet-systemd.ts.
 */
import * as pulumi from '@pulumi/pulumi';
import type { WarehouseSpec, WorkerFleetSpec } from '../warehouse/spec.ts';
import type { MigrationCredentials } from './ovh-warehouse.ts';
import type { OvhSettings } from './settings.ts';
import { createWorkerFleet, type WorkerFleetOutputs } from './worker-fleet-resources.ts';
import { QUALIFIED_MANAGED_POSTGRES_REGIONS, statePlacement } from './worker-fleet-placement.ts';

export interface WorkerFleetArgs {
  /** The warehouse the fleet copies into (names, PostgreSQL version). */
  spec: Pick<WarehouseSpec, 'name' | 'postgres'>;
  /** The `workers` block of the spec. */
  fleet: WorkerFleetSpec;
  /** The OVHcloud stack settings (project, region, VLAN, database plan, backups, logs). */
  settings: OvhSettings;
  /** The warehouse's OKMS, which holds the fleet's secrets. */
  okms: { id: pulumi.Input<string>; restEndpoint: pulumi.Input<string>; urn: pulumi.Input<string> };
  /** S3 credentials of the migration user (Pulumi secrets). */
  targetCredentials: MigrationCredentials;
  /**
   * Password of the worker role where the state runs on a fleet machine (a Pulumi secret).
   * Required then; unused with a managed database, whose provider generates it.
   * @default undefined
   */
  statePassword?: pulumi.Input<string> | undefined;
  /**
   * Image name the machines boot, as the region's image list spells it.
   * @default "Debian 12"
   */
  image?: string;
  /**
   * Node release installed on the machines.
   * @default "24.11.1"
   */
  nodeVersion?: string;
  /**
   * VLAN of the fleet network inside the vRack.
   * @default the warehouse's `vlanId` + 1
   */
  vlanId?: number;
  /**
   * The project's vRack attachment: the fleet network can only be created after it.
   * @default undefined (already attached)
   */
  vrackAttachment?: pulumi.Resource;
  /**
   * Regions where the managed PostgreSQL offer is SecNumCloud-qualified (decides `auto`).
   * @default QUALIFIED_MANAGED_POSTGRES_REGIONS (none)
   */
  qualifiedManagedRegions?: readonly string[];
}

export class WorkerFleet extends pulumi.ComponentResource {
  /** Where the state runs, the `--state` URL, the machines, and their OKMS access (secret). */
  readonly outputs: WorkerFleetOutputs;

  constructor(name: string, args: WorkerFleetArgs, opts?: pulumi.ComponentResourceOptions) {
    const qualified = args.qualifiedManagedRegions ?? QUALIFIED_MANAGED_POSTGRES_REGIONS;
    super(
      'cloudexit:workers:WorkerFleet',
      name,
      // Component inputs reach the policy pack: it checks the placement against its own list.
      {
        region: args.settings.region,
        count: args.fleet.count,
        networkCidr: args.fleet.cidr,
        stateDatabase: statePlacement(args.fleet.stateDatabase, args.settings.region, qualified),
      },
      opts,
    );
    this.outputs = createWorkerFleet(name, { ...args, qualifiedManagedRegions: qualified }, this);
    this.registerOutputs({
      stateUrl: this.outputs.state.url,
      workers: this.outputs.workers,
      okmsAccess: this.outputs.okmsAccess,
    });
  }
}
