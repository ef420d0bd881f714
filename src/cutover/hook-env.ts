/**
 * The environment a cutover hook runs with: the documented `CLOUDEXIT_*` variables built
 * from plain data (`hookEnvironment`), on top of a small set inherited from cloudexit's
 * own environment (`inheritedEnvironment`). docs/hooks.md lists every variable.
 *
 * Why not the whole parent environment: cloudexit's environment holds its own secrets
 * (CLOUDEXIT_SOURCE_SAS, CLOUDEXIT_TARGET_SECRET_ACCESS_KEY, …). A hook has no business
 * with them — a DNS switch does not need the S3 secret key — and hooks are scripts that
 * print things, call third-party CLIs and run with zx's verbose mode on, so every extra
 * secret in their environment is one more chance to land in the audit log. The allowlist
 * is not a sandbox (a hook runs as the same user and can read ~/.azure); it keeps secrets
 * from leaking by accident. A hook that needs a credential gets it deliberately: its own
 * sign-in (`az login`, a managed identity) or a variable named in `passEnv`.
 */
import type { Phase, Plan } from '../plan/schema.ts';

/** The hooks a plan may name (the keys of its `hooks` section). */
export type HookName = 'freeze' | 'thaw' | 'switch' | 'smokeCheck' | 'rollback';

/**
 * A dataset as a hook sees it. Object datasets: the endpoints come from the plan's source
 * and target. PostgreSQL datasets: host, port and database of each side (no user, no password).
 */
export type HookDataset =
  | {
      name: string;
      kind?: 'objects';
      source: { container: string; prefix: string };
      target: { bucket: string; prefix: string };
    }
  | { name: string; kind: 'postgres'; source: PgSide; target: PgSide };

interface PgSide {
  host: string;
  port: number;
  database: string;
}

/** Plain data a hook's documented variables are built from. */
export interface HookContext {
  /** The plan's `migration` slug, e.g. `emc2`. */
  migration: string;
  /** The phase being cut over. */
  phase: { id: number; name: string };
  /**
   * The cutover step running the hook, as the state machine names it (e.g. `freeze`,
   * `switch`, `smoke-check`, `rollback`, `thaw`). The hook's own name is passed
   * separately, as `CLOUDEXIT_HOOK`, by `runHook`.
   */
  step: string;
  /** Id of the cutover run, the same one the audit log records. */
  runId: string;
  /** The phase's datasets, in plan order. */
  datasets: readonly HookDataset[];
  /** Source Blob service URL; credentials and query strings are stripped. */
  sourceEndpoint: string;
  /** Target S3 API URL; credentials and query strings are stripped. */
  targetEndpoint: string;
  /**
   * Folder where hooks keep their own state (pointer files, markers). Relative paths are
   * resolved by `runHook` against the folder cloudexit runs in.
   * @default '.cloudexit/hooks'
   */
  stateDir?: string;
  /** When the source was frozen for this phase, once known. */
  frozenAt?: Date | string | undefined;
}

/** The variables `hookEnvironment` may set; every one is documented in docs/hooks.md. */
export const HOOK_VARIABLES = [
  'CLOUDEXIT_MIGRATION',
  'CLOUDEXIT_PHASE',
  'CLOUDEXIT_PHASE_NAME',
  'CLOUDEXIT_STEP',
  'CLOUDEXIT_RUN_ID',
  'CLOUDEXIT_DATASETS',
  'CLOUDEXIT_DATASETS_JSON',
  'CLOUDEXIT_SOURCE_ENDPOINT',
  'CLOUDEXIT_TARGET_ENDPOINT',
  'CLOUDEXIT_STATE_DIR',
  'CLOUDEXIT_FROZEN_AT',
] as const;

export const DEFAULT_HOOK_STATE_DIR = '.cloudexit/hooks';

/**
 * The documented `CLOUDEXIT_*` variables for one hook run. Pure: same input, same output;
 * reads no environment, no file, no secret. `CLOUDEXIT_FROZEN_AT` is absent until known.
 */
