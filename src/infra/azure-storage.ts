/**
 * Pure builders for the Azure storage side of the warehouse: the account, its blob
 * service (versioning, soft delete) and one container per dataset. Kept apart from the
 * component so each hardening property can be read, and tested, as plain data.
 */
import type * as pulumi from '@pulumi/pulumi';
import type { BlobContainerArgs } from '@pulumi/azure-native/storage/blobContainer.js';
import type { BlobContainerImmutabilityPolicyArgs } from '@pulumi/azure-native/storage/blobContainerImmutabilityPolicy.js';
import type { BlobServicePropertiesArgs } from '@pulumi/azure-native/storage/blobServiceProperties.js';
import type { StorageAccountArgs } from '@pulumi/azure-native/storage/storageAccount.js';
import { bucketName, type ObjectDataset, type WarehouseSpec } from '../warehouse/spec.ts';

export interface StorageAccountInputs {
  resourceGroupName: pulumi.Input<string>;
  location: string;
  accountName: string;
  sku: string;
  hierarchicalNamespace: boolean;
  /** Resource id of the user-assigned identity that unwraps the customer-managed key. */
  identityId: pulumi.Input<string>;
  /** `https://<vault>.vault.azure.net/` */
  keyVaultUri: pulumi.Input<string>;
  keyName: pulumi.Input<string>;
  tags: Record<string, string>;
}

/** The storage account, locked down: private only, Entra-only, TLS 1.2, double encryption with a customer key. */
export function storageAccountArgs(i: StorageAccountInputs): StorageAccountArgs {
  return {
    resourceGroupName: i.resourceGroupName,
    location: i.location,
    accountName: i.accountName,
    kind: 'StorageV2',
    sku: { name: i.sku },
    isHnsEnabled: i.hierarchicalNamespace,
    minimumTlsVersion: 'TLS1_2',
    enableHttpsTrafficOnly: true,
    allowBlobPublicAccess: false,
    // Shared keys and SAS signed with them bypass Entra ID and its audit trail.
    allowSharedKeyAccess: false,
    defaultToOAuthAuthentication: true,
    allowCrossTenantReplication: false,
    publicNetworkAccess: 'Disabled',
    networkRuleSet: { defaultAction: 'Deny', bypass: 'None', ipRules: [], virtualNetworkRules: [] },
    identity: { type: 'UserAssigned', userAssignedIdentities: [i.identityId] },
    encryption: {
      keySource: 'Microsoft.Keyvault',
      requireInfrastructureEncryption: true,
      // No key version: the account follows the key's rotations by itself.
      keyVaultProperties: { keyVaultUri: i.keyVaultUri, keyName: i.keyName },
      encryptionIdentity: { encryptionUserAssignedIdentity: i.identityId },
      services: {
        blob: { enabled: true, keyType: 'Account' },
        file: { enabled: true, keyType: 'Account' },
      },
    },
    tags: i.tags,
  };
}

/**
 * Soft delete is an account-wide setting on Azure, so the account keeps deleted data for
 * the longest window any dataset asks for. Parity shows it when datasets disagree.
 */
function accountRetentionDays(spec: Pick<WarehouseSpec, 'datasets'>): number {
  return Math.max(...spec.datasets.map((d) => d.retentionDays));
}

/** Versioning is possible only without a hierarchical namespace (Azure does not offer it on data lakes). */
function versioningAvailable(hierarchicalNamespace: boolean): boolean {
  return !hierarchicalNamespace;
}

export function blobServiceArgs(
  spec: Pick<WarehouseSpec, 'datasets'>,
  accountName: pulumi.Input<string>,
  resourceGroupName: pulumi.Input<string>,
  hierarchicalNamespace: boolean,
): BlobServicePropertiesArgs {
  const days = accountRetentionDays(spec);
  const wantsVersioning = spec.datasets.some((d) => d.versioning);
  return {
    accountName,
    resourceGroupName,
    blobServicesName: 'default',
    isVersioningEnabled: wantsVersioning && versioningAvailable(hierarchicalNamespace),
    deleteRetentionPolicy: { enabled: true, days, allowPermanentDelete: false },
    containerDeleteRetentionPolicy: { enabled: true, days },
  };
}

export function containerArgs(
  spec: Pick<WarehouseSpec, 'name'>,
  dataset: ObjectDataset,
  accountName: pulumi.Input<string>,
  resourceGroupName: pulumi.Input<string>,
): BlobContainerArgs {
  return {
    accountName,
    resourceGroupName,
    containerName: bucketName(spec, dataset),
    publicAccess: 'None',
    // Read back by `cloudexit parity --from-state` to tie a container to its dataset.
    metadata: { dataset: dataset.name, classification: dataset.classification },
  };
}

/**
 * Time-based retention for an immutable dataset. Azure creates the policy unlocked (an
 * authorised administrator can still remove it, like S3 governance mode); locking it is
 * an irreversible action azure-native does not expose, so `compliance` cannot be
 * declared here and parity says so.
 */
export function immutabilityPolicyArgs(
  spec: Pick<WarehouseSpec, 'name'>,
  dataset: ObjectDataset,
  accountName: pulumi.Input<string>,
  resourceGroupName: pulumi.Input<string>,
): BlobContainerImmutabilityPolicyArgs | undefined {
  if (!dataset.immutability) return undefined;
  return {
    accountName,
    resourceGroupName,
    containerName: bucketName(spec, dataset),
    immutabilityPolicyName: 'default',
    immutabilityPeriodSinceCreationInDays: dataset.immutability.days,
    allowProtectedAppendWrites: false,
  };
}
