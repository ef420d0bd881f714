/**
 * Pure builders for the OVHcloud side of the warehouse (`@ovhcloud/pulumi-ovh` 2.19):
 * buckets, their recovery window, the migration user's S3 policy, the managed
 * PostgreSQL cluster and its private network. Field names follow the installed type
 * definitions, which are authoritative for the pinned provider version.
 */
import type * as pulumi from '@pulumi/pulumi';
import type { CloudProjectStorageObjectBucketLifecycleConfigurationArgs } from '@ovhcloud/pulumi-ovh/cloudProjectStorageObjectBucketLifecycleConfiguration.js';
import type { DatabaseArgs } from '@ovhcloud/pulumi-ovh/cloudproject/database.js';
import type { NetworkPrivateSubnetArgs } from '@ovhcloud/pulumi-ovh/cloudproject/networkPrivateSubnet.js';
import type { S3PolicyArgs } from '@ovhcloud/pulumi-ovh/cloudproject/s3policy.js';
import type { StorageArgs } from '@ovhcloud/pulumi-ovh/cloudproject/storage.js';
import { bucketName, type ObjectDataset, type PostgresServerSpec, type WarehouseSpec } from '../warehouse/spec.ts';
import type { OvhSettings } from './settings.ts';
import { OVH_POSTGRES_FLAVORS, smallestCovering } from './postgres-compute-sizes.ts';
import { datasetTags } from './tags.ts';

export function bucketArgs(
  spec: Pick<WarehouseSpec, 'name'>,
  dataset: ObjectDataset,
  settings: Pick<OvhSettings, 'projectId' | 'region'>,
): StorageArgs {
  return {
    serviceName: settings.projectId,
    regionName: settings.region,
    name: bucketName(spec, dataset),
    versioning: { status: dataset.versioning ? 'enabled' : 'disabled' },
    // Server-side encryption with a key OVHcloud holds: the provider has no field for a
    // customer-managed key on buckets (parity reports it).
    encryption: { sseAlgorithm: 'AES256' },
    // Object lock can only be turned on when the bucket is created.
    ...(dataset.immutability
      ? {
          objectLock: {
            status: 'enabled',
            rule: { mode: dataset.immutability.mode, period: `P${dataset.immutability.days}D` },
          },
        }
      : {}),
    // Object keys of health datasets stay out of the Pulumi state.
    hideObjects: true,
    tags: datasetTags(spec, dataset),
  };
}

/**
 * The recovery window: a deleted or overwritten object survives as a noncurrent version
 * for `retentionDays`, then expires. Without versioning there is nothing to keep, so
 * only abandoned multipart uploads are cleaned.
 */
export function lifecycleArgs(
  spec: Pick<WarehouseSpec, 'name'>,
  dataset: ObjectDataset,
  settings: Pick<OvhSettings, 'projectId' | 'region'>,
): CloudProjectStorageObjectBucketLifecycleConfigurationArgs {
  const abandonedUploads = {
    id: 'abort-abandoned-uploads',
    status: 'enabled',
    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
  };
  const recovery = {
    id: 'recovery-window',
    status: 'enabled',
    noncurrentVersionExpiration: { noncurrentDays: dataset.retentionDays },
  };
  return {
    serviceName: settings.projectId,
    regionName: settings.region,
    containerName: bucketName(spec, dataset),
    rules: dataset.versioning ? [recovery, abandonedUploads] : [abandonedUploads],
  };
}

/** What the migration user may do: copy into the warehouse buckets and check what it copied. Nothing on bucket settings, locks or other buckets. */
const MIGRATION_BUCKET_ACTIONS = [
  's3:ListBucket',
  's3:GetBucketLocation',
  's3:ListBucketMultipartUploads',
  's3:GetBucketVersioning',
  's3:GetBucketObjectLockConfiguration',
] as const;
const MIGRATION_OBJECT_ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  's3:DeleteObject',
  's3:AbortMultipartUpload',
  's3:ListMultipartUploadParts',
] as const;

/** The S3 policy document, naming each bucket: no `*` action, no `*` resource. */
export function migrationPolicyDocument(buckets: readonly string[]): string {
  return JSON.stringify({
    Statement: [
      {
        Sid: 'WarehouseBuckets',
        Effect: 'Allow',
        Action: [...MIGRATION_BUCKET_ACTIONS],
        Resource: buckets.map((b) => `arn:aws:s3:::${b}`),
      },
      {
        Sid: 'WarehouseObjects',
        Effect: 'Allow',
        Action: [...MIGRATION_OBJECT_ACTIONS],
        Resource: buckets.map((b) => `arn:aws:s3:::${b}/*`),
      },
    ],
  });
}

export function migrationPolicyArgs(
  spec: WarehouseSpec,
  settings: Pick<OvhSettings, 'projectId'>,
  userId: pulumi.Input<string>,
): S3PolicyArgs {
  return {
    serviceName: settings.projectId,
    userId,
    policy: migrationPolicyDocument(spec.datasets.map((d) => bucketName(spec, d))),
  };
}

/** Nodes each managed-database plan runs; two or more means a standby takes over. */
const PLAN_NODES = { essential: 1, business: 2, enterprise: 3 } as const;

/** The smallest OVHcloud database flavor covering `size`, or an error naming the table to extend. */
export function postgresFlavor(size: Pick<PostgresServerSpec['size'], 'vcpus' | 'memoryGb'>): string {
  const flavor = smallestCovering(OVH_POSTGRES_FLAVORS, size);
  if (flavor === undefined)
    throw new Error(
      `no OVHcloud database flavor in src/infra/postgres-compute-sizes.ts covers ${size.vcpus} vCPU / ${size.memoryGb} GB; add one there`,
    );
  return flavor;
}

export interface DatabaseNetwork {
  /** Regional OpenStack id of the private network. */
  networkId: pulumi.Input<string>;
  subnetId: pulumi.Input<string>;
}

export function databaseArgs(spec: WarehouseSpec, settings: OvhSettings, net: DatabaseNetwork): DatabaseArgs {
  const pg = spec.postgres;
  if (pg.highAvailability && PLAN_NODES[settings.databasePlan] < 2) {
    throw new Error(
      `the spec asks for PostgreSQL high availability but cloudexit:ovh.databasePlan is "${settings.databasePlan}" (one node); use "business" or "enterprise"`,
    );
  }
  const node = { region: settings.region, networkId: net.networkId, subnetId: net.subnetId };
  return {
    serviceName: settings.projectId,
    description: `${spec.name} warehouse PostgreSQL (cloudexit)`,
    engine: 'postgresql',
    version: pg.version,
    plan: settings.databasePlan,
    flavor: postgresFlavor(pg.size),
    diskSize: pg.size.storageGb,
    nodes: Array.from({ length: PLAN_NODES[settings.databasePlan] }, () => node),
    // Only the warehouse's private network may connect; an empty list would mean nobody.
    ipRestrictions: [{ ip: spec.network.cidr, description: `${spec.name} private network` }],
    backupRegions: settings.backupRegions,
    deletionProtection: true,
  };
}

export function subnetArgs(
  spec: WarehouseSpec,
  settings: OvhSettings,
  networkId: pulumi.Input<string>,
): NetworkPrivateSubnetArgs {
  return {
    serviceName: settings.projectId,
    networkId,
    region: settings.region,
    network: spec.network.cidr,
    start: settings.dhcpStart,
    end: settings.dhcpEnd,
    dhcp: true,
    // No default gateway: nothing in the warehouse network routes to the internet.
    noGateway: true,
  };
}
