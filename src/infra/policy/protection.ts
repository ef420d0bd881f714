/**
 * How data is protected: encrypted at rest, not reachable from the internet, TLS 1.2 or
 * later. Each policy checks what the provider lets a program declare; what it cannot
 * declare (the minimum TLS of an OVHcloud S3 endpoint, for instance) is reported by
 * `cloudexit parity`, not silently passed here.
 */
import type { ResourceValidationPolicy } from '@pulumi/policy';
import { get, isAnywhere, isPrivateCidr, str } from './helpers.ts';

export const encryptionAtRest: ResourceValidationPolicy = {
  name: 'encryption-at-rest',
  description:
    'Storage and databases declare encryption at rest (with a customer-managed key where the provider allows it).',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    const p = args.props;
    switch (args.type) {
      case 'azure-native:storage:StorageAccount':
        if (str(p, 'encryption', 'keySource') !== 'Microsoft.Keyvault')
          report(
            'the storage account does not use a customer-managed key (encryption.keySource must be Microsoft.Keyvault)',
          );
        if (get(p, 'encryption', 'requireInfrastructureEncryption') !== true)
          report('infrastructure encryption is off (encryption.requireInfrastructureEncryption must be true)');
        if (get(p, 'encryption', 'services', 'blob', 'enabled') === false) report('blob encryption is disabled');
        return;
      case 'azure-native:dbforpostgresql:Server':
        if (str(p, 'dataEncryption', 'type') !== 'AzureKeyVault')
          report(
            'the PostgreSQL server does not use a customer-managed key (dataEncryption.type must be AzureKeyVault)',
          );
        return;
      case 'ovh:CloudProject/storage:Storage': {
        const sse = str(p, 'encryption', 'sseAlgorithm');
        if (!sse || sse.toLowerCase() === 'plaintext')
          report(
            `bucket "${str(p, 'name') ?? args.name}" declares no server-side encryption (set encryption.sseAlgorithm: AES256)`,
          );
        return;
      }
      default:
        return;
    }
  },
};

export const noPublicNetworkAccess: ResourceValidationPolicy = {
  name: 'no-public-network-access',
  description:
    'No data service is open to the internet: public network access disabled, no 0.0.0.0/0 (or other public) allow-list entry, no anonymous containers.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    const p = args.props;
    const ruleIps = (rules: unknown) =>
      ((rules as unknown[] | undefined) ?? []).map(
        (r) => str(r, 'value') ?? str(r, 'iPAddressOrRange') ?? str(r, 'ip') ?? '',
      );
    switch (args.type) {
      case 'azure-native:storage:StorageAccount':
        if (str(p, 'publicNetworkAccess') !== 'Disabled')
          report('public network access is not disabled (publicNetworkAccess must be Disabled)');
        if (get(p, 'allowBlobPublicAccess') !== false)
          report('anonymous blob access is not forbidden (allowBlobPublicAccess must be false)');
        for (const ip of ruleIps(get(p, 'networkRuleSet', 'ipRules')))
          if (isAnywhere(ip) || !isPrivateCidr(ip)) report(`network rule allows ${ip}`);
        return;
      case 'azure-native:storage:BlobContainer':
        if ((str(p, 'publicAccess') ?? 'None') !== 'None')
          report(`container allows anonymous access (${str(p, 'publicAccess')})`);
        return;
      case 'azure-native:keyvault:Vault':
        if (str(p, 'properties', 'publicNetworkAccess') !== 'Disabled')
          report('Key Vault public network access is not disabled');
        for (const ip of ruleIps(get(p, 'properties', 'networkAcls', 'ipRules')))
          if (isAnywhere(ip) || !isPrivateCidr(ip)) report(`Key Vault network rule allows ${ip}`);
        return;
      case 'azure-native:dbforpostgresql:Server':
        if (str(p, 'network', 'publicNetworkAccess') !== 'Disabled')
          report('PostgreSQL public network access is not disabled (network.publicNetworkAccess must be Disabled)');
        return;
      case 'azure-native:dbforpostgresql:FirewallRule':
        report(
          `firewall rule ${str(p, 'startIpAddress') ?? '?'}–${str(p, 'endIpAddress') ?? '?'} opens the server beyond its private network`,
        );
        return;
      case 'ovh:CloudProject/database:Database': {
        const ips = ((get(p, 'ipRestrictions') as unknown[] | undefined) ?? []).map((r) => str(r, 'ip') ?? '');
        for (const ip of ips)
          if (isAnywhere(ip) || !isPrivateCidr(ip))
            report(`IP restriction ${ip} lets the internet reach the database; allow only the private network`);
        const nodes = (get(p, 'nodes') as unknown[] | undefined) ?? [];
        if (nodes.some((n) => get(n, 'networkId') === undefined))
          report('a database node is not attached to a private network (nodes[].networkId)');
        return;
      }
      default:
        return;
    }
  },
};

const TLS_OK_STORAGE = new Set(['TLS1_2', 'TLS1_3']);
const TLS_OK_POSTGRES = new Set(['TLSv1.2', 'TLSv1.3']);

export const tlsMinimum: ResourceValidationPolicy = {
  name: 'tls-1-2-minimum',
  description: 'Services that let the program set a minimum TLS version set 1.2 or later.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    const p = args.props;
    if (args.type === 'azure-native:storage:StorageAccount') {
      const v = str(p, 'minimumTlsVersion');
      if (!v || !TLS_OK_STORAGE.has(v))
        report(
          `minimum TLS version is ${v ?? 'not set (Azure would default to an older one)'}; set minimumTlsVersion: TLS1_2`,
        );
      if (get(p, 'enableHttpsTrafficOnly') === false) report('HTTP (clear-text) traffic is allowed');
    }
    if (
      args.type === 'azure-native:dbforpostgresql:Configuration' &&
      str(p, 'configurationName') === 'ssl_min_protocol_version'
    ) {
      const v = str(p, 'value');
      if (!v || !TLS_OK_POSTGRES.has(v)) report(`ssl_min_protocol_version is ${v ?? 'empty'}; set TLSv1.2 or TLSv1.3`);
    }
    if (
      args.type === 'azure-native:dbforpostgresql:Configuration' &&
      str(p, 'configurationName') === 'require_secure_transport' &&
      str(p, 'value') !== 'on'
    ) {
      report('require_secure_transport is off: clear-text connections are accepted');
    }
  },
};
