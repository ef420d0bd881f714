/**
 * The migration binding: which migration a state belongs to, and where each of its datasets
 * comes from and goes to. A state is bound on first use and then refuses a plan of another
 * migration, or one that points a dataset at another source or target, so progress recorded
 * for one mapping is never taken for progress of another (DESIGN.md "Contracts").
 *
 * The identities are descriptive strings the caller builds (`objectLocation`,
 * `postgresLocation` give the canonical forms): never a secret, a password or a SAS.
 * Every implementation passes `test/state/conformance/binding.ts`.
 */
import { UserError } from '../../errors.ts';
import { redact } from '../../secrets/redact.ts';

/** The kinds of dataset a plan can hold. */
export type DatasetKind = 'objects' | 'postgres';

export const DATASET_KINDS: readonly DatasetKind[] = ['objects', 'postgres'];

/** One dataset of the migration as the state remembers it. */
export interface DatasetBinding {
  /** The dataset's name in the plan. */
  name: string;
  kind: DatasetKind;
  /**
   * Where it is read from: `objectLocation(endpoint, container, prefix)` for an object
   * dataset, `postgresLocation(host, port, database)` for a PostgreSQL one.
   */
  source: string;
  /** Where it is written to, in the same form as `source`. */
  target: string;
}

/** The binding a plan asks for: its migration id and every dataset of the plan. */
export interface WantedBinding {
  migration: string;
  datasets: readonly DatasetBinding[];
}

/** A binding as recorded in the state. */
export interface BindingRecord {
  migration: string;
  /** Every dataset ever bound (those a later plan dropped included), in name order. */
  datasets: DatasetBinding[];
  /** When the state was first bound (ISO 8601). */
  boundAt: string;
  /** When the binding last changed: a dataset added, or a rebind (ISO 8601). */
  updatedAt: string;
  /** Every rebind, oldest first. */
  rebinds: RebindRecord[];
}

/** A deliberate change of the binding. */
export interface RebindRecord {
  /** ISO 8601. */
  at: string;
  /** Why, as given to `rebind` (redacted). */
  reason: string;
  /** What the rebind overrode: the conflicts `bind` would have refused. */
  conflicts: BindingConflict[];
}

/** What forbids using a state for a plan. */
export type BindingConflict =
  | { type: 'migration'; recorded: string; wanted: string }
  | { type: 'dataset'; dataset: string; field: 'kind' | 'source' | 'target'; recorded: string; wanted: string };

/** How a wanted binding differs from the recorded one. */
export interface BindingComparison {
  /** Differences that make the state another migration's: `bind` refuses them. */
  conflicts: BindingConflict[];
  /** Datasets of the plan the state has not recorded yet (all of them before the first bind): `bind` records them. */
  added: DatasetBinding[];
  /** Recorded datasets the plan no longer has: reported, kept, never an error. */
  removed: DatasetBinding[];
}

/** What `bind` did. */
export interface BindOutcome {
  /** The binding as recorded now. */
  binding: BindingRecord;
  /** True when the state had no binding before this call. */
  first: boolean;
  /** Datasets this call recorded (every dataset on the first bind). */
  added: DatasetBinding[];
  /** Recorded datasets the plan no longer has (kept in the binding). */
  removed: DatasetBinding[];
}

/** What `rebind` did; `conflicts` is what it overrode, for the caller's audit event. */
export interface RebindOutcome extends BindOutcome {
  conflicts: BindingConflict[];
}

/**
 * Safe to use from many processes on one storage; a promise that resolved means the
 * change is durable.
 */
export interface MigrationBinding {
  /** The recorded binding, or undefined if the state was never bound. */
  getBinding(): Promise<BindingRecord | undefined>;
  /**
   * Binds the state to `wanted`, atomically (read, compare and write are one step, so two
   * processes binding a new state at once record one binding). On a state never bound,
   * records it whole. Otherwise compares (`compareBinding`): with any conflict it rejects
   * with a `BindingConflictError` and changes nothing; else it records the datasets the
   * plan added, keeps those it dropped, and resolves. Binding again with an equal plan
   * changes nothing. Rejects, changing nothing, a wanted binding that is malformed (empty
   * names, a dataset named twice, an unknown kind) or holds a secret.
   */
  bind(wanted: WantedBinding): Promise<BindOutcome>;
  /**
   * Binds the state to `wanted` whatever was recorded, on purpose: sets the migration id,
   * records every dataset of `wanted` as given (datasets it does not name are kept), and
   * records the rebind with its reason and the conflicts it overrode. `reason` must not be
   * blank; it is stored redacted. Auditing the change is the caller's job.
   */
  rebind(wanted: WantedBinding, reason: string): Promise<RebindOutcome>;
}

