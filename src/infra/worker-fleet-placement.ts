/**
 * Where the fleet's PostgreSQL state runs, and how big its machines are. Pure data and
 * functions: the component, its tests and the policy pack read the same tables.
 */
import type { WorkerFleetSpec } from '../warehouse/spec.ts';
import { smallestCovering, type ComputeSize } from './postgres-compute-sizes.ts';

/**
 * Regions where OVHcloud's *managed* PostgreSQL (Public Cloud Databases) is on ANSSI's list
 * of SecNumCloud-qualified offers. Empty on purpose: the OVHcloud offers found qualified when
 * this was written are Hosted Private Cloud (VMware) SecNumCloud and Bare Metal Pod
 * SecNumCloud, not the managed databases. Add a region only with its ANSSI reference in
 * the commit, and the policy pack's `qualifiedManagedPostgresRegions` config with it.
 */
export const QUALIFIED_MANAGED_POSTGRES_REGIONS: readonly string[] = [];

/** Where the state database runs once `auto` is resolved. */
export type StatePlacement = 'managed' | 'instance';

/** `auto` means managed only where the managed offer is qualified in `region`. */
export function statePlacement(
  requested: WorkerFleetSpec['stateDatabase'],
  region: string,
  qualifiedRegions: readonly string[] = QUALIFIED_MANAGED_POSTGRES_REGIONS,
): StatePlacement {
  if (requested !== 'auto') return requested;
  const r = region.toUpperCase();
  return qualifiedRegions.some((q) => r === q.toUpperCase() || r.startsWith(`${q.toUpperCase()}-`))
    ? 'managed'
    : 'instance';
}

/** OVHcloud Public Cloud instance flavors (b3 general purpose), transcribed like the database table. */
export const OVH_INSTANCE_FLAVORS: Readonly<Record<string, ComputeSize>> = {
  'b3-8': { vcpus: 2, memoryGb: 8 },
  'b3-16': { vcpus: 4, memoryGb: 16 },
  'b3-32': { vcpus: 8, memoryGb: 32 },
  'b3-64': { vcpus: 16, memoryGb: 64 },
};

/** The flavor name of one worker, or an error naming the table to extend. */
export function workerFlavor(size: ComputeSize): string {
  const flavor = smallestCovering(OVH_INSTANCE_FLAVORS, size);
  if (flavor === undefined)
    throw new Error(
      `no OVHcloud instance flavor in src/infra/worker-fleet-placement.ts covers ${size.vcpus} vCPU / ` +
        `${size.memoryGb} GB; add one there`,
    );
  return flavor;
}

/**
 * Connections each worker holds: its claim/heartbeat session and its recording session.
 * The pool of the worker may open more under load; two is its floor, four its ceiling.
 */
const CONNECTIONS_PER_WORKER = 4;
/** Headroom for `status`, `cutover`, an operator's psql and the database's own workers. */
const SPARE_CONNECTIONS = 20;

/** What the state database must hold for `workers` workers: connections and compute. */
export interface StateDatabaseSize extends ComputeSize {
  maxConnections: number;
}

/**
 * Sizing of the state database from the fleet size. Claims are short transactions
 * (`FOR UPDATE SKIP LOCKED` on an index), so the bound is connections and memory per
 * connection, not CPU: one vCPU per 25 workers, 4 GB plus 32 MB per connection.
 */
export function stateDatabaseSize(workers: number): StateDatabaseSize {
  const maxConnections = workers * CONNECTIONS_PER_WORKER + SPARE_CONNECTIONS;
  const vcpus = Math.max(2, Math.ceil(workers / 25));
  const memoryGb = Math.max(8, Math.ceil(4 + (maxConnections * 32) / 1024));
  return { vcpus, memoryGb, maxConnections };
}
