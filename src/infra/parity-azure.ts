/**
 * Facts of an Azure warehouse, read from what its stack declared (resource inputs).
 */
import type { DeclaredResource } from './declared.ts';
import {
  datasetOf,
  get,
  num,
  ofType,
  str,
  unsupported,
  value,
  type Fact,
  type HostFacts,
  type Property,
} from './parity-facts.ts';
import { AZURE_POSTGRES_SKUS, describeSize } from './postgres-compute-sizes.ts';

const T = 'azure-native:';

export function azureFacts(resources: readonly DeclaredResource[]): HostFacts {
  const facts = new Map<string, Map<Property, Fact>>();
  const account = ofType(resources, `${T}storage:StorageAccount`)[0]?.inputs;
  const blobService = ofType(resources, `${T}storage:BlobServiceProperties`)[0]?.inputs;
  const endpoints = ofType(resources, `${T}network:PrivateEndpoint`).flatMap(
    (r) => (get(r.inputs, 'privateLinkServiceConnections') as unknown[] | undefined) ?? [],
  );
  const hasEndpoint = (group: string) =>
    endpoints.some((c) => ((get(c, 'groupIds') as string[] | undefined) ?? []).includes(group));
  const audited = ofType(resources, `${T}monitor:DiagnosticSetting`).map((r) =>
    (str(r.inputs, 'resourceUri') ?? '').toLowerCase(),
  );
  const locks = new Map(
    ofType(resources, `${T}storage:BlobContainerImmutabilityPolicy`).map((r) => [
      str(r.inputs, 'containerName'),
      r.inputs,
    ]),
  );

  for (const container of ofType(resources, `${T}storage:BlobContainer`)) {
    const f = new Map<Property, Fact>();
    const keySource = str(account, 'encryption', 'keySource');
    f.set(
      'encryption at rest',
      value(
        'encrypted',
        get(account, 'encryption', 'requireInfrastructureEncryption') === true
          ? 'AES-256, plus infrastructure (double) encryption'
          : 'AES-256',
      ),
    );
    f.set(
      'key holder',
      keySource === 'Microsoft.Keyvault'
        ? value('customer', `Key Vault key "${str(account, 'encryption', 'keyVaultProperties', 'keyName') ?? '?'}"`)
        : value('host', 'Microsoft-managed key'),
    );
    const days =
      get(blobService, 'deleteRetentionPolicy', 'enabled') === true
        ? num(blobService, 'deleteRetentionPolicy', 'days')
        : undefined;
    if (get(account, 'isHnsEnabled') === true) {
      f.set(
        'versioning',
        unsupported(
          'Azure offers no blob versioning on a hierarchical-namespace (Data Lake) account',
          days ? `blob soft delete keeps deleted data ${days} days` : 'none declared',
        ),
      );
    } else {
      f.set('versioning', value(get(blobService, 'isVersioningEnabled') === true ? 'on' : 'off', 'account-wide'));
    }
    f.set(
      'recovery window',
      days ? value(`${days} days`, 'account-wide blob soft delete (the longest any dataset asks for)') : value('none'),
    );
    const lock = locks.get(str(container.inputs, 'containerName'));
    const lockDays = num(lock, 'immutabilityPeriodSinceCreationInDays');
    f.set(
      'immutability',
      lockDays
        ? value(
            `governance, ${lockDays} days`,
            'time-based retention policy, unlocked: an authorised administrator can remove it, like S3 governance mode',
          )
        : value('none'),
    );
    const privateOnly = str(account, 'publicNetworkAccess') === 'Disabled' && hasEndpoint('blob');
    f.set(
      'network exposure',
      value(
        privateOnly ? 'private only' : 'public',
        privateOnly
          ? 'public network access disabled; private endpoint'
          : `publicNetworkAccess=${str(account, 'publicNetworkAccess') ?? 'default (Enabled)'}`,
      ),
    );
    const tls = str(account, 'minimumTlsVersion');
    f.set(
      'TLS',
      value(tls === 'TLS1_2' || tls === 'TLS1_3' ? 'TLS 1.2 or later' : `minimum ${tls ?? 'not declared'}`, tls),
    );
    f.set(
      'audit logging',
      audited.some((u) => u.endsWith('/blobservices/default'))
        ? value('on', 'blob data-plane logs to Log Analytics')
        : value('off'),
    );
    facts.set(`dataset ${datasetOf(container, 'containerName')}`, f);
  }

  const server = ofType(resources, `${T}dbforpostgresql:Server`)[0];
  if (server) {
    const s = server.inputs;
    const f = new Map<Property, Fact>();
    const encType = str(s, 'dataEncryption', 'type');
    f.set(
      'encryption at rest',
      value('encrypted', encType === 'AzureKeyVault' ? 'AES-256 with a Key Vault key' : 'AES-256'),
    );
    f.set(
      'key holder',
      encType === 'AzureKeyVault'
        ? value('customer', 'Key Vault key, versioned URI')
        : value('host', 'Microsoft-managed key'),
    );
    const privateOnly =
      str(s, 'network', 'publicNetworkAccess') === 'Disabled' &&
      get(s, 'network', 'delegatedSubnetResourceId') !== undefined;
    f.set(
      'network exposure',
      value(
        privateOnly ? 'private only' : 'public',
        privateOnly ? 'delegated subnet, private DNS zone, public access disabled' : undefined,
      ),
    );
    const params = new Map(
      ofType(resources, `${T}dbforpostgresql:Configuration`).map((r) => [
        str(r.inputs, 'configurationName'),
        str(r.inputs, 'value'),
      ]),
    );
    const minTls = params.get('ssl_min_protocol_version');
    f.set(
      'TLS',
      value(
        minTls === 'TLSv1.2' || minTls === 'TLSv1.3' ? 'TLS 1.2 or later' : `minimum ${minTls ?? 'not declared'}`,
        params.get('require_secure_transport') === 'on' ? 'require_secure_transport=on' : undefined,
      ),
    );
    f.set('version', value(`PostgreSQL ${str(s, 'version') ?? '?'}`));
    f.set('compute', value(describeSize(AZURE_POSTGRES_SKUS, str(s, 'sku', 'name')), str(s, 'sku', 'name')));
    f.set('storage', value(`${num(s, 'storage', 'storageSizeGB') ?? '?'} GB`));
    const ha = str(s, 'highAvailability', 'mode') ?? 'Disabled';
    f.set('high availability', value(ha === 'Disabled' ? 'off' : 'on', `${ha} standby`));
    f.set(
      'backups',
      value(
        `${num(s, 'backup', 'backupRetentionDays') ?? 7} days`,
        `geo-redundant: ${str(s, 'backup', 'geoRedundantBackup') ?? 'Disabled'}`,
      ),
    );
    f.set(
      'audit logging',
      audited.some((u) => u.includes('dbforpostgresql'))
        ? value('on', 'PostgreSQL logs to Log Analytics')
        : value('off'),
    );
    const dbs = ofType(resources, `${T}dbforpostgresql:Database`).map((r) => str(r.inputs, 'databaseName') ?? r.name);
    f.set('databases', value(dbs.sort().join(', ') || 'none'));
    facts.set('database', f);
  }

  const keys = ofType(resources, `${T}keyvault:Key`);
  if (keys.length > 0) {
    const f = new Map<Property, Fact>();
    const vault = ofType(resources, `${T}keyvault:Vault`)[0]?.inputs;
    f.set(
      'key service',
      value(
        'customer-managed',
        `Key Vault (purge protection ${get(vault, 'properties', 'enablePurgeProtection') === true ? 'on' : 'off'}), ${keys.length} key(s)`,
      ),
    );
    const rotation = (
      get(keys[0]?.inputs, 'properties', 'rotationPolicy', 'lifetimeActions') as unknown[] | undefined
    )?.find((a) => get(a, 'action', 'type') === 'rotate');
    const after = str(rotation, 'trigger', 'timeAfterCreate');
    f.set(
      'rotation',
      after ? value(`every ${after.replace(/^P(\d+)D$/, '$1 days')}`, 'Key Vault rotation policy') : value('none'),
    );
    facts.set('keys', f);
  }
  return { host: 'azure', facts };
}
