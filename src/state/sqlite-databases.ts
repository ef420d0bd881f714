/** The `DatabaseStore` contract on a SQLite state file: one JSON document per PostgreSQL dataset. */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { redact } from '../secrets/redact.ts';
import type { DatabaseRecord, DatabaseStore } from './contracts/databases.ts';

export class SqliteDatabaseStore implements DatabaseStore {
  readonly #get: StatementSync;
  readonly #put: StatementSync;

  constructor(db: DatabaseSync) {
    this.#get = db.prepare('SELECT record FROM databases WHERE dataset = ?');
    this.#put = db.prepare(
      'INSERT INTO databases (dataset, record) VALUES (?, ?) ON CONFLICT (dataset) DO UPDATE SET record = excluded.record',
    );
  }

  async getDatabase(dataset: string): Promise<DatabaseRecord | undefined> {
    const row = this.#get.get(dataset);
    // Stored JSON has null where the record has undefined; the reviver drops those keys again.
    return row
      ? (JSON.parse(row['record'] as string, (_k, v: unknown) => (v === null ? undefined : v)) as DatabaseRecord)
      : undefined;
  }

  async putDatabase(record: DatabaseRecord): Promise<void> {
    // Redacted like every free text the state keeps: a tool's error may quote a connection string.
    const json = redact(JSON.stringify(record, (_k, v: unknown) => (v === undefined ? null : v)));
    this.#put.run(record.dataset, json);
  }
}
