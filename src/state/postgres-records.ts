/**
 * The contracts whose records are one JSON document each, read and written whole, on a
 * PostgreSQL state: `PhaseStore` (`phases`), `DatabaseStore` (`databases`) and `ProbeLog`
 * (`probes`). Documents are `jsonb`, read back as text so each is parsed exactly as the
 * SQLite store parses its own.
 */
import type pg from 'pg';
import type { PhaseRecord } from '../phase-record.ts';
import { redact } from '../secrets/redact.ts';
import type { DatabaseRecord, DatabaseStore } from './contracts/databases.ts';
import type { PhaseStore } from './contracts/phases.ts';
import type { ProbeLog, ProbeRecord } from './contracts/probes.ts';
import { phaseFromJson, phaseJson } from './records.ts';

export class PostgresPhaseStore implements PhaseStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async getPhase(phaseId: number): Promise<PhaseRecord | undefined> {
    const { rows } = await this.#pool.query<{ record: string }>(
      'SELECT record::text AS record FROM phases WHERE phase_id = $1',
      [phaseId],
    );
    return rows[0] && phaseFromJson(rows[0].record);
  }

  async putPhase(record: PhaseRecord): Promise<void> {
    if (!Number.isSafeInteger(record.phaseId))
      throw new Error(`cannot store phase ${String(record.phaseId)}: a phase id is a whole number`);
    await this.#pool.query(
      `INSERT INTO phases (phase_id, record) VALUES ($1, $2::jsonb)
       ON CONFLICT (phase_id) DO UPDATE SET record = excluded.record`,
      [record.phaseId, phaseJson(record)],
    );
  }
}

export class PostgresDatabaseStore implements DatabaseStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async getDatabase(dataset: string): Promise<DatabaseRecord | undefined> {
    const { rows } = await this.#pool.query<{ record: string }>(
      'SELECT record::text AS record FROM databases WHERE dataset = $1',
      [dataset],
    );
    // Stored JSON has null where the record has undefined; the reviver drops those keys again.
    return rows[0]
      ? (JSON.parse(rows[0].record, (_k, v: unknown) => (v === null ? undefined : v)) as DatabaseRecord)
      : undefined;
  }

  async putDatabase(record: DatabaseRecord): Promise<void> {
    // Redacted like every free text the state keeps: a tool's error may quote a connection string.
    const json = redact(JSON.stringify(record, (_k, v: unknown) => (v === undefined ? null : v)));
    await this.#pool.query(
      `INSERT INTO databases (dataset, record) VALUES ($1, $2::jsonb)
       ON CONFLICT (dataset) DO UPDATE SET record = excluded.record`,
      [record.dataset, json],
    );
  }
}

export class PostgresProbeLog implements ProbeLog {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async getProbe(target: string): Promise<ProbeRecord | undefined> {
    const { rows } = await this.#pool.query<{ record: string }>(
      'SELECT record::text AS record FROM probes WHERE target = $1',
      [target],
    );
    return rows[0] && (JSON.parse(rows[0].record) as ProbeRecord);
  }

  async listProbes(): Promise<ProbeRecord[]> {
    const { rows } = await this.#pool.query<{ record: string }>(
      'SELECT record::text AS record FROM probes ORDER BY target',
    );
    return rows.map((row) => JSON.parse(row.record) as ProbeRecord);
  }

  async putProbe(record: ProbeRecord): Promise<void> {
    // Observations are words a store produced: masked like every other text the state keeps.
    const observations = record.observations.map((o) => ({ name: o.name, seen: redact(o.seen) }));
    await this.#pool.query(
      `INSERT INTO probes (target, record) VALUES ($1, $2::jsonb)
       ON CONFLICT (target) DO UPDATE SET record = excluded.record`,
      [record.target, JSON.stringify({ ...record, observations })],
    );
  }
}
