/**
 * The Azure warehouse's object datasets: one storage account encrypted with the customer
 * key, reached through private endpoints only, and one container per dataset with its
 * retention lock.
 */
import * as pulumi from '@pulumi/pulumi';
import { BlobContainer } from '@pulumi/azure-native/storage/blobContainer.js';
import { BlobContainerImmutabilityPolicy } from '@pulumi/azure-native/storage/blobContainerImmutabilityPolicy.js';
import { BlobServiceProperties } from '@pulumi/azure-native/storage/blobServiceProperties.js';
import { StorageAccount } from '@pulumi/azure-native/storage/storageAccount.js';
import type { AzureNetwork } from './azure-network-resources.ts';
import type { AzureScope } from './azure-scope.ts';
import type { AzureKeys } from './azure-security-resources.ts';
import { blobServiceArgs, containerArgs, immutabilityPolicyArgs, storageAccountArgs } from './azure-storage.ts';

export function declareStorage(scope: AzureScope, keys: AzureKeys, network: AzureNetwork): StorageAccount {
  const { name, spec, settings, resourceGroupName: rg, location, tags } = scope;
  const parent = { parent: scope.parent };
  const account = new StorageAccount(
    `${name}-storage`,
    storageAccountArgs({
      resourceGroupName: rg,
      location,
      accountName: settings.storageAccountName,
      sku: settings.storageSku,
      hierarchicalNamespace: settings.hierarchicalNamespace,
      identityId: keys.identity.id,
      keyVaultUri: keys.vault.properties.vaultUri,
      keyName: keys.storageKey.name,
      tags,
    }),
    { ...parent, dependsOn: [keys.keyUser] },
  );
  network.privateEndpoint('blob', account.id);
  if (settings.hierarchicalNamespace) network.privateEndpoint('dfs', account.id);
  const blobService = new BlobServiceProperties(
    `${name}-blob-service`,
    blobServiceArgs(spec, account.name, rg, settings.hierarchicalNamespace),
    parent,
  );
  if (settings.hierarchicalNamespace && spec.datasets.some((d) => d.versioning)) {
    void pulumi.log.warn(
      'the spec asks for versioning but Azure offers no blob versioning on a hierarchical-namespace account; soft delete covers deletions (see `cloudexit parity`)',
      scope.parent,
    );
  }
  for (const dataset of spec.datasets) {
    const container = new BlobContainer(
      `${name}-container-${dataset.name}`,
      containerArgs(spec, dataset, account.name, rg),
      { ...parent, dependsOn: [blobService] },
    );
    const lock = immutabilityPolicyArgs(spec, dataset, account.name, rg);
    if (lock)
      new BlobContainerImmutabilityPolicy(`${name}-immutability-${dataset.name}`, lock, {
        ...parent,
        dependsOn: [container],
      });
  }
  return account;
}
