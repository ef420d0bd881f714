/**
 * The migration plan (`runbooks/<migration>/plan.yaml`): what moves, from where to where,
 * in which phases, inside which authorisation window, within which limits. Reviewed like
 * code, so every rule that can be checked before anything runs is checked here.
 *
 * Secrets never appear in a plan: it names the environment variables that hold them.
 */
import { z } from 'zod';
import { parseRate, parseSize } from './sizes.ts';
import type { DocumentProblem } from '../yaml/validated.ts';
import { authorisationWindow, cutoverOutsideWindow } from './window.ts';
import { governanceSchema } from './governance.ts';
import { translationsSchema } from './translations.ts';

const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower case letters, digits and dashes (e.g. "chru-nancy")');

/** A calendar date `YYYY-MM-DD` that exists (no 2026-02-30). */
const isoDate = z.string().refine((text) => isRealDate(text), {
  error: 'must be a real calendar date written YYYY-MM-DD (e.g. "2026-12-21")',
});

function isRealDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the NAME of an environment variable (upper case), never the secret itself');

const size = (example: string) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const bytes = parseSize(value);
    if (bytes === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a size such as "${example}" (units B, KiB, MiB, GiB, KB, MB, GB)`,
      });
      return z.NEVER;
    }
    return bytes;
  });

const rate = z.union([z.literal('unlimited'), z.string()]).transform((value, ctx) => {
  if (value === 'unlimited') return undefined;
  const bytesPerSecond = parseRate(value);
  if (bytesPerSecond === undefined || bytesPerSecond <= 0) {
    ctx.addIssue({ code: 'custom', message: 'must be "unlimited" or a rate such as "200MiB/s"' });
    return z.NEVER;
  }
  return bytesPerSecond;
});

/**
 * Why `text` is not an endpoint cloudexit may use, or `undefined`. Only http(s), and never
 * credentials or a query: a SAS pasted into an endpoint would put a secret in the plan.
 * The value itself is never echoed, for the same reason.
 */
export function endpointProblem(text: string, example: string): { message: string; fix: string } | undefined {
  const bare = !/^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (bare || url === undefined)
    return {
      message: 'is not a URL: an endpoint starts with https:// (or http:// for a local emulator)',
      fix: `write the whole URL, e.g. "${example}"`,
    };
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return {
      message: `uses ${url.protocol}//, but cloudexit speaks only https:// (and http:// for a local emulator)`,
      fix: `write it as https://…, e.g. "${example}"`,
    };
  if (url.username !== '' || url.password !== '')
    return {
      message: 'holds credentials (user:password@): a secret must never be written in the plan',
      fix: 'remove them from the URL; the auth section names the environment variables that hold the secrets',
    };
  if (url.search !== '' || text.includes('?'))
    return {
      message: 'has a query (?…): a SAS token or any other secret must never be written in the plan',
      fix: 'remove everything from "?" on; the auth section names the environment variable that holds the SAS token',
    };
  if (url.hash !== '')
    return { message: 'has a fragment (#…), which no endpoint takes', fix: 'remove everything from "#" on' };
  return undefined;
}

const endpointUrl = (example: string) =>
  z.string().superRefine((text, ctx) => {
    const problem = endpointProblem(text, example);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message, params: { fix: problem.fix } });
  });

/** How cloudexit signs in to the Azure Blob source. */
const azureAuth = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('sas'), sasTokenEnv: envName }),
  z.strictObject({ method: z.literal('key'), accountName: z.string().min(1), accountKeyEnv: envName }),
  z.strictObject({ method: z.literal('entra') }),
]);

const azureBlobEndpoint = z.strictObject({
  kind: z.literal('azure-blob'),
  /** Blob service URL, e.g. https://account.blob.core.windows.net */
  endpoint: endpointUrl('https://account.blob.core.windows.net'),
  auth: azureAuth,
});

