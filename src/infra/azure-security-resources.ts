/**
 * The Azure warehouse's keys and who may use them: one identity unwraps both
 * customer-managed keys and may do nothing else.
 */
import type * as pulumi from '@pulumi/pulumi';
import { RoleAssignment } from '@pulumi/azure-native/authorization/roleAssignment.js';
import { Key } from '@pulumi/azure-native/keyvault/key.js';
import { Vault } from '@pulumi/azure-native/keyvault/vault.js';
import { UserAssignedIdentity } from '@pulumi/azure-native/managedidentity/userAssignedIdentity.js';
import type { AzureScope } from './azure-scope.ts';
import { keyArgs, roleAssignmentArgs, roleDefinitionId, ROLES, vaultArgs } from './azure-security.ts';

export interface AzureKeys {
  identity: UserAssignedIdentity;
  vault: Vault;
  storageKey: Key;
  databaseKey: Key;
  /** The identity's right to unwrap the keys: what uses them depends on it. */
  keyUser: RoleAssignment;
}

export function declareKeys(scope: AzureScope): AzureKeys {
  const { name, spec, resourceGroupName: rg, location, tags, client } = scope;
  const parent = { parent: scope.parent };
  const identity = new UserAssignedIdentity(`${name}-identity`, { resourceGroupName: rg, location, tags }, parent);
  const vault = new Vault(`${name}-vault`, vaultArgs(rg, location, client.tenantId, tags), parent);
  const storageKey = new Key(
    `${name}-storage-key`,
    keyArgs(rg, vault.name, `${spec.name}-storage`, spec.keys.rotationDays),
    parent,
  );
  const databaseKey = new Key(
    `${name}-database-key`,
    keyArgs(rg, vault.name, `${spec.name}-database`, spec.keys.rotationDays),
    parent,
  );
  const keyUser = new RoleAssignment(
    `${name}-role-key-user`,
    roleAssignmentArgs(
      vault.id,
      identity.principalId,
      client.subscriptionId.apply((s) => roleDefinitionId(s, ROLES.keyVaultCryptoServiceEncryptionUser)),
      'ServicePrincipal',
      'unwrap the warehouse customer-managed keys',
    ),
    parent,
  );
  return { identity, vault, storageKey, databaseKey, keyUser };
}

/** Lets the migration's principal read the source datasets of `accountId`, when the stack names one. */
export function grantMigrationReader(scope: AzureScope, accountId: pulumi.Input<string>): void {
  const { migrationPrincipalId } = scope.settings;
  if (!migrationPrincipalId) return;
  new RoleAssignment(
    `${scope.name}-role-migration-reader`,
    roleAssignmentArgs(
      accountId,
      migrationPrincipalId,
      scope.client.subscriptionId.apply((s) => roleDefinitionId(s, ROLES.storageBlobDataReader)),
      'ServicePrincipal',
      'cloudexit migration: read the source datasets',
    ),
    { parent: scope.parent },
  );
}
