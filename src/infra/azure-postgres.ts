/**
 * Pure builders for Azure Database for PostgreSQL flexible server: private access only
 * (delegated subnet + private DNS zone), a customer-managed key, Entra-only logins, and
 * the server parameters that enforce TLS 1.2 and log sessions.
 */
import type * as pulumi from '@pulumi/pulumi';
import type { ConfigurationArgs } from '@pulumi/azure-native/dbforpostgresql/configuration.js';
import type { DatabaseArgs } from '@pulumi/azure-native/dbforpostgresql/database.js';
import type { ServerArgs } from '@pulumi/azure-native/dbforpostgresql/server.js';
import type { PostgresServerSpec } from '../warehouse/spec.ts';
import { AZURE_POSTGRES_SKUS, smallestCovering } from './postgres-compute-sizes.ts';

export interface ServerInputs {
  resourceGroupName: pulumi.Input<string>;
  location: string;
  delegatedSubnetId: pulumi.Input<string>;
  privateDnsZoneId: pulumi.Input<string>;
  identityId: pulumi.Input<string>;
  /**
   * Versioned key URI: the server pins a key version, so after Key Vault rotates the key
   * a `pulumi refresh && pulumi up` moves the server to the new version.
   */
  keyUriWithVersion: pulumi.Input<string>;
  tenantId: pulumi.Input<string>;
  tags: Record<string, string>;
}

/** The SKU for the spec's size, or an error naming the table to extend. */
function postgresSku(size: PostgresServerSpec['size']): { name: string; tier: 'GeneralPurpose' | 'MemoryOptimized' } {
  const name = smallestCovering(AZURE_POSTGRES_SKUS, size);
  const entry = name === undefined ? undefined : AZURE_POSTGRES_SKUS[name];
  if (name === undefined || entry === undefined) {
    throw new Error(
      `no Azure PostgreSQL SKU in src/infra/postgres-compute-sizes.ts covers ${size.vcpus} vCPU / ${size.memoryGb} GB; add one there`,
    );
  }
  return { name, tier: entry.tier };
}

/** The `identity` block: the map key has to be the identity's resource id, known only after creation. */
export function postgresIdentity(identityId: string): NonNullable<pulumi.Unwrap<ServerArgs['identity']>> {
  return { type: 'UserAssigned', userAssignedIdentities: { [identityId]: {} } };
}

export function serverArgs(spec: PostgresServerSpec, i: ServerInputs, identity: ServerArgs['identity']): ServerArgs {
  return {
    resourceGroupName: i.resourceGroupName,
    location: i.location,
    version: spec.version,
    sku: postgresSku(spec.size),
    storage: { storageSizeGB: spec.size.storageGb, autoGrow: 'Enabled' },
    highAvailability: { mode: spec.highAvailability ? 'ZoneRedundant' : 'Disabled' },
    // Geo-redundant backups would land in the paired region and need a second key there;
    // backups stay in the server's (EU) region, which the policy pack checks.
    backup: { backupRetentionDays: spec.backupRetentionDays, geoRedundantBackup: 'Disabled' },
    network: {
      delegatedSubnetResourceId: i.delegatedSubnetId,
      privateDnsZoneArmResourceId: i.privateDnsZoneId,
      publicNetworkAccess: 'Disabled',
    },
    identity,
    dataEncryption: {
      type: 'AzureKeyVault',
      primaryKeyURI: i.keyUriWithVersion,
      primaryUserAssignedIdentityId: i.identityId,
    },
    // No password to leak: only Microsoft Entra identities log in.
    authConfig: { activeDirectoryAuth: 'Enabled', passwordAuth: 'Disabled', tenantId: i.tenantId },
    tags: i.tags,
  };
}

/** Server parameters set by the stack, in the order they are applied (Azure rejects concurrent parameter updates). */
export const SERVER_PARAMETERS: readonly { name: string; value: string; why: string }[] = [
  { name: 'ssl_min_protocol_version', value: 'TLSv1.2', why: 'refuse TLS 1.0 and 1.1' },
  { name: 'require_secure_transport', value: 'on', why: 'refuse clear-text connections' },
  { name: 'log_connections', value: 'on', why: 'audit who connected' },
  { name: 'log_disconnections', value: 'on', why: 'audit session ends' },
];

export function configurationArgs(
  resourceGroupName: pulumi.Input<string>,
  serverName: pulumi.Input<string>,
  name: string,
  value: string,
): ConfigurationArgs {
  return { resourceGroupName, serverName, configurationName: name, value, source: 'user-override' };
}

export function databaseArgs(
  resourceGroupName: pulumi.Input<string>,
  serverName: pulumi.Input<string>,
  name: string,
): DatabaseArgs {
  return { resourceGroupName, serverName, databaseName: name, charset: 'UTF8', collation: 'en_US.utf8' };
}
