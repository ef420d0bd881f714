/**
 * The Azure stack under Pulumi mocks: every hardening property of issue 3, resource by
 * resource, as the program declares it from the sample spec.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { BROAD_ROLES, ROLES } from '../../src/infra/azure-security.ts';
import { blobServiceArgs } from '../../src/infra/azure-storage.ts';
import { loadWarehouseSpec } from '../../src/warehouse/load.ts';
import { AZURE_CONFIG, runProgram, SPEC_FILE, type ProgramRun } from './harness.ts';

const A = 'azure-native:';
let run: ProgramRun;

beforeAll(async () => {
  run = await runProgram('azure-emc2', AZURE_CONFIG);
});

describe('AzureWarehouse under mocks', () => {
  it('is one component whose children are named <name>-<purpose>', () => {
    const component = run.one('cloudexit:warehouse:AzureWarehouse');
    expect(component.name).toBe('emc2');
    expect(component.custom).toBe(false);
    for (const r of run.resources.filter((x) => x.custom)) expect(r.name).toMatch(/^emc2-[a-z0-9-]+$/);
  });

  it('storage account: data lake, TLS 1.2, no public or shared-key access, private only, double encryption with the customer key through the user-assigned identity', () => {
    const account = run.one(`${A}storage:StorageAccount`).inputs;
    const identity = run.one(`${A}managedidentity:UserAssignedIdentity`);
    expect(account).toMatchObject({
      accountName: 'hdhemc2prod',
      location: 'francecentral',
      kind: 'StorageV2',
      isHnsEnabled: true,
      minimumTlsVersion: 'TLS1_2',
      enableHttpsTrafficOnly: true,
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: false,
      publicNetworkAccess: 'Disabled',
      networkRuleSet: { defaultAction: 'Deny', bypass: 'None' },
      identity: { type: 'UserAssigned', userAssignedIdentities: [identity.id] },
    });
    expect(account.encryption).toMatchObject({
      keySource: 'Microsoft.Keyvault',
      requireInfrastructureEncryption: true,
      keyVaultProperties: { keyName: 'emc2-storage', keyVaultUri: 'https://emc2-vault.vault.azure.net/' },
      encryptionIdentity: { encryptionUserAssignedIdentity: identity.id },
    });
    expect(account.encryption.keyVaultProperties.keyVersion).toBeUndefined();
  });

  it('one private container per dataset, named emc2-<dataset>, tagged with its dataset', () => {
    const containers = run.ofType(`${A}storage:BlobContainer`).map((c) => c.inputs);
    expect(containers.map((c) => c.containerName).sort()).toEqual([
      'emc2-chru-nancy',
      'emc2-clb',
      'emc2-hcl',
      'emc2-hpsj',
      'emc2-nomenclatures',
      'emc2-snds-extracts',
    ]);
    for (const c of containers) {
      expect(c.publicAccess).toBe('None');
      expect(c.metadata.dataset).toBe(c.containerName.replace(/^emc2-/, ''));
    }
  });

  it('blob soft delete per spec; versioning off because Azure has none on a data lake', () => {
    const service = run.one(`${A}storage:BlobServiceProperties`).inputs;
    expect(service.deleteRetentionPolicy).toEqual({ enabled: true, days: 30, allowPermanentDelete: false });
    expect(service.containerDeleteRetentionPolicy).toEqual({ enabled: true, days: 30 });
    expect(service.isVersioningEnabled).toBe(false);
  });

  it('versioning is declared when the account is not a data lake', () => {
    const spec = loadWarehouseSpec(SPEC_FILE);
    expect(blobServiceArgs(spec, 'acct', 'rg', false).isVersioningEnabled).toBe(true);
  });

  it('time-based retention only on the immutable dataset', () => {
    const policies = run.ofType(`${A}storage:BlobContainerImmutabilityPolicy`).map((p) => p.inputs);
    expect(policies).toHaveLength(1);
    expect(policies[0]).toMatchObject({
      containerName: 'emc2-snds-extracts',
      immutabilityPeriodSinceCreationInDays: 365,
    });
  });

  it('Key Vault: RBAC, purge protection, private; rotating HSM keys', () => {
    const vault = run.one(`${A}keyvault:Vault`).inputs.properties;
    expect(vault).toMatchObject({
      enableRbacAuthorization: true,
      enablePurgeProtection: true,
      enableSoftDelete: true,
      publicNetworkAccess: 'Disabled',
      networkAcls: { defaultAction: 'Deny' },
      tenantId: '11111111-1111-1111-1111-111111111111',
    });
    const keys = run.ofType(`${A}keyvault:Key`).map((k) => k.inputs);
    expect(keys.map((k) => k.keyName).sort()).toEqual(['emc2-database', 'emc2-storage']);
    for (const k of keys) {
      expect(k.properties.kty).toBe('RSA-HSM');
      expect(k.properties.rotationPolicy.lifetimeActions).toContainEqual({
        trigger: { timeAfterCreate: 'P365D' },
        action: { type: 'rotate' },
      });
    }
  });

  it('PostgreSQL: private access through the delegated subnet and private zone, customer key, HA, backups and version per spec', () => {
    const server = run.one(`${A}dbforpostgresql:Server`).inputs;
    const subnet = run.one(`${A}network:Subnet`, 'emc2-postgres-subnet');
    const zone = run
      .ofType(`${A}privatedns:PrivateZone`)
      .find((z) => z.inputs.privateZoneName === 'emc2.private.postgres.database.azure.com');
    const identity = run.one(`${A}managedidentity:UserAssignedIdentity`);
    expect(subnet.inputs.delegations).toEqual([
      { name: 'postgres-flexible', serviceName: 'Microsoft.DBforPostgreSQL/flexibleServers' },
    ]);
    expect(server).toMatchObject({
      version: '16',
      sku: { name: 'Standard_D4ds_v5', tier: 'GeneralPurpose' },
      storage: { storageSizeGB: 256 },
      highAvailability: { mode: 'ZoneRedundant' },
      backup: { backupRetentionDays: 14, geoRedundantBackup: 'Disabled' },
      network: {
        delegatedSubnetResourceId: subnet.id,
        privateDnsZoneArmResourceId: zone?.id,
        publicNetworkAccess: 'Disabled',
      },
      dataEncryption: {
        type: 'AzureKeyVault',
        primaryKeyURI: 'https://vault.vault.azure.net/keys/emc2-database/00000000000000000000000000000000',
        primaryUserAssignedIdentityId: identity.id,
      },
      authConfig: { passwordAuth: 'Disabled', activeDirectoryAuth: 'Enabled' },
      identity: { type: 'UserAssigned', userAssignedIdentities: { [identity.id]: {} } },
    });
    const params = Object.fromEntries(
      run.ofType(`${A}dbforpostgresql:Configuration`).map((c) => [c.inputs.configurationName, c.inputs.value]),
    );
    expect(params).toMatchObject({ ssl_min_protocol_version: 'TLSv1.2', require_secure_transport: 'on' });
    expect(run.ofType(`${A}dbforpostgresql:Database`).map((d) => d.inputs.databaseName)).toEqual(['emc2_catalog']);
  });

  it('network: one virtual network, subnets without outbound internet, private endpoints and linked private zones', () => {
    expect(run.one(`${A}network:VirtualNetwork`).inputs.addressSpace).toEqual({ addressPrefixes: ['10.40.0.0/16'] });
    for (const s of run.ofType(`${A}network:Subnet`)) expect(s.inputs.defaultOutboundAccess).toBe(false);
    const groups = run
      .ofType(`${A}network:PrivateEndpoint`)
      .flatMap((p) => p.inputs.privateLinkServiceConnections[0].groupIds);
    expect(groups.sort()).toEqual(['blob', 'dfs', 'vault']);
    const links = run.ofType(`${A}privatedns:VirtualNetworkLink`);
    expect(links).toHaveLength(run.ofType(`${A}privatedns:PrivateZone`).length);
    for (const l of links) expect(l.inputs.registrationEnabled).toBe(false);
    expect(run.ofType(`${A}network:PrivateDnsZoneGroup`)).toHaveLength(3);
  });

  it('audit: a Log Analytics workspace and a diagnostic setting on the blob service, the vault and the server', () => {
    const workspace = run.one(`${A}operationalinsights:Workspace`);
    expect(workspace.inputs).toMatchObject({ retentionInDays: 365, features: { disableLocalAuth: true } });
    const targets = run.ofType(`${A}monitor:DiagnosticSetting`).map((d) => {
      expect(d.inputs.workspaceId).toBe(workspace.id);
      return d.inputs.resourceUri as string;
    });
    const account = run.one(`${A}storage:StorageAccount`);
    expect(targets.sort()).toEqual(
      [
        `${account.id}/blobServices/default`,
        run.one(`${A}dbforpostgresql:Server`).id,
        run.one(`${A}keyvault:Vault`).id,
      ].sort(),
    );
  });

  it('least privilege: the identity may only unwrap keys, the migration principal may only read blobs', () => {
    const assignments = run.ofType(`${A}authorization:RoleAssignment`).map((a) => a.inputs);
    expect(assignments).toHaveLength(2);
    const keyUser = assignments.find((a) => a.roleDefinitionId.endsWith(ROLES.keyVaultCryptoServiceEncryptionUser));
    expect(keyUser).toMatchObject({
      scope: run.one(`${A}keyvault:Vault`).id,
      principalId: '44444444-4444-4444-4444-444444444444',
    });
    const reader = assignments.find((a) => a.roleDefinitionId.endsWith(ROLES.storageBlobDataReader));
    expect(reader).toMatchObject({
      scope: run.one(`${A}storage:StorageAccount`).id,
      principalId: '66666666-6666-6666-6666-666666666666',
    });
    for (const a of assignments)
      for (const broad of BROAD_ROLES) expect(a.roleDefinitionId.endsWith(broad)).toBe(false);
  });

  it('exports the shared WarehouseOutputs shape', async () => {
    const out = await run.value(run.stack.warehouse);
    expect(out.host).toBe('azure');
    expect(out.datasets['hcl']).toEqual({
      endpoint: 'https://hdhemc2prod.blob.core.windows.net',
      container: 'emc2-hcl',
      prefix: '',
    });
    expect(out.database).toEqual({
      host: 'emc2-postgres.postgres.database.azure.com',
      port: 5432,
      name: 'emc2_catalog',
      databases: ['emc2_catalog'],
    });
    expect(out.keys.storage).toBe('https://vault.vault.azure.net/keys/emc2-storage');
    expect(run.stack.migrationCredentials).toBeUndefined();
  });
});
