/**
 * The `MigrationBinding` contract on a SQLite state file: one `binding` row, one row per
 * bound dataset in `binding_datasets`, and the rebinds in `binding_rebinds`.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { redact } from '../secrets/redact.ts';
import {
  BindingConflictError,
  checkWantedBinding,
  compareBinding,
  type BindingConflict,
  type BindingRecord,
  type BindOutcome,
  type DatasetBinding,
  type DatasetKind,
  type MigrationBinding,
  type RebindOutcome,
  type WantedBinding,
} from './contracts/binding.ts';
import type { WriteTransaction } from './sqlite-transaction.ts';

export class SqliteMigrationBinding implements MigrationBinding {
  readonly #db: DatabaseSync;
  readonly #write: WriteTransaction;
  readonly #location: string;
  readonly #getBinding: StatementSync;
  readonly #getDatasets: StatementSync;
  readonly #getRebinds: StatementSync;
  readonly #insertBinding: StatementSync;
  readonly #setBinding: StatementSync;
  readonly #putDataset: StatementSync;
  readonly #insertRebind: StatementSync;

  constructor(db: DatabaseSync, write: WriteTransaction, location: string) {
    this.#db = db;
    this.#write = write;
    this.#location = location;
    this.#getBinding = db.prepare('SELECT migration, bound_at, updated_at FROM binding WHERE id = 1');
    this.#getDatasets = db.prepare('SELECT name, kind, source, target FROM binding_datasets ORDER BY name');
    this.#getRebinds = db.prepare('SELECT at, reason, conflicts FROM binding_rebinds ORDER BY seq');
    this.#insertBinding = db.prepare('INSERT INTO binding (id, migration, bound_at, updated_at) VALUES (1, ?, ?, ?)');
    this.#setBinding = db.prepare('UPDATE binding SET migration = ?, updated_at = ? WHERE id = 1');
    this.#putDataset = db.prepare(`INSERT INTO binding_datasets (name, kind, source, target) VALUES (?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, source = excluded.source, target = excluded.target`);
    this.#insertRebind = db.prepare('INSERT INTO binding_rebinds (at, reason, conflicts) VALUES (?, ?, ?)');
  }

  async getBinding(): Promise<BindingRecord | undefined> {
    // One read transaction: the binding, its datasets and its rebinds from the same moment.
    this.#db.exec('BEGIN');
    try {
      return this.#read();
    } finally {
      this.#db.exec('COMMIT');
    }
  }

  async bind(wanted: WantedBinding): Promise<BindOutcome> {
    checkWantedBinding(wanted);
    // IMMEDIATE from the read on: two processes binding a new state record one binding,
    // and the second compares against it.
    return this.#write(() => {
      const recorded = this.#read();
      const { conflicts, added, removed } = compareBinding(recorded, wanted);
      if (conflicts.length > 0) throw new BindingConflictError(this.#location, conflicts);
      if (!recorded || added.length > 0) {
        const now = new Date().toISOString();
        if (recorded) this.#setBinding.run(recorded.migration, now);
        else this.#insertBinding.run(wanted.migration, now, now);
        for (const d of added) this.#putDataset.run(d.name, d.kind, d.source, d.target);
      }
      return { binding: this.#read()!, first: !recorded, added, removed };
    });
  }

  async rebind(wanted: WantedBinding, reason: string): Promise<RebindOutcome> {
    checkWantedBinding(wanted);
    if (reason.trim() === '') throw new Error('cannot rebind the state without a reason');
    return this.#write(() => {
      const recorded = this.#read();
      const { conflicts, added, removed } = compareBinding(recorded, wanted);
      const now = new Date().toISOString();
      if (recorded) this.#setBinding.run(wanted.migration, now);
      else this.#insertBinding.run(wanted.migration, now, now);
      for (const d of wanted.datasets) this.#putDataset.run(d.name, d.kind, d.source, d.target);
      this.#insertRebind.run(now, redact(reason), JSON.stringify(conflicts));
      return { binding: this.#read()!, first: !recorded, added, removed, conflicts };
    });
  }

  #read(): BindingRecord | undefined {
    const row = this.#getBinding.get();
    if (!row) return undefined;
    return {
      migration: row['migration'] as string,
      datasets: this.#getDatasets.all().map((d): DatasetBinding => ({
        name: d['name'] as string,
        kind: d['kind'] as DatasetKind,
        source: d['source'] as string,
        target: d['target'] as string,
      })),
      boundAt: row['bound_at'] as string,
      updatedAt: row['updated_at'] as string,
      rebinds: this.#getRebinds.all().map((r) => ({
        at: r['at'] as string,
        reason: r['reason'] as string,
        conflicts: JSON.parse(r['conflicts'] as string) as BindingConflict[],
      })),
    };
  }
}
