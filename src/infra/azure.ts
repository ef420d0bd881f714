/**
 * `AzureWarehouse`: the warehouse of a spec on Microsoft Azure. A thin component: every
 * resource's arguments come from the pure builders in `azure-*.ts`; this file only wires
 * them together (ids, dependencies, parents).
 */
import * as pulumi from '@pulumi/pulumi';
// One file per resource rather than the module index: the index would also load the
// declarations of every other resource of the module (network alone has hundreds).
import { getClientConfigOutput } from '@pulumi/azure-native/authorization/getClientConfig.js';
import { RoleAssignment } from '@pulumi/azure-native/authorization/roleAssignment.js';
import { AdministratorsMicrosoftEntra } from '@pulumi/azure-native/dbforpostgresql/administratorsMicrosoftEntra.js';
import { Configuration } from '@pulumi/azure-native/dbforpostgresql/configuration.js';
import { Database } from '@pulumi/azure-native/dbforpostgresql/database.js';
import { Server } from '@pulumi/azure-native/dbforpostgresql/server.js';
import { Key } from '@pulumi/azure-native/keyvault/key.js';
import { Vault } from '@pulumi/azure-native/keyvault/vault.js';
import { UserAssignedIdentity } from '@pulumi/azure-native/managedidentity/userAssignedIdentity.js';
import { DiagnosticSetting } from '@pulumi/azure-native/monitor/diagnosticSetting.js';
import { PrivateDnsZoneGroup } from '@pulumi/azure-native/network/privateDnsZoneGroup.js';
import { PrivateEndpoint } from '@pulumi/azure-native/network/privateEndpoint.js';
import { Subnet } from '@pulumi/azure-native/network/subnet.js';
import { VirtualNetwork } from '@pulumi/azure-native/network/virtualNetwork.js';
import { Workspace } from '@pulumi/azure-native/operationalinsights/workspace.js';
import { PrivateZone } from '@pulumi/azure-native/privatedns/privateZone.js';
import { VirtualNetworkLink } from '@pulumi/azure-native/privatedns/virtualNetworkLink.js';
import { ResourceGroup } from '@pulumi/azure-native/resources/resourceGroup.js';
import { BlobContainer } from '@pulumi/azure-native/storage/blobContainer.js';
import { BlobContainerImmutabilityPolicy } from '@pulumi/azure-native/storage/blobContainerImmutabilityPolicy.js';
import { BlobServiceProperties } from '@pulumi/azure-native/storage/blobServiceProperties.js';
import { StorageAccount } from '@pulumi/azure-native/storage/storageAccount.js';
import { bucketName, type WarehouseSpec } from '../warehouse/spec.ts';
import { diagnosticSettingArgs, workspaceArgs, type AuditedService } from './azure-monitor.ts';
import { endpointSubnetArgs, postgresPrivateZone, postgresSubnetArgs, PRIVATE_LINK_ZONES, privateEndpointArgs, virtualNetworkArgs, type PrivateLinkGroup } from './azure-network.ts';
import { configurationArgs, databaseArgs, postgresIdentity, SERVER_PARAMETERS, serverArgs } from './azure-postgres.ts';
import { keyArgs, roleAssignmentArgs, roleDefinitionId, ROLES, vaultArgs } from './azure-security.ts';
import { blobServiceArgs, containerArgs, immutabilityPolicyArgs, storageAccountArgs } from './azure-storage.ts';
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

export class AzureWarehouse extends pulumi.ComponentResource {
  /** Endpoints, names and key ids, in the shape shared with the OVHcloud stack. */
  readonly outputs: pulumi.Output<WarehouseOutputs>;

