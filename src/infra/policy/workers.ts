/**
 * Rules for the worker fleet (issue 13): its machines and its state database in qualified
 * regions, the state database reachable from the fleet's network only, no secret in any
 * machine's user data, and a state database on a fleet machine wherever the managed offer is
 * not qualified — with a note, on every preview, saying where the state runs and why.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import { cidrRange } from '../../warehouse/spec.ts';
import { userDataSecretFindings } from '../worker-fleet-cloud-init.ts';
import { QUALIFIED_MANAGED_POSTGRES_REGIONS } from '../worker-fleet-placement.ts';
import { config, get, regionAllowed, str } from './helpers.ts';
import { DEFAULT_ALLOWED_REGIONS } from './regions.ts';

export const WORKER_FLEET_TYPE = 'cloudexit:workers:WorkerFleet';
const INSTANCE = 'ovh:CloudProject/instance:Instance';
const GATEWAY = 'ovh:CloudProject/gateway:Gateway';
const DATABASE = 'ovh:CloudProject/database:Database';

export const workerFleetRegions: ResourceValidationPolicy = {
  name: 'worker-fleet-regions',
  description: 'The worker fleet, its machines, its gateway and its state database run in qualified regions only.',
  enforcementLevel: 'mandatory',
  configSchema: {
    properties: { qualifiedRegions: { type: 'array', items: { type: 'string' }, default: DEFAULT_ALLOWED_REGIONS } },
  },
  validateResource: (args, report) => {
    if (![WORKER_FLEET_TYPE, INSTANCE, GATEWAY].includes(args.type)) return;
    const { qualifiedRegions } = config(args, { qualifiedRegions: DEFAULT_ALLOWED_REGIONS });
    const region = str(args.props, 'region');
    if (region === undefined) {
      // An instance without a region lands wherever the provider defaults: refuse rather than guess.
      report(`${args.name} declares no region; set one of ${qualifiedRegions.join(', ')}`);
      return;
    }
    if (!regionAllowed(region, qualifiedRegions))
      report(
        `${args.name} is in "${region}", not a qualified region (${qualifiedRegions.join(', ')}); ` +
          'move it or extend qualifiedRegions with its ANSSI reference',
      );
  },
};

export const userDataWithoutSecrets: ResourceValidationPolicy = {
  name: 'user-data-without-secrets',
  description:
    'No machine carries a secret in its user data (readable from the metadata service and the project API); ' +
    'secrets come from OKMS at boot.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== INSTANCE) return;
    const userData = str(args.props, 'userData');
    // During preview the user data may still be unknown; the update run checks it.
    if (userData === undefined) return;
    for (const kind of userDataSecretFindings(userData))
      report(`the user data of ${args.name} holds ${kind}; put it in the fleet's OKMS secret instead`);
  },
};

/** The fleet's children: by parent where the engine gives it, by the `<fleet>-` name prefix otherwise. */
function childrenOf(fleet: PolicyResource, resources: readonly PolicyResource[]): PolicyResource[] {
  return resources.filter((r) => r.parent?.urn === fleet.urn || r.name.startsWith(`${fleet.name}-`));
}

function inside(inner: string, outer: string): boolean {
  const [i, o] = [cidrRange(inner.includes('/') ? inner : `${inner}/32`), cidrRange(outer)];
  return i !== undefined && o !== undefined && i.first >= o.first && i.last <= o.last;
}

