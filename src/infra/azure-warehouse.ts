/**
 * Declares the warehouse of a spec on Microsoft Azure, concern by concern (keys, network,
 * objects, PostgreSQL, audit logs), as children of a given component. `AzureWarehouse`
 * is the thin component around it (as pulumi-eks's `createCore` is to `Cluster`).
 */
import * as pulumi from '@pulumi/pulumi';
import { getClientConfigOutput } from '@pulumi/azure-native/authorization/getClientConfig.js';
import { ResourceGroup } from '@pulumi/azure-native/resources/resourceGroup.js';
import { bucketName, type WarehouseSpec } from '../warehouse/spec.ts';
import { declareAuditLogs } from './azure-monitor-resources.ts';
import { declareNetwork } from './azure-network-resources.ts';
import { declarePostgres } from './azure-postgres-resources.ts';
import type { AzureScope } from './azure-scope.ts';
import { declareKeys, grantMigrationReader } from './azure-security-resources.ts';
import { declareStorage } from './azure-storage-resources.ts';
import type { WarehouseOutputs } from './outputs.ts';
import type { AzureSettings, QualificationEvidence } from './settings.ts';
import { warehouseTags } from './tags.ts';

export interface AzureWarehouseArgs {
  /** The host-neutral warehouse description (stacks/warehouse.yaml). */
  spec: WarehouseSpec;
  /** Region, names and network ranges of this stack (`cloudexit:azure` in the stack file). */
  settings: AzureSettings;
  /**
   * SecNumCloud qualification evidence, when the stack declares some. Passed to the
   * engine as a component input so the policy pack can see it.
   * @default undefined
   */
  qualification?: QualificationEvidence | undefined;
  /**
   * Extra tags on every taggable resource.
   * @default {}
   */
  tags?: Record<string, string>;
}

/**
 * Declares every resource of the warehouse as a child of `parent`, each named
 * `${name}-purpose`, and returns the outputs in the shape shared with the OVHcloud stack.
 */
export function createAzureWarehouse(
  name: string,
  args: AzureWarehouseArgs,
  parent: pulumi.Resource,
): pulumi.Output<WarehouseOutputs> {
  const { spec, settings } = args;
  const location = settings.location;
  const tags = { ...warehouseTags(spec), ...args.tags };
  const client = getClientConfigOutput({ parent });
  const group = new ResourceGroup(
    `${name}-rg`,
    { resourceGroupName: settings.resourceGroupName ?? `rg-${spec.name}`, location, tags },
    { parent },
  );
  const scope: AzureScope = { name, parent, spec, settings, resourceGroupName: group.name, location, tags, client };

  const keys = declareKeys(scope);
  const network = declareNetwork(scope);
  network.privateEndpoint('vault', keys.vault.id);
  const account = declareStorage(scope, keys, network);
  grantMigrationReader(scope, account.id);
  const server = declarePostgres(scope, keys, network);
  declareAuditLogs(scope, { storageAccountId: account.id, vaultId: keys.vault.id, postgresServerId: server.id });

  return pulumi
    .all([account.primaryEndpoints, server.fullyQualifiedDomainName, keys.storageKey.keyUri, keys.databaseKey.keyUri])
    .apply(([endpoints, fqdn, storageKeyId, databaseKeyId]) =>
      azureOutputs(
        spec,
        location,
        endpoints?.blob ?? `https://${settings.storageAccountName}.blob.core.windows.net/`,
        fqdn,
        storageKeyId,
        databaseKeyId,
      ),
    );
}

/** The shared output shape, from the values only known after deployment. */
function azureOutputs(
  spec: WarehouseSpec,
  location: string,
  blobEndpoint: string,
  postgresHost: string,
  storageKeyId: string,
  databaseKeyId: string,
): WarehouseOutputs {
  const endpoint = blobEndpoint.replace(/\/+$/, '');
  const databases = spec.postgres.databases.map((d) => d.name);
  return {
    host: 'azure',
    region: location,
    datasets: Object.fromEntries(
      spec.datasets.map((d) => [d.name, { endpoint, container: bucketName(spec, d), prefix: d.prefix }]),
    ),
    database: { host: postgresHost, port: 5432, name: databases[0] ?? '', databases },
    keys: { storage: storageKeyId, database: databaseKeyId },
  };
}