/**
 * How `wanted` differs from `recorded` (undefined: never bound), as data. Conflicts come
 * migration first, then by dataset name, fields in the order kind, source, target; added
 * and removed datasets in name order. Pure.
 */
export function compareBinding(
  recorded: Pick<BindingRecord, 'migration' | 'datasets'> | undefined,
  wanted: WantedBinding,
): BindingComparison {
  const byName = (a: DatasetBinding, b: DatasetBinding): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const wantedSorted = [...wanted.datasets].sort(byName);
  if (!recorded) return { conflicts: [], added: wantedSorted, removed: [] };

  const conflicts: BindingConflict[] = [];
  if (recorded.migration !== wanted.migration)
    conflicts.push({ type: 'migration', recorded: recorded.migration, wanted: wanted.migration });
  const known = new Map(recorded.datasets.map((d) => [d.name, d]));
  const added: DatasetBinding[] = [];
  for (const want of wantedSorted) {
    const had = known.get(want.name);
    if (!had) {
      added.push(want);
      continue;
    }
    for (const field of ['kind', 'source', 'target'] as const) {
      if (had[field] !== want[field])
        conflicts.push({ type: 'dataset', dataset: want.name, field, recorded: had[field], wanted: want[field] });
    }
  }
  const wantedNames = new Set(wanted.datasets.map((d) => d.name));
  const removed = recorded.datasets.filter((d) => !wantedNames.has(d.name)).sort(byName);
  return { conflicts, added, removed };
}

/** One line per conflict, for messages. */
export function describeConflict(conflict: BindingConflict): string {
  return conflict.type === 'migration'
    ? `the state belongs to migration "${conflict.recorded}", the plan is migration "${conflict.wanted}"`
    : `dataset ${conflict.dataset}: its ${conflict.field} was ${conflict.recorded}, the plan says ${conflict.wanted}`;
}

/** `bind` refused the plan: the state is another migration's, or a dataset now points elsewhere. Nothing was changed. */
export class BindingConflictError extends UserError {
  override name = 'BindingConflictError';
  readonly conflicts: readonly BindingConflict[];

  constructor(location: string, conflicts: readonly BindingConflict[]) {
    super(`this state was recorded for another plan: ${conflicts.map(describeConflict).join('; ')}`, {
      where: location,
      fix: 'point --state at the state file of this plan; if the plan changed on purpose (a dataset moved), rebind the state to it with a reason, which is recorded',
    });
    this.conflicts = conflicts;
  }
}

/**
 * Throws when `wanted` cannot be recorded: an empty migration id, name, source or target;
 * a dataset named twice; an unknown kind; or text that looks like a secret (what `redact`
 * would mask). Implementations call it before writing anything.
 */
export function checkWantedBinding(wanted: WantedBinding): void {
  const refuse = (what: string): never => {
    throw new Error(`cannot bind the state to migration "${redact(wanted.migration)}": ${what}`);
  };
  const noSecret = (what: string, text: string): void => {
    if (redact(text) !== text)
      refuse(
        `${what} looks like it holds a secret; bind descriptive identities only (objectLocation, postgresLocation)`,
      );
  };
  if (wanted.migration === '') refuse('the migration id is empty');
  noSecret('the migration id', wanted.migration);
  const seen = new Set<string>();
  for (const d of wanted.datasets) {
    if (d.name === '') refuse('a dataset has an empty name');
    if (seen.has(d.name)) refuse(`dataset ${d.name} is named twice`);
    seen.add(d.name);
    if (!DATASET_KINDS.includes(d.kind))
      refuse(`dataset ${d.name} has kind "${String(d.kind)}", not one of ${DATASET_KINDS.join(', ')}`);
    for (const field of ['source', 'target'] as const) {
      if (d[field] === '') refuse(`dataset ${d.name} has an empty ${field}`);
      noSecret(`the ${field} of dataset ${d.name}`, d[field]);
    }
  }
}

/**
 * The canonical identity of an object location: the endpoint's origin and path (never its
 * user, password, query or fragment: a SAS lives there), the container or bucket, and the
 * prefix. `https://Acct.blob.core.windows.net/?sv=…&sig=…`, `hcl`, `lyon/` gives
 * `https://acct.blob.core.windows.net/hcl/lyon/`.
 */
export function objectLocation(endpoint: string, container: string, prefix: string): string {
  const url = new URL(endpoint);
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}/${container}/${prefix}`;
}

/**
 * The canonical identity of a PostgreSQL database: `postgresql://host:port/database`, host
 * in lower case (an IPv6 address in brackets); never the user or the password.
 */
export function postgresLocation(host: string, port: number, database: string): string {
  const h = host.toLowerCase();
  return `postgresql://${h.includes(':') ? `[${h}]` : h}:${port}/${database}`;
}
