/**
 * Pure builders for keys and access on Azure: the Key Vault and its rotating key, and
 * the role assignments. Roles are the narrowest built-in ones that do the job; none of
 * Owner, Contributor or User Access Administrator is ever granted (the policy pack
 * refuses them).
 */
import type * as pulumi from '@pulumi/pulumi';
import type { RoleAssignmentArgs } from '@pulumi/azure-native/authorization/roleAssignment.js';
import type { KeyArgs } from '@pulumi/azure-native/keyvault/key.js';
import type { VaultArgs } from '@pulumi/azure-native/keyvault/vault.js';

/** Built-in role definition GUIDs (identical in every tenant). */
export const ROLES = {
  /** Wrap/unwrap with a Key Vault key: what a storage account or server needs for its customer key. */
  keyVaultCryptoServiceEncryptionUser: 'e147488a-f6f5-4113-8e2d-b22465e65bf6',
  /** Read blobs and list containers: what the migration needs from the source. */
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
} as const;

/** Role GUIDs that grant control of resources or of access; never assigned by this stack. */
export const BROAD_ROLES: readonly string[] = [
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', // Owner
  'b24988ac-6180-42a0-ab88-20f7382dd24c', // Contributor
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9', // User Access Administrator
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe', // Storage Blob Data Contributor
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b', // Storage Blob Data Owner
  '00482a5a-887f-4fb3-b363-3b7fe8e74483', // Key Vault Administrator
];

export function roleDefinitionId(subscriptionId: string, roleGuid: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
}

export function vaultArgs(
  resourceGroupName: pulumi.Input<string>,
  location: string,
  tenantId: pulumi.Input<string>,
  tags: Record<string, string>,
): VaultArgs {
  return {
    resourceGroupName,
    location,
    properties: {
      tenantId,
      // Premium: keys can be HSM-backed.
      sku: { family: 'A', name: 'premium' },
      enableRbacAuthorization: true,
      enableSoftDelete: true,
      softDeleteRetentionInDays: 90,
      // Without purge protection a deleted key could be purged, making every blob unreadable.
      enablePurgeProtection: true,
      publicNetworkAccess: 'Disabled',
      // Storage and PostgreSQL reach the key as trusted services; nothing else from outside.
      networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: [], virtualNetworkRules: [] },
    },
    tags,
  };
}

/** ISO 8601 duration of `days` days, as Key Vault rotation policies want it. */
function isoDays(days: number): string {
  return `P${days}D`;
}

/** An HSM-backed RSA key that rotates itself every `rotationDays` and expires if rotation ever stops. */
export function keyArgs(
  resourceGroupName: pulumi.Input<string>,
  vaultName: pulumi.Input<string>,
  keyName: string,
  rotationDays: number,
): KeyArgs {
  return {
    resourceGroupName,
    vaultName,
    keyName,
    properties: {
      kty: 'RSA-HSM',
      keySize: 3072,
      keyOps: ['wrapKey', 'unwrapKey'],
      rotationPolicy: {
        attributes: { expiryTime: isoDays(rotationDays * 2) },
        lifetimeActions: [
          { trigger: { timeAfterCreate: isoDays(rotationDays) }, action: { type: 'rotate' } },
          { trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'notify' } },
        ],
      },
    },
  };
}

export function roleAssignmentArgs(
  scope: pulumi.Input<string>,
  principalId: pulumi.Input<string>,
  roleDefinitionId: pulumi.Input<string>,
  principalType: 'ServicePrincipal' | 'User' | 'Group',
  description: string,
): RoleAssignmentArgs {
  return { scope, principalId, roleDefinitionId, principalType, description };
}
