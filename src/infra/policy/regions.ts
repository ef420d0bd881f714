/**
 * Where data lives: every target resource in an allowed region, and database backups in
 * EU regions only. Region lists are policy config, so a new region is a config change
 * reviewed like any other, not a code change.
 */
import type { ResourceValidationArgs, ResourceValidationPolicy } from '@pulumi/policy';
import { config, get, regionAllowed, str, strings } from './helpers.ts';

/** The Paris region the OVHcloud stack deploys to. Extend through policy config. */
export const DEFAULT_ALLOWED_REGIONS = ['EU-WEST-PAR'];

/** EU regions of both hosts (OVHcloud Public Cloud and Azure), for backups. */
const DEFAULT_EU_REGIONS = [
  'EU-WEST-PAR',
  'GRA',
  'SBG',
  'RBX',
  'DE',
  'WAW',
  'EU-SOUTH-MIL',
  'francecentral',
  'francesouth',
  'westeurope',
  'northeurope',
  'germanywestcentral',
  'germanynorth',
  'swedencentral',
  'italynorth',
  'polandcentral',
  'spaincentral',
];

/** Paired regions of Azure EU regions: where geo-redundant backups land. */
const AZURE_EU_PAIRS: Record<string, string> = {
  francecentral: 'francesouth',
  westeurope: 'northeurope',
  northeurope: 'westeurope',
  germanywestcentral: 'germanynorth',
};

/** The regions a resource declares, by provider type; empty when it has none (global resources). */
function declaredRegions(type: string, props: Record<string, unknown>): string[] {
  if (type.startsWith('azure-native:')) {
    const location = str(props, 'location');
    return location && location.toLowerCase() !== 'global' ? [location] : [];
  }
  if (!type.startsWith('ovh:')) return [];
  const nodes = (get(props, 'nodes') as unknown[] | undefined) ?? [];
  return [
    str(props, 'regionName'),
    str(props, 'region'),
    ...strings(props, 'regions'),
    ...nodes.map((n) => str(n, 'region')),
  ].filter((r): r is string => r !== undefined);
}

export const allowedRegions: ResourceValidationPolicy = {
  name: 'allowed-regions',
  description: 'Target resources are created only in the regions listed in the policy config.',
  enforcementLevel: 'mandatory',
  configSchema: {
    properties: { allowedRegions: { type: 'array', items: { type: 'string' }, default: DEFAULT_ALLOWED_REGIONS } },
  },
  validateResource: (args: ResourceValidationArgs, report) => {
    const { allowedRegions: allowed } = config(args, { allowedRegions: DEFAULT_ALLOWED_REGIONS });
    for (const region of declaredRegions(args.type, args.props)) {
      if (!regionAllowed(region, allowed))
        report(
          `region "${region}" is not allowed (allowed: ${allowed.join(', ')}); move the resource or add the region to the allowedRegions policy config`,
        );
    }
  },
};

/** Where a database's backups go, by provider type; `undefined` when the resource has no backups. */
function backupRegions(
  type: string,
  props: Record<string, unknown>,
): { regions: string[]; unknown?: string } | undefined {
  if (type === 'ovh:CloudProject/database:Database') {
    const explicit = strings(props, 'backupRegions');
    const nodes = ((get(props, 'nodes') as unknown[] | undefined) ?? [])
      .map((n) => str(n, 'region'))
      .filter((r): r is string => r !== undefined);
    return { regions: explicit.length > 0 ? explicit : nodes };
  }
  if (type === 'azure-native:dbforpostgresql:Server') {
    const location = (str(props, 'location') ?? '').toLowerCase();
    if (str(props, 'backup', 'geoRedundantBackup') !== 'Enabled') return { regions: [location] };
    const pair = AZURE_EU_PAIRS[location];
    return pair
      ? { regions: [location, pair] }
      : {
          regions: [location],
          unknown: `geo-redundant backups of ${location} go to a paired region this policy does not know`,
        };
  }
  return undefined;
}

export const backupsInEu: ResourceValidationPolicy = {
  name: 'backups-in-eu',
  description: 'Database backups are stored in EU regions only.',
  enforcementLevel: 'mandatory',
  configSchema: {
    properties: { euRegions: { type: 'array', items: { type: 'string' }, default: DEFAULT_EU_REGIONS } },
  },
  validateResource: (args, report) => {
    const backups = backupRegions(args.type, args.props);
    if (!backups) return;
    const { euRegions } = config(args, { euRegions: DEFAULT_EU_REGIONS });
    if (backups.unknown)
      report(`${backups.unknown}; disable geo-redundant backups or add the pair to src/infra/policy/regions.ts`);
    for (const region of backups.regions) {
      if (!regionAllowed(region, euRegions))
        report(`backups go to "${region}", which is not an EU region (EU regions: ${euRegions.join(', ')})`);
    }
  },
};
