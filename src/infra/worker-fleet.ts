/**
 * `WorkerFleet`: machines running `cloudexit worker` next to the OVHcloud target, and the
 * PostgreSQL state that coordinates them (issue 13). A thin component: every resource is
 * declared by `createWorkerFleet` (worker-fleet-resources.ts) from the pure builders in
 * worker-fleet-args.ts, worker-fleet-cloud-init.ts and worker-fleet-systemd.ts.
 */
import * as pulumi from '@pulumi/pulumi';
import type { WorkerFleetArgs } from './worker-fleet-args.ts';
import { createWorkerFleet, type WorkerFleetOutputs } from './worker-fleet-resources.ts';
import { QUALIFIED_MANAGED_POSTGRES_REGIONS, statePlacement } from './worker-fleet-placement.ts';

export type { WorkerFleetArgs } from './worker-fleet-args.ts';

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
