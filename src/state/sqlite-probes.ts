/**
 * The `ProbeLog` contract on a SQLite state file: one JSON document per probed target in
 * the `probes` table, replaced by the next probe of the same target.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { redact } from '../secrets/redact.ts';
import type { ProbeLog, ProbeRecord } from './contracts/probes.ts';

export class SqliteProbeLog implements ProbeLog {
  readonly #db: DatabaseSync;
  #get: StatementSync | undefined;
  #put: StatementSync | undefined;

  // Statements are prepared on first use: a state file opened read-only before its schema
  // gained the probes table still opens, and reads as "never probed".
  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  async getProbe(target: string): Promise<ProbeRecord | undefined> {
    const exists = this.#db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'probes'").get();
    if (!exists) return undefined;
    this.#get ??= this.#db.prepare('SELECT record FROM probes WHERE target = ?');
    const row = this.#get.get(target);
    return row && (JSON.parse(row['record'] as string) as ProbeRecord);
  }

  async listProbes(): Promise<ProbeRecord[]> {
    const exists = this.#db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'probes'").get();
    if (!exists) return [];
    return this.#db
      .prepare('SELECT record FROM probes ORDER BY target')
      .all()
      .map((row) => JSON.parse(row['record'] as string) as ProbeRecord);
  }

  async putProbe(record: ProbeRecord): Promise<void> {
    // Observations are words a store produced: masked like every other text the state keeps.
    const observations = record.observations.map((o) => ({ name: o.name, seen: redact(o.seen) }));
    this.#put ??= this.#db.prepare(
      'INSERT INTO probes (target, record) VALUES (?, ?) ON CONFLICT (target) DO UPDATE SET record = excluded.record',
    );
    this.#put.run(record.target, JSON.stringify({ ...record, observations }));
  }
}