export function hookEnvironment(context: HookContext): Record<string, string> {
  const source = publicUrl(context.sourceEndpoint);
  const target = publicUrl(context.targetEndpoint);
  const env: Record<string, string> = {
    CLOUDEXIT_MIGRATION: context.migration,
    CLOUDEXIT_PHASE: String(context.phase.id),
    CLOUDEXIT_PHASE_NAME: context.phase.name,
    CLOUDEXIT_STEP: context.step,
    CLOUDEXIT_RUN_ID: context.runId,
    CLOUDEXIT_DATASETS: context.datasets.map((d) => d.name).join(','),
    CLOUDEXIT_DATASETS_JSON: JSON.stringify(
      context.datasets.map((d) =>
        d.kind === 'postgres'
          ? { name: d.name, kind: 'postgres', source: pgSide(d.source), target: pgSide(d.target) }
          : {
              name: d.name,
              source: { endpoint: source, container: d.source.container, prefix: d.source.prefix },
              target: { endpoint: target, bucket: d.target.bucket, prefix: d.target.prefix },
            },
      ),
    ),
    CLOUDEXIT_SOURCE_ENDPOINT: source,
    CLOUDEXIT_TARGET_ENDPOINT: target,
    CLOUDEXIT_STATE_DIR: context.stateDir ?? DEFAULT_HOOK_STATE_DIR,
  };
  if (context.frozenAt !== undefined) env.CLOUDEXIT_FROZEN_AT = isoInstant(context.frozenAt);
  return env;
}

function pgSide(side: PgSide): PgSide {
  return { host: side.host, port: side.port, database: side.database };
}

/** The `HookContext` of one phase of a validated plan: what the state machine usually needs. */
export function hookContextFromPlan(
  plan: Pick<Plan, 'migration' | 'datasets' | 'source' | 'target'>,
  phase: Pick<Phase, 'id' | 'name' | 'datasets'>,
  run: { step: string; runId: string; stateDir?: string; frozenAt?: Date | string | undefined },
): HookContext {
  const byName = new Map(plan.datasets.map((d) => [d.name, d]));
  const datasets = phase.datasets.map((name) => {
    const d = byName.get(name);
    // The plan schema already refuses unknown names; this guards hand-built plans.
    if (!d) throw new Error(`phase ${phase.id} names dataset "${name}", which the plan does not declare`);
    return d.kind === 'postgres'
      ? { name: d.name, kind: 'postgres' as const, source: pgSide(d.source), target: pgSide(d.target) }
      : { name: d.name, source: d.source, target: d.target };
  });
  return {
    migration: plan.migration,
    phase: { id: phase.id, name: phase.name },
    datasets,
    sourceEndpoint: plan.source.endpoint,
    targetEndpoint: plan.target.endpoint,
    ...run,
  };
}

// Variables a hook legitimately needs from cloudexit's environment: finding programs,
// a home for CLI config (~/.azure, ~/.aws), locale and time zone, a temp folder, the
// corporate proxy and CA that outbound calls to Azure or DNS APIs go through, and what
// Windows needs to start anything. NODE_OPTIONS is left out on purpose: it carries test
// runners' loaders and debugger flags that would change how the hook runs.
const INHERITED = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'NODE_EXTRA_CA_CERTS',
  'NODE_USE_SYSTEM_CA',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'SYSTEMROOT',
  'WINDIR',
  'COMSPEC',
  'PATHEXT',
  'TEMP',
  'TMP',
  'USERPROFILE',
  'APPDATA',
  'LOCALAPPDATA',
]);

/**
 * The part of `parent` a hook inherits: the allowlist above, `LC_*`, and the names in
 * `passEnv` (e.g. `AZURE_CLIENT_ID`) that the operator chose to hand to hooks.
 * Never cloudexit's own credentials unless named in `passEnv`.
 */
export function inheritedEnvironment(
  parent: NodeJS.ProcessEnv,
  passEnv: readonly string[] = [],
  platform: NodeJS.Platform = process.platform,
): Record<string, string> {
  const passed = new Set(passEnv);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(parent)) {
    if (value === undefined) continue;
    // Windows variable names are case-insensitive (Path, SystemRoot, ComSpec).
    const name = platform === 'win32' ? key.toUpperCase() : key;
    if (INHERITED.has(name) || name.startsWith('LC_') || passed.has(key)) env[key] = value;
  }
  return env;
}

/** The URL without user:password, query (a SAS) or fragment: what a hook may print. */
function publicUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.href.replace(/\/$/, '');
  } catch {
    return url.replace(/[?#].*$/, '');
  }
}

function isoInstant(value: Date | string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new RangeError(`frozenAt must be a date or an ISO timestamp, got "${String(value)}"`);
  return date.toISOString();
}