const s3Endpoint = z.strictObject({
  kind: z.literal('s3'),
  /** S3 API URL, e.g. https://s3.eu-west-par.io.cloud.ovh.net */
  endpoint: endpointUrl('https://s3.eu-west-par.io.cloud.ovh.net'),
  region: z.string().min(1),
  /** Path-style addressing (`endpoint/bucket/key`); most S3-compatible hosts accept both. @default false */
  forcePathStyle: z.boolean().default(false),
  /** Whether the host supports the SDK's flexible checksums (see README). @default false */
  flexibleChecksums: z.boolean().default(false),
  /**
   * Whether the bucket's ETags are MD5s of the content (S3 without customer-key encryption).
   * With SSE-C or SSE-KMS they are not: set false, and the copy-time and quick-verify ETag
   * checks against the locally computed value are skipped (SHA-256 checks remain).
   * @default true
   */
  etagIsMd5: z.boolean().default(true),
  auth: z.strictObject({ accessKeyIdEnv: envName, secretAccessKeyEnv: envName }),
});

/** A key prefix inside a container or bucket. @default "" (the whole container or bucket) */
const prefix = z
  .string()
  .default('')
  .refine((p) => p === '' || (p.endsWith('/') && !p.startsWith('/')), {
    error: 'must be empty or end with "/" and not start with "/" (e.g. "lyon/2024/")',
  });

const objectDataset = z.strictObject({
  name: slug,
  title: z.string().min(1),
  /** @default "objects" */
  kind: z.literal('objects').default('objects'),
  source: z.strictObject({ container: z.string().min(3), prefix }),
  target: z.strictObject({ bucket: z.string().min(3), prefix }),
});

/** A PostgreSQL server and database; the password comes from `passwordEnv` or `passwordFile`, never the plan. */
const pgEndpoint = z.strictObject({
  host: z.string().min(1),
  /** @default 5432 */
  port: z.number().int().min(1).max(65_535).default(5432),
  database: z.string().min(1),
  user: z.string().min(1),
  /** Environment variable holding the password. */
  passwordEnv: envName.optional(),
  /** File holding the password (its first line), e.g. a mounted secret. */
  passwordFile: z.string().min(1).optional(),
  /** libpq `sslmode`; managed databases need TLS. @default "require" */
  sslmode: z.enum(['disable', 'require', 'verify-ca', 'verify-full']).default('require'),
});

const qualifiedTable = z.string().regex(/^[^.\s]+\.[^.\s]+$/, 'must be schema.table (e.g. "public.audit_trail")');

/**
 * A PostgreSQL database moved in the same phases as object data: Azure Database for
 * PostgreSQL flexible server → OVHcloud managed PostgreSQL.
 */
