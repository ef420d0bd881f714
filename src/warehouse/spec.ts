/**
 * The host-neutral description of a warehouse: what must exist and how it must be
 * protected, never how a given cloud spells it. Both stacks (Azure, OVHcloud) are built
 * from one such spec, and `cloudexit parity` checks what each host actually declared
 * against the other.
 */
import { z } from 'zod';

/** Data classification; drives tags and, for health data, the SecNumCloud policies. */
const classification = z.enum(['health-pseudonymised', 'public-reference']);

/** A lower-case DNS-safe label: bucket and container names are built from it. */
const label = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,40}[a-z0-9])?$/, {
  error: 'must be lower-case letters, digits and inner hyphens, at most 42 characters, such as "chru-nancy"',
});

const immutability = z.strictObject({
  /**
   * `governance`: an authorised administrator can still lift the lock (needed when the
   * law requires erasure before the period ends). `compliance`: nobody can.
   */
  mode: z.enum(['governance', 'compliance']),
  /** Days every object version stays locked after it is written. */
  days: z.number().int().min(1).max(36500),
});

const objectDataset = z.strictObject({
  /** Dataset name, as in the migration plan (e.g. `hcl`). */
  name: label,
  /** Who the data comes from, for people reading reports. */
  title: z.string().min(1),
  classification,
  /**
   * Days a deleted or overwritten object stays recoverable (soft delete on Azure,
   * noncurrent-version expiry on S3 hosts). 1 to 365, Azure's soft-delete bounds.
   */
  retentionDays: z.number().int().min(1).max(365),
  /** Keep every version of every object. */
  versioning: z.boolean(),
  /** Write-once retention; omit for mutable data. */
  immutability: immutability.optional(),
  /**
   * Key prefix inside the container or bucket.
   * @default ""
   */
  prefix: z.string().default(''),
});
export type ObjectDataset = z.output<typeof objectDataset>;

const postgresDatabase = z.strictObject({
  /** Database name inside the server (e.g. `emc2_catalog`). */
  name: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'must be a lower-case PostgreSQL identifier' }),
  title: z.string().min(1),
  classification,
});

const postgresServer = z.strictObject({
  /** Major version, e.g. "16". Both hosts must offer it. */
  version: z.string().regex(/^\d{2}$/, { error: 'must be a PostgreSQL major version such as "16"' }),
  /** Compute and disk; each host maps it to its nearest catalogue size (src/infra/postgres-compute-sizes.ts). */
  size: z.strictObject({
    vcpus: z.number().int().min(1),
    memoryGb: z.number().int().min(1),
    storageGb: z.number().int().min(32),
  }),
  /** A standby in another zone that takes over automatically. */
  highAvailability: z.boolean(),
  /** Days of point-in-time backups. Azure accepts 7 to 35. */
  backupRetentionDays: z.number().int().min(7).max(35),
  databases: z.array(postgresDatabase).min(1),
});
export type PostgresServerSpec = z.output<typeof postgresServer>;

/**
 * The worker fleet that copies the warehouse: host-neutral sizing and what each
 * worker runs. Each target stack maps it to its own machines (src/infra/worker-fleet*.ts).
 */
const workerFleet = z.strictObject({
  /** Machines, one `cloudexit worker` each. */
  count: z.number().int().min(1).max(200),
  /**
   * Compute of one worker; each host picks its smallest catalogue size that covers it.
   * @default { vcpus: 4, memoryGb: 16 }
   */
  size: z
    .strictObject({ vcpus: z.number().int().min(1), memoryGb: z.number().int().min(1) })
    .default({ vcpus: 4, memoryGb: 16 }),
  /**
   * Address space of the fleet's own network (RFC 1918), apart from the warehouse network:
   * workers need egress to the source, the warehouse network has none by design.
   * @default "10.41.0.0/24"
   */
  cidr: z
    .string()
    .refine(isPrivateCidr, { error: 'must be a private (RFC 1918) IPv4 CIDR such as 10.41.0.0/24' })
    .default('10.41.0.0/24'),
  /**
   * Path of the migration plan on each worker (`cloudexit worker --plan`).
   * @default "/etc/cloudexit/plan.yaml"
   */
  plan: z.string().startsWith('/', { error: 'must be an absolute path' }).default('/etc/cloudexit/plan.yaml'),
  /**
   * What `npm install --global` installs on each worker: `cloudexit@<version>` from the
   * organisation's registry, or a tarball URL (`npm pack`) the fleet reads without
   * credentials. No default: cloudexit is not published on the public registry.
   */
  package: z.string().min(1, { error: 'name the cloudexit package or tarball the workers install' }),
  /**
   * Where the PostgreSQL state runs: `managed` (the host's managed database), `instance` (a
   * machine of the fleet), or `auto`: managed only where the host's managed offer is listed
   * as qualified for the region (src/infra/worker-fleet-placement.ts).
   * @default "auto"
   */
  stateDatabase: z.enum(['auto', 'managed', 'instance']).default('auto'),
});
export type WorkerFleetSpec = z.output<typeof workerFleet>;