export const stateDatabasePrivate: StackValidationPolicy = {
  name: 'worker-state-database-private',
  description:
    "The worker state database has no public endpoint: managed, it admits the fleet's network only; " +
    'on a machine, no machine of the fleet has a public interface.',
  enforcementLevel: 'mandatory',
  validateStack: (args, report) => {
    for (const fleet of args.resources.filter((r) => r.type === WORKER_FLEET_TYPE)) {
      const cidr = str(fleet.props, 'networkCidr') ?? '';
      for (const r of childrenOf(fleet, args.resources)) {
        if (r.type === DATABASE) {
          const restrictions = ((get(r.props, 'ipRestrictions') as unknown[] | undefined) ?? []).map(
            (x) => str(x, 'ip') ?? '',
          );
          if (restrictions.length === 0)
            report(`${r.name} declares no IP restriction; allow only the fleet network ${cidr}`, r.urn);
          for (const ip of restrictions)
            if (!inside(ip, cidr))
              report(`${r.name} admits ${ip}, outside the fleet network ${cidr}; allow only ${cidr}`, r.urn);
          const nodes = (get(r.props, 'nodes') as unknown[] | undefined) ?? [];
          if (nodes.length === 0 || nodes.some((n) => get(n, 'networkId') === undefined))
            report(`${r.name} has a node outside the fleet's private network (nodes[].networkId)`, r.urn);
        }
        if (r.type === INSTANCE) {
          if (get(r.props, 'network', 'public') === true)
            report(`${r.name} has a public interface; the fleet reaches out through its gateway only`, r.urn);
          if (get(r.props, 'network', 'private', 'network', 'id') === undefined)
            report(`${r.name} is not on the fleet's private network (network.private.network.id)`, r.urn);
        }
      }
    }
  },
};

/** The qualified-managed-offer regions from policy config, with the component's list as default. */
function qualifiedManaged(getConfig: <T extends object>() => T): readonly string[] {
  return config({ getConfig }, { qualifiedManagedPostgresRegions: [...QUALIFIED_MANAGED_POSTGRES_REGIONS] })
    .qualifiedManagedPostgresRegions;
}

export const stateDatabasePlacement: StackValidationPolicy = {
  name: 'worker-state-database-placement',
  description:
    'Where no SecNumCloud-qualified managed PostgreSQL exists in the region, ' +
    'the worker state runs on a machine of the fleet, not on the managed offer.',
  enforcementLevel: 'mandatory',
  configSchema: {
    properties: {
      qualifiedManagedPostgresRegions: {
        type: 'array',
        items: { type: 'string' },
        default: [...QUALIFIED_MANAGED_POSTGRES_REGIONS],
      },
    },
  },
  validateStack: (args, report) => {
    const qualified = qualifiedManaged(args.getConfig);
    for (const fleet of args.resources.filter((r) => r.type === WORKER_FLEET_TYPE)) {
      const region = str(fleet.props, 'region') ?? '(no region)';
      const managed = childrenOf(fleet, args.resources).filter((r) => r.type === DATABASE);
      const declared = str(fleet.props, 'stateDatabase');
      if ((declared === 'managed' || managed.length > 0) && !regionAllowed(region, qualified))
        report(
          `no SecNumCloud-qualified managed PostgreSQL is listed for region ${region}: ` +
            'run the worker state on a fleet machine (workers.stateDatabase: instance), ' +
            `or add ${region} to qualifiedManagedPostgresRegions with the offer's ANSSI reference`,
          fleet.urn,
        );
    }
  },
};

/** Says, on every preview, where the state runs: advisory, it never blocks. */
export const stateDatabaseLocation: StackValidationPolicy = {
  name: 'worker-state-database-location',
  description: 'Reports where the worker state database runs and why.',
  enforcementLevel: 'advisory',
  validateStack: (args, report) => {
    const qualified = qualifiedManaged(args.getConfig);
    for (const fleet of args.resources.filter((r) => r.type === WORKER_FLEET_TYPE)) {
      const region = str(fleet.props, 'region') ?? '(no region)';
      report(
        str(fleet.props, 'stateDatabase') === 'managed'
          ? `${fleet.name}: the worker state runs on the managed PostgreSQL in ${region}` +
              (regionAllowed(region, qualified) ? ', listed as qualified' : ', which is not listed as qualified there')
          : `${fleet.name}: the worker state runs on a fleet machine in ${region}` +
              (regionAllowed(region, qualified) ? '' : ': no SecNumCloud-qualified managed PostgreSQL is listed there'),
        fleet.urn,
      );
    }
  },
};