export const postgresDataset = z.strictObject({
  name: slug,
  title: z.string().min(1),
  kind: z.literal('postgres'),
  /**
   * `dump-restore` (default; what OVHcloud documents for its managed PostgreSQL): parallel
   * pg_dump / pg_restore, the final sync is a new dump during the freeze. `logical`: a
   * publication and a subscription keep the target in sync; the freeze waits for lag 0.
   * @default "dump-restore"
   */
  method: z.enum(['dump-restore', 'logical']).default('dump-restore'),
  source: pgEndpoint,
  target: pgEndpoint,
  /** Schemas to move. @default ["public"] */
  schemas: z.array(z.string().min(1)).min(1).default(['public']),
  /** Only these tables, as schema.table; every table of `schemas` when left out. */
  tables: z.array(qualifiedTable).min(1).optional(),
  /** Tables left out, as schema.table. @default [] (none) */
  excludeTables: z.array(qualifiedTable).default([]),
  /** Privileges granted again on the target (ownership is not carried: objects belong to the target user). @default [] (none) */
  grants: z
    .array(
      z.strictObject({
        role: z.string().min(1),
        privileges: z
          .array(z.enum(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']))
          .min(1),
        schemas: z.array(z.string().min(1)).optional(),
      }),
    )
    .default([]),
  /** Parallel jobs of pg_dump and pg_restore. @default 4 */
  jobs: z.number().int().min(1).max(32).default(4),
  /** Local folder for dumps; its free space is checked against the database size first. @default ".cloudexit/work" */
  workDir: z.string().min(1).default('.cloudexit/work'),
  /** Rows per chunk when fingerprinting tables by primary-key range. @default 200000 rows */
  chunkRows: z.number().int().min(1_000).max(100_000_000).default(200_000),
  /**
   * Days the source's provider keeps point-in-time-restore backups (Azure Database for
   * PostgreSQL: 7 to 35): the decommission certificate says the last backup holding the data
   * expires that many days after the drop. Optional in the parsed plan (not defaulted there) so
   * that datasets built in code need not carry it; read it through `backupRetentionDays()` in
   * `src/databases/decommission.ts`. @default 7 days (Azure's default retention)
   */
  backupRetentionDays: z.number().int().min(0).max(35).optional(),
});

const person = z.string().min(1);

const phase = z.strictObject({
  id: z.number().int().min(1),
  name: z.string().min(1),
  datasets: z.array(z.string()).min(1),
  /** Planned cutover day, Europe/Paris. */
  plannedCutover: isoDate,
  owners: z.strictObject({
    decisionMaker: person,
    opsLead: person,
    dataOwner: person,
    dpo: person,
  }),
});

/**
 * Scripts the cutover runs (zx or any Node script: `.mjs`, `.js`, `.ts`…; or a bash
 * script: `.sh`), paths relative to the folder cloudexit runs in; `loadPlan` checks that
 * each exists. Each receives the phase, datasets, endpoints and run id in its
 * environment (see src/cutover/hooks.ts); a non-zero exit stops the cutover at that step.
 */
const hooks = z.strictObject({
  /** Stops writes to the source (e.g. revokes write SAS, sets the application read-only). */
  freeze: z.string().min(1).optional(),
  /** Re-allows writes to the source; run by a rollback. */
  thaw: z.string().min(1).optional(),
  /** Points readers at the target (a DNS record, an application setting). */
  switch: z.string().min(1).optional(),
  /** Checks that the application works against the target. */
  smokeCheck: z.string().min(1).optional(),
  /** Points readers back at the source; run by a rollback after a switch. */
  rollback: z.string().min(1).optional(),
  /** Longest time a hook may run, in seconds. @default 900 (15 minutes) */
  timeoutSeconds: z.number().int().min(1).max(86_400).default(900),
});

/**
 * A property one host cannot declare (a parity row `unsupported on …`), accepted with its
 * compensation: the parity gate counts every unsupported property as a gap unless it is
 * accepted here, by name.
 */
const acceptedGap = z.strictObject({
  /** The parity property, as `cloudexit parity` names it, e.g. "key holder". */
  property: z.string().min(1),
  /** Only this subject (e.g. "dataset hcl", "database", "keys"). @default every subject */
  subject: z.string().min(1).optional(),
  /** What makes up for it, in words a reviewer can check. */
  compensation: z.string().min(1),
  /** Who accepted the gap (a name and role), for the audit. */
  acceptedBy: z.string().min(1),
});

/** The cutover moments at which people are told something (see `communication`). */
export const COMMUNICATION_MOMENTS = [
  'before-freeze',
  'go-no-go',
  'after-switch',
  'after-commit',
  'on-rollback',
] as const;
export type CommunicationMoment = (typeof COMMUNICATION_MOMENTS)[number];

/**
 * One message of the communication plan: who is told what, when, through which channel,
 * by whom. The runbook of each phase lists the messages that apply to it, in moment order.
 */
const communicationItem = z.strictObject({
  /** The moment of the cutover the message belongs to. */
  when: z.enum(COMMUNICATION_MOMENTS),
  /** When exactly, in words, e.g. "2 working days before the freeze"; the moment alone when absent. */
  timing: z.string().min(1).optional(),
  /** Who is told, e.g. "Researchers with EMC2 projects". */
  audience: z.string().min(1),
  /** What they are told. */
  message: z.string().min(1),
  /** Through which channel, e.g. "e-mail to the EMC2 users list". */
  channel: z.string().min(1),
  /** Who sends it: an owner role of the phase (decisionMaker, opsLead, dataOwner, dpo). */
  sender: z.enum(['decisionMaker', 'opsLead', 'dataOwner', 'dpo']),
  /** Ids of the phases it applies to. @default every phase */
  phases: z.array(z.number().int().min(1)).min(1).optional(),
});

/** How hard the copy may push: concurrency, part sizes, memory, bandwidth and retries. */
const limits = z
  .strictObject({
    /** Objects copied at once. @default 16 objects */
    concurrency: z.number().int().min(1).max(256).default(16),
    /** Parts of one large object uploaded at once. @default 4 parts */
    partConcurrency: z.number().int().min(1).max(64).default(4),
    /** Objects at least this large go through a multipart upload; a size, in bytes once parsed. @default "16MiB" */
    multipartThreshold: size('16MiB').prefault('16MiB'),
    /**
     * Smallest part; grown for very large objects so none needs more parts than the target
     * allows. 5 MiB, S3's own minimum: against 8 MiB, the bench's 256 MiB copy held ~23 MiB
     * less at its peak (the parts in flight) and used ~10% less CPU, at the same speed.
     * @default "5MiB" (a size, in bytes once parsed)
     */
    minPartSize: size('5MiB').prefault('5MiB'),
    /**
     * Bytes the copier may hold in part buffers at once, across all transfers; a size, in
     * bytes once parsed.
     * @default "96MiB"
     */
    memoryBudget: size('96MiB').prefault('96MiB'),
    /**
     * Upper bound on bytes read from the source per second: a rate such as "200MiB/s", in
     * bytes per second once parsed (undefined when unlimited).
     * @default "unlimited"
     */
    bandwidth: rate.prefault('unlimited'),
    /** Attempts per request before an object is marked failed, the first included. @default 8 attempts */
    maxAttempts: z.number().int().min(1).max(50).default(8),
  })
  .superRefine((l, ctx) => {
    // A multipart upload needs parts of at least minPartSize but the last: below it, a
    // 0-byte object would become an upload of no part, which S3 refuses (MalformedXML).
    if (l.multipartThreshold < l.minPartSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['multipartThreshold'],
        message: `is ${l.multipartThreshold} bytes, below minPartSize (${l.minPartSize} bytes): smaller objects cannot be sent in parts`,
        params: { fix: 'set multipartThreshold to minPartSize or more, e.g. "16MiB" (the default)' },
      });
    }
    if (l.minPartSize < 5 * 2 ** 20) {
      ctx.addIssue({
        code: 'custom',
        path: ['minPartSize'],
        message: `is ${l.minPartSize} bytes, below the 5 MiB every S3 target requires of a part but the last`,
        params: { fix: 'set minPartSize to "5MiB" (the default) or more' },
      });
    }
  })
  .prefault({});