  constructor(name: string, args: AzureWarehouseArgs, opts?: pulumi.ComponentResourceOptions) {
    const { spec, settings } = args;
    super('cloudexit:warehouse:AzureWarehouse', name, { host: 'azure', region: settings.location, warehouse: spec.name, qualification: args.qualification }, opts);
    const parent = { parent: this };
    const location = settings.location;
    const tags = { ...warehouseTags(spec), ...args.tags };
    const client = getClientConfigOutput(parent);

    const group = new ResourceGroup(`${name}-rg`, { resourceGroupName: settings.resourceGroupName ?? `rg-${spec.name}`, location, tags }, parent);
    const rg = group.name;

    // Keys: one identity unwraps both customer-managed keys; it may do nothing else.
    const identity = new UserAssignedIdentity(`${name}-identity`, { resourceGroupName: rg, location, tags }, parent);
    const vault = new Vault(`${name}-vault`, vaultArgs(rg, location, client.tenantId, tags), parent);
    const storageKey = new Key(`${name}-storage-key`, keyArgs(rg, vault.name, `${spec.name}-storage`, spec.keys.rotationDays), parent);
    const databaseKey = new Key(`${name}-database-key`, keyArgs(rg, vault.name, `${spec.name}-database`, spec.keys.rotationDays), parent);
    const keyUser = new RoleAssignment(
      `${name}-role-key-user`,
      roleAssignmentArgs(vault.id, identity.principalId, client.subscriptionId.apply((s) => roleDefinitionId(s, ROLES.keyVaultCryptoServiceEncryptionUser)), 'ServicePrincipal', 'unwrap the warehouse customer-managed keys'),
      parent,
    );

    // Network: private only.
    const vnet = new VirtualNetwork(`${name}-vnet`, virtualNetworkArgs(rg, location, spec.network.cidr, tags), parent);
    const endpointSubnet = new Subnet(`${name}-endpoints-subnet`, endpointSubnetArgs(rg, vnet.name, settings.privateEndpointSubnet), parent);
    const postgresSubnet = new Subnet(`${name}-postgres-subnet`, postgresSubnetArgs(rg, vnet.name, settings.postgresSubnet), { parent: this, dependsOn: [endpointSubnet] });
    const zone = (purpose: string, zoneName: string) => {
      const z = new PrivateZone(`${name}-zone-${purpose}`, { resourceGroupName: rg, privateZoneName: zoneName, location: 'Global', tags }, parent);
      new VirtualNetworkLink(`${name}-zone-link-${purpose}`, { resourceGroupName: rg, privateZoneName: z.name, location: 'Global', registrationEnabled: false, virtualNetwork: { id: vnet.id }, tags }, parent);
      return z;
    };
    const privateEndpoint = (group: PrivateLinkGroup, serviceId: pulumi.Input<string>) => {
      const z = zone(group, PRIVATE_LINK_ZONES[group]);
      const pe = new PrivateEndpoint(`${name}-endpoint-${group}`, privateEndpointArgs(rg, location, endpointSubnet.id, serviceId, group, tags), parent);
      new PrivateDnsZoneGroup(`${name}-endpoint-${group}-dns`, { resourceGroupName: rg, privateEndpointName: pe.name, privateDnsZoneGroupName: 'default', privateDnsZoneConfigs: [{ name: group, privateDnsZoneId: z.id }] }, parent);
    };
    privateEndpoint('vault', vault.id);

    // Object datasets.
    const account = new StorageAccount(
      `${name}-storage`,
      storageAccountArgs({ resourceGroupName: rg, location, accountName: settings.storageAccountName, sku: settings.storageSku, hierarchicalNamespace: settings.hierarchicalNamespace, identityId: identity.id, keyVaultUri: vault.properties.vaultUri, keyName: storageKey.name, tags }),
      { parent: this, dependsOn: [keyUser] },
    );
    privateEndpoint('blob', account.id);
    if (settings.hierarchicalNamespace) privateEndpoint('dfs', account.id);
    const blobService = new BlobServiceProperties(`${name}-blob-service`, blobServiceArgs(spec, account.name, rg, settings.hierarchicalNamespace), parent);
    if (settings.hierarchicalNamespace && spec.datasets.some((d) => d.versioning)) {
      pulumi.log.warn('the spec asks for versioning but Azure offers no blob versioning on a hierarchical-namespace account; soft delete covers deletions (see `cloudexit parity`)', this);
    }
    for (const dataset of spec.datasets) {
      const container = new BlobContainer(`${name}-container-${dataset.name}`, containerArgs(spec, dataset, account.name, rg), { parent: this, dependsOn: [blobService] });
      const lock = immutabilityPolicyArgs(spec, dataset, account.name, rg);
      if (lock) new BlobContainerImmutabilityPolicy(`${name}-immutability-${dataset.name}`, lock, { parent: this, dependsOn: [container] });
    }
    if (settings.migrationPrincipalId) {
      new RoleAssignment(
        `${name}-role-migration-reader`,
        roleAssignmentArgs(account.id, settings.migrationPrincipalId, client.subscriptionId.apply((s) => roleDefinitionId(s, ROLES.storageBlobDataReader)), 'ServicePrincipal', 'cloudexit migration: read the source datasets'),
        parent,
      );
    }

    // PostgreSQL.
    const pgZone = zone('postgres', postgresPrivateZone(spec.name));
    const server = new Server(
      `${name}-postgres`,
      serverArgs(
        spec.postgres,
        { resourceGroupName: rg, location, delegatedSubnetId: postgresSubnet.id, privateDnsZoneId: pgZone.id, identityId: identity.id, keyUriWithVersion: databaseKey.keyUriWithVersion, tenantId: client.tenantId, tags },
        identity.id.apply(postgresIdentity),
      ),
      { parent: this, dependsOn: [keyUser] },
    );
    let previous: pulumi.Resource = server;
    for (const p of SERVER_PARAMETERS) {
      previous = new Configuration(`${name}-postgres-param-${p.name.replaceAll('_', '-')}`, configurationArgs(rg, server.name, p.name, p.value), { parent: this, dependsOn: [previous] });
    }
    for (const db of spec.postgres.databases) {
      new Database(`${name}-db-${db.name.replaceAll('_', '-')}`, databaseArgs(rg, server.name, db.name), { parent: this, dependsOn: [previous] });
    }
    if (settings.postgresEntraAdmin) {
      const admin = settings.postgresEntraAdmin;
      new AdministratorsMicrosoftEntra(`${name}-postgres-admin`, { resourceGroupName: rg, serverName: server.name, objectId: admin.objectId, principalName: admin.principalName, principalType: admin.principalType, tenantId: client.tenantId }, parent);
    }

    // Audit logging on every data service.
    const workspace = new Workspace(`${name}-logs`, workspaceArgs(rg, location, spec.audit.retentionDays, tags), parent);
    const audit = (service: AuditedService, resourceUri: pulumi.Input<string>) =>
      new DiagnosticSetting(`${name}-audit-${service}`, diagnosticSettingArgs(resourceUri, workspace.id, service), parent);
    audit('blob', pulumi.interpolate`${account.id}/blobServices/default`);
    audit('vault', vault.id);
    audit('postgres', server.id);

    this.outputs = pulumi.all([account.primaryEndpoints, server.fullyQualifiedDomainName, storageKey.keyUri, databaseKey.keyUri]).apply(([endpoints, fqdn, storageKeyId, databaseKeyId]) =>
      azureOutputs(spec, location, endpoints?.blob ?? `https://${settings.storageAccountName}.blob.core.windows.net/`, fqdn, storageKeyId, databaseKeyId),
    );
    this.registerOutputs({ outputs: this.outputs });
  }
}

/** The shared output shape, from the values only known after deployment. */
export function azureOutputs(spec: WarehouseSpec, location: string, blobEndpoint: string, postgresHost: string, storageKeyId: string, databaseKeyId: string): WarehouseOutputs {
  const endpoint = blobEndpoint.replace(/\/+$/, '');
  const databases = spec.postgres.databases.map((d) => d.name);
  return {
    host: 'azure',
    region: location,
    datasets: Object.fromEntries(spec.datasets.map((d) => [d.name, { endpoint, container: bucketName(spec, d), prefix: d.prefix }])),
    database: { host: postgresHost, port: 5432, name: databases[0] ?? '', databases },
    keys: { storage: storageKeyId, database: databaseKeyId },
  };
}
