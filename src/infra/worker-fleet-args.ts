/**
 * Pure builders of the fleet's resource arguments: network ranges, the managed state
 * database, the instances, the worker environment. `createWorkerFleet` only wires them.
 */
import type * as pulumi from '@pulumi/pulumi';
import type { MigrationCredentials } from './migration-credentials.ts';
import type { DatabaseArgs } from '@ovhcloud/pulumi-ovh/cloudproject/database.js';
import type { InstanceArgs } from '@ovhcloud/pulumi-ovh/cloudproject/instance.js';
import type { NetworkPrivateSubnetArgs } from '@ovhcloud/pulumi-ovh/cloudproject/networkPrivateSubnet.js';
import { cidrRange, type WarehouseSpec, type WorkerFleetSpec } from '../warehouse/spec.ts';
import { postgresFlavor } from './ovh-args.ts';
import type { OvhSettings } from './settings.ts';
import { stateDatabaseSize } from './worker-fleet-placement.ts';

/** What the `WorkerFleet` component is declared with (worker-fleet.ts). */
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

/** Names inside the state database; the URL and the roles agree through these. */
export const STATE_DATABASE = 'cloudexit_state';
export const STATE_ROLE = 'cloudexit_worker';

function ipOf(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

/** Addresses of the fleet network: the state database's fixed one, then the DHCP range. */
export function fleetAddresses(cidr: string): { stateDatabase: string; dhcpStart: string; dhcpEnd: string } {
  const range = cidrRange(cidr);
  if (!range || range.last - range.first < 32)
    throw new Error(`workers.cidr ${cidr} is too small for a fleet; use a /26 or larger, such as 10.41.0.0/24`);
  return { stateDatabase: ipOf(range.first + 5), dhcpStart: ipOf(range.first + 10), dhcpEnd: ipOf(range.last - 1) };
}

export function fleetSubnetArgs(
  fleet: Pick<WorkerFleetSpec, 'cidr'>,
  settings: Pick<OvhSettings, 'projectId' | 'region'>,
  networkId: pulumi.Input<string>,
): NetworkPrivateSubnetArgs {
  const { dhcpStart, dhcpEnd } = fleetAddresses(fleet.cidr);
  return {
    serviceName: settings.projectId,
    networkId,
    region: settings.region,
    network: fleet.cidr,
    start: dhcpStart,
    end: dhcpEnd,
    dhcp: true,
    // Unlike the warehouse network, the fleet needs egress (the Azure source, the S3
    // endpoint, package mirrors): through the managed gateway below, never inbound.
    noGateway: false,
  };
}

/** `--state`: no password in it; the worker takes PGPASSWORD from its environment file. */
export function stateUrl(host: string, port: number): string {
  return `postgresql://${STATE_ROLE}@${host}:${port}/${STATE_DATABASE}?sslmode=require`;
}

/**
 * The managed state database: on the fleet network only, IP restrictions to the fleet's
 * range, backups where the warehouse's go, sized for the fleet's connections.
 */
export function stateDatabaseArgs(
  spec: Pick<WarehouseSpec, 'name' | 'postgres'>,
  fleet: Pick<WorkerFleetSpec, 'count' | 'cidr'>,
  settings: OvhSettings,
  net: { networkId: pulumi.Input<string>; subnetId: pulumi.Input<string> },
): DatabaseArgs {
  const flavor = postgresFlavor(stateDatabaseSize(fleet.count));
  const node = { region: settings.region, networkId: net.networkId, subnetId: net.subnetId };
  return {
    serviceName: settings.projectId,
    description: `${spec.name} cloudexit worker state`,
    engine: 'postgresql',
    version: spec.postgres.version,
    plan: settings.databasePlan,
    flavor,
    diskSize: 64,
    nodes: Array.from({ length: settings.databasePlan === 'essential' ? 1 : 2 }, () => node),
    ipRestrictions: [{ ip: fleet.cidr, description: `${spec.name} worker fleet` }],
    backupRegions: settings.backupRegions,
    deletionProtection: true,
  };
}

export interface FleetInstanceInput {
  name: string;
  flavorId: pulumi.Input<string>;
  imageId: pulumi.Input<string>;
  networkId: pulumi.Input<string>;
  subnetId: pulumi.Input<string>;
  gatewayId: pulumi.Input<string>;
  userData: pulumi.Input<string>;
  /**
   * A fixed address in the fleet network (the state database's).
   * @default undefined (DHCP)
   */
  ip?: string;
}

/** An instance on the fleet network only: no public interface, egress through the gateway. */
export function fleetInstanceArgs(
  settings: Pick<OvhSettings, 'projectId' | 'region'>,
  i: FleetInstanceInput,
): InstanceArgs {
  return {
    serviceName: settings.projectId,
    region: settings.region,
    name: i.name,
    billingPeriod: 'hourly',
    flavor: { flavorId: i.flavorId },
    bootFrom: { imageId: i.imageId },
    network: {
      public: false,
      private: {
        network: { id: i.networkId, subnetId: i.subnetId },
        gateway: { id: i.gatewayId },
        ...(i.ip ? { ip: i.ip } : {}),
      },
    },
    userData: i.userData,
  };
}

/** Values of the target credentials and the state password, by environment variable. */
export interface WorkerSecretValues {
  statePassword: string;
  targetAccessKeyId: string;
  targetSecretAccessKey: string;
}

/**
 * The OKMS secret the workers read at boot: environment variables named as the plan names
 * them (runbooks/emc2/plan.yaml) and as the PostgreSQL state reads its password.
 */
export function workerEnvironment(values: WorkerSecretValues): string {
  return JSON.stringify({
    PGPASSWORD: values.statePassword,
    CLOUDEXIT_TARGET_ACCESS_KEY_ID: values.targetAccessKeyId,
    CLOUDEXIT_TARGET_SECRET_ACCESS_KEY: values.targetSecretAccessKey,
  });
}

/**
 * Where the fleet's secrets live in OKMS: the workers' environment and the state machine's
 * (its role password only: it has no use for the S3 keys), written by this program; the
 * source credentials, written by the operator.
 */
export function secretPaths(spec: Pick<WarehouseSpec, 'name'>): {
  environment: string;
  stateRole: string;
  source: string;
} {
  const base = `cloudexit/${spec.name}/workers`;
  return { environment: `${base}/environment`, stateRole: `${base}/state-role`, source: `${base}/source` };
}