const windowSchema = z.strictObject({
  /** Day the authorisation was granted. */
  authorisedOn: isoDate,
  /** Length of the authorisation in years. */
  years: z.number().int().min(1).max(10),
  /** Days before the window closes by which every phase must be committed. @default 7 days */
  safetyMarginDays: z.number().int().min(0).max(365).default(7),
  /** Reference of the decision, for runbooks (e.g. the CNIL deliberation number). */
  reference: z.string().optional(),
});

// `kind` may be left out for object datasets, the common case.
const dataset = z.preprocess(
  (v) => (v && typeof v === 'object' && !Array.isArray(v) && !('kind' in v) ? { ...v, kind: 'objects' } : v),
  z.discriminatedUnion('kind', [objectDataset, postgresDataset]),
);

/**
 * The plan's fields. Rules across fields (phases naming datasets, the window, overlapping
 * targets) are in `planCrossChecks`, run by `parsePlan` on the raw document so that they
 * are reported together with the field errors.
 */
export const planSchema = z.strictObject({
  migration: slug,
  title: z.string().min(1),
  window: windowSchema,
  source: azureBlobEndpoint,
  target: s3Endpoint,
  datasets: z.array(dataset).min(1),
  phases: z.array(phase).min(1),
  /** @default {} (no hook; hooks.timeoutSeconds at its default) */
  hooks: hooks.prefault({}),
  /** @default {} (every limit at its default) */
  limits,
  /** Stack parity: unsupported properties accepted with their compensation. @default { accepted: [] } */
  parity: z
    .strictObject({
      /** @default [] (every unsupported property is a gap) */
      accepted: z.array(acceptedGap).default([]),
    })
    .prefault({}),
  /** The communication plan of the cutovers, for the runbooks. @default no message */
  communication: z.array(communicationItem).default([]),
  /**
   * Contacts, escalation, vendor support, go/no-go criteria, acceptance, document control, risks
   * and the cutover night's hours, for the runbooks (governance.ts). @default every part empty or at its default
   */
  governance: governanceSchema,
  /** The plan's own text in other languages, for the runbooks (translations.ts). @default none */
  translations: translationsSchema,
  /**
   * Days after a phase's commit during which the source is kept, untouched, for a way back
   * (hypercare); `cloudexit decommission` refuses to delete the source before they have passed.
   * @default 14 days
   */
  hypercareDays: z.number().int().min(0).max(365).default(14),
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function listAt(doc: Record<string, unknown>, key: string): unknown[] {
  const value = doc[key];
  return Array.isArray(value) ? value : [];
}

/**
 * The rules across fields, on the raw plan document (or a parsed plan). Each rule looks only
 * at the pieces it needs and skips the ones that are themselves invalid (those are reported
 * by the schema), so that one load reports every problem at once.
 */
export function planCrossChecks(raw: unknown): DocumentProblem[] {
  const problems: DocumentProblem[] = [];
  const add = (path: (string | number)[], message: string, fix: string) => problems.push({ path, message, fix });
  const doc = isRecord(raw) ? raw : {};
  const rawDatasets = listAt(doc, 'datasets');
  const rawPhases = listAt(doc, 'phases');

  const names = new Map<string, number>();
  rawDatasets.forEach((entry, index) => {
    const name = isRecord(entry) ? entry['name'] : undefined;
    if (typeof name !== 'string') return;
    const first = names.get(name);
    if (first !== undefined) {
      add(
        ['datasets', index, 'name'],
        `dataset name "${name}" is already used by datasets[${first}]`,
        'give every dataset a unique name',
      );
    } else names.set(name, index);
  });
  // Without every dataset's name, a phase's dataset cannot be called unknown.
  const allNamed = rawDatasets.every((entry) => isRecord(entry) && typeof entry['name'] === 'string');

  const phases = rawPhases.map((entry) => {
    const p = isRecord(entry) ? entry : {};
    const id = p['id'];
    const datasets = p['datasets'];
    const cutover = p['plannedCutover'];
    return {
      id: typeof id === 'number' && Number.isInteger(id) ? id : undefined,
      datasets: Array.isArray(datasets) ? datasets : undefined,
      plannedCutover: typeof cutover === 'string' && isRealDate(cutover) ? cutover : undefined,
    };
  });

  const phaseOf = new Map<string, number>();
  const phaseIds = new Set<number>();
  phases.forEach((p, pi) => {
    if (p.id !== undefined) {
      if (phaseIds.has(p.id)) add(['phases', pi, 'id'], `phase id ${p.id} is used twice`, 'number phases 1, 2, 3, …');
      phaseIds.add(p.id);
    }
    (p.datasets ?? []).forEach((name, di) => {
      if (typeof name !== 'string') return;
      if (!names.has(name)) {
        if (allNamed)
          add(
            ['phases', pi, 'datasets', di],
            `unknown dataset "${name}"`,
            `use one of: ${[...names.keys()].join(', ')} — or declare it under datasets`,
          );
      } else if (phaseOf.has(name)) {
        const other = phases[phaseOf.get(name)!]!.id;
        add(
          ['phases', pi, 'datasets', di],
          `dataset "${name}" is already in phase ${other ?? `phases[${phaseOf.get(name)}]`}`,
          'a dataset moves in exactly one phase: remove it from one of them',
        );
      } else phaseOf.set(name, pi);
    });
  });

  if (phases.every((p) => p.id !== undefined)) {
    listAt(doc, 'communication').forEach((item, ci) => {
      const ids = isRecord(item) && Array.isArray(item['phases']) ? item['phases'] : [];
      ids.forEach((id, pi) => {
        if (typeof id === 'number' && Number.isInteger(id) && !phaseIds.has(id)) {
          add(
            ['communication', ci, 'phases', pi],
            `there is no phase ${id}`,
            `use one of: ${phases.map((p) => p.id).join(', ')}, or leave "phases" out for every phase`,
          );
        }
      });
    });
  }

  const windowSettings = windowSchema.safeParse(doc['window']);
  if (windowSettings.success) {
    const window = authorisationWindow(windowSettings.data);
    phases.forEach((p, pi) => {
      if (p.plannedCutover === undefined) return;
      const problem = cutoverOutsideWindow(window, p.plannedCutover);
      if (problem) {
        add(
          ['phases', pi, 'plannedCutover'],
          `phase ${p.id ?? pi + 1} is planned for ${p.plannedCutover}, ${problem}`,
          `plan it between ${window.opensOn} and ${window.deadline}, or change window.safetyMarginDays`,
        );
      }
    });
  }

  if (phases.every((p) => p.datasets?.every((name) => typeof name === 'string'))) {
    rawDatasets.forEach((entry, index) => {
      const name = isRecord(entry) ? entry['name'] : undefined;
      if (typeof name === 'string' && names.get(name) === index && !phaseOf.has(name)) {
        add(
          ['datasets', index, 'name'],
          `dataset "${name}" is in no phase, so it would never be cut over`,
          `add "${name}" to the datasets of one phase`,
        );
      }
    });
  }

  // Two datasets writing into overlapping target prefixes would overwrite each other's
  // objects and mix their manifests: refuse before anything is copied.
  const parsed = rawDatasets.map((entry) => {
    const result = dataset.safeParse(entry);
    return result.success ? result.data : undefined;
  });
  parsed.forEach((a, i) => {
    parsed.forEach((b, j) => {
      if (j <= i || a === undefined || b === undefined) return;
      if (a.kind === 'postgres' && b.kind === 'postgres') {
        const same =
          a.target.host === b.target.host && a.target.port === b.target.port && a.target.database === b.target.database;
        if (same) {
          add(
            ['datasets', j, 'target', 'database'],
            `datasets "${a.name}" and "${b.name}" restore into the same database ${b.target.database} on ${b.target.host}:${b.target.port}`,
            'give each PostgreSQL dataset its own target database',
          );
        }
        return;
      }
      if (a.kind !== 'objects' || b.kind !== 'objects' || a.target.bucket !== b.target.bucket) return;
      if (a.target.prefix.startsWith(b.target.prefix) || b.target.prefix.startsWith(a.target.prefix)) {
        add(
          ['datasets', j, 'target', 'prefix'],
          `datasets "${a.name}" and "${b.name}" write to the same place: bucket "${a.target.bucket}", prefixes "${a.target.prefix}" and "${b.target.prefix}" overlap`,
          'give each dataset its own bucket or a prefix that is not inside the other',
        );
      }
    });
  });
  return problems;
}

/** A validated plan, with defaults filled in and sizes in bytes. */
export type Plan = z.output<typeof planSchema>;
export type Dataset = Plan['datasets'][number];
export type ObjectDataset = Extract<Dataset, { kind: 'objects' }>;
export type PostgresDataset = Extract<Dataset, { kind: 'postgres' }>;

export function isObjectDataset(dataset: Dataset): dataset is ObjectDataset {
  return dataset.kind === 'objects';
}
export type Phase = Plan['phases'][number];
export type Limits = Plan['limits'];
export type Hooks = Plan['hooks'];
export type AcceptedParityGap = Plan['parity']['accepted'][number];
export type AzureBlobEndpoint = z.output<typeof azureBlobEndpoint>;
export type S3Endpoint = z.output<typeof s3Endpoint>;