export const warehouseSpec = z
  .strictObject({
    /** Short name used to build every resource name, e.g. `emc2`. */
    name: label,
    title: z.string().min(1),
    datasets: z.array(objectDataset).min(1),
    postgres: postgresServer,
    network: z.strictObject({
      /** Only `private` is accepted: no data service of the warehouse is reachable from the internet. */
      exposure: z.literal('private', { error: 'only "private" is supported: set network.exposure: private' }),
      /** Address space of the warehouse's private network (RFC 1918). */
      cidr: z.string().refine(isPrivateCidr, { error: 'must be a private (RFC 1918) IPv4 CIDR such as 10.40.0.0/16' }),
    }),
    keys: z.strictObject({
      /** Only `customer-managed` is accepted: keys live in the operator's own key service. */
      management: z.literal('customer-managed', {
        error: 'only "customer-managed" is supported: set keys.management: customer-managed',
      }),
      /** Days between automatic key rotations, where the host can rotate. */
      rotationDays: z.number().int().min(30).max(730),
    }),
    audit: z.strictObject({
      /** Data-plane access logs and database logs are shipped to the host's log service. */
      enabled: z.literal(true, { error: 'audit logging cannot be turned off: set audit.enabled: true' }),
      /** Days the log service keeps them. */
      retentionDays: z.number().int().min(30).max(730),
    }),
    /** The worker fleet; omit to run workers by hand (docs/workers.md). */
    workers: workerFleet.optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.workers && cidrsOverlap(spec.workers.cidr, spec.network.cidr))
      ctx.addIssue({
        code: 'custom',
        path: ['workers', 'cidr'],
        message: `the fleet network ${spec.workers.cidr} overlaps the warehouse network ${spec.network.cidr}`,
        params: { fix: 'give workers.cidr a range outside network.cidr, such as 10.41.0.0/24' },
      });
    const seen = new Set<string>();
    spec.datasets.forEach((d, i) => {
      if (seen.has(d.name))
        ctx.addIssue({
          code: 'custom',
          path: ['datasets', i, 'name'],
          message: `dataset "${d.name}" is declared twice`,
          params: { fix: 'give each dataset a unique name' },
        });
      seen.add(d.name);
      if (d.immutability && !d.versioning) {
        // S3 object lock only exists on versioned buckets; refusing here beats a failed deployment.
        ctx.addIssue({
          code: 'custom',
          path: ['datasets', i, 'versioning'],
          message: 'immutability needs versioning',
          params: { fix: 'set versioning: true or remove immutability' },
        });
      }
    });
  });

export type WarehouseSpec = z.output<typeof warehouseSpec>;

/** True for a CIDR inside 10/8, 172.16/12 or 192.168/16. */
export function isPrivateCidr(cidr: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return false;
  const [a, b, c, d, bits] = m.slice(1).map(Number) as [number, number, number, number, number];
  if ([a, b, c, d].some((o) => o > 255) || bits > 32) return false;
  if (a === 10) return bits >= 8;
  if (a === 172) return b >= 16 && b <= 31 && bits >= 12;
  return a === 192 && b === 168 && bits >= 16;
}

/** First and last address of an IPv4 CIDR, as 32-bit numbers; undefined when it is not one. */
export function cidrRange(cidr: string): { first: number; last: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) return undefined;
  const [a, b, c, d, bits] = m.slice(1).map(Number) as [number, number, number, number, number];
  if ([a, b, c, d].some((o) => o > 255) || bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  const first = Math.floor((((a * 256 + b) * 256 + c) * 256 + d) / size) * size;
  return { first, last: first + size - 1 };
}

function cidrsOverlap(x: string, y: string): boolean {
  const [p, q] = [cidrRange(x), cidrRange(y)];
  return p !== undefined && q !== undefined && p.first <= q.last && q.first <= p.last;
}

/** Container or bucket name of a dataset: `<warehouse>-<dataset>` (e.g. `emc2-hcl`). */
export function bucketName(spec: Pick<WarehouseSpec, 'name'>, dataset: Pick<ObjectDataset, 'name'>): string {
  return `${spec.name}-${dataset.name}`;
}
