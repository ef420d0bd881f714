/**
 * What a state holds, counted per contract and status, and where its audit log ends: the
 * same queries on SQLite and PostgreSQL (plain SQL both understand), so that two states can
 * be compared side by side after `cloudexit state migrate`, and a target checked empty.
 */

/** Runs one read query and returns its rows. */
export type ReadQuery = (sql: string) => Promise<Record<string, unknown>[]>;

/** Counts per contract; maps are keyed by status (objects by dataset, then status). */
export interface StateCensus {
  /** The migration the state is bound to; null when unbound. */
  migration: string | null;
  bindingDatasets: number;
  rebinds: number;
  /** Runs by outcome (`running` for a run without one). */
  runs: Record<string, number>;
  /** Objects by dataset, then status. */
  objects: Record<string, Record<string, number>>;
  uploads: number;
  uploadParts: number;
  auditEvents: number;
  /** The last audit event: its position and hash. Null for an empty log. */
  auditHead: { seq: number; hash: string } | null;
  /** Phase records by state. */
  phases: Record<string, number>;
  /** PostgreSQL dataset records by status. */
  databases: Record<string, number>;
  probes: number;
}

const count = async (query: ReadQuery, table: string): Promise<number> =>
  Number((await query(`SELECT CAST(count(*) AS INTEGER) AS n FROM ${table}`))[0]?.['n'] ?? 0);

const grouped = async (query: ReadQuery, sql: string): Promise<Record<string, number>> =>
  Object.fromEntries((await query(sql)).map((r) => [String(r['k']), Number(r['n'])]));

/** Counts a JSON record field's values in JS: SQLite keeps the records as text, PostgreSQL as jsonb. */
async function byRecordField(query: ReadQuery, table: string, field: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const row of await query(`SELECT record FROM ${table}`)) {
    const record = (typeof row['record'] === 'string' ? JSON.parse(row['record']) : row['record']) as Record<
      string,
      unknown
    >;
    const value = String(record[field]);
    counts[value] = (counts[value] ?? 0) + 1;
  }
  return counts;
}

/** The census of the state `query` reads. */
export async function takeCensus(query: ReadQuery): Promise<StateCensus> {
  const objects: StateCensus['objects'] = {};
  const objectRows = await query(
    `SELECT dataset, status, CAST(count(*) AS INTEGER) AS n
     FROM objects GROUP BY dataset, status ORDER BY dataset, status`,
  );
  for (const r of objectRows) (objects[String(r['dataset'])] ??= {})[String(r['status'])] = Number(r['n']);
  const head = (await query('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1'))[0];
  const binding = (await query('SELECT migration FROM binding'))[0];
  return {
    migration: binding ? String(binding['migration']) : null,
    bindingDatasets: await count(query, 'binding_datasets'),
    rebinds: await count(query, 'binding_rebinds'),
    runs: await grouped(
      query,
      "SELECT coalesce(outcome, 'running') AS k, CAST(count(*) AS INTEGER) AS n FROM runs GROUP BY 1 ORDER BY 1",
    ),
    objects,
    uploads: await count(query, 'uploads'),
    uploadParts: await count(query, 'upload_parts'),
    auditEvents: await count(query, 'audit_events'),
    auditHead: head ? { seq: Number(head['seq']), hash: String(head['hash']) } : null,
    phases: await byRecordField(query, 'phases', 'state'),
    databases: await byRecordField(query, 'databases', 'status'),
    probes: await count(query, 'probes'),
  };
}

/** True when the state holds nothing at all: no binding, run, object, event or record. */
export function isEmptyCensus(census: StateCensus): boolean {
  return (
    census.migration === null &&
    census.bindingDatasets + census.rebinds + census.uploads + census.uploadParts + census.auditEvents === 0 &&
    census.probes === 0 &&
    [census.runs, census.phases, census.databases, ...Object.values(census.objects)].every(
      (m) => Object.keys(m).length === 0,
    ) &&
    Object.keys(census.objects).length === 0
  );
}

/** The fields where two censuses differ, as `path: left ≠ right` lines; empty when they agree. */
export function censusDifferences(left: StateCensus, right: StateCensus): string[] {
  const differences: string[] = [];
  const walk = (path: string, a: unknown, b: unknown) => {
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const k of [...keys].sort()) {
        walk(path ? `${path}.${k}` : k, (a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]);
      }
    } else if (a !== b) {
      differences.push(`${path}: ${JSON.stringify(a ?? 0)} ≠ ${JSON.stringify(b ?? 0)}`);
    }
  };
  walk('', left, right);
  return differences;
}
