/**
 * The `PhaseStore` contract on a SQLite state file: one JSON document per phase in the
 * `phases` table, whose CHECK keeps the id and the state inside it honest.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { PhaseRecord } from '../phase-record.ts';
import type { PhaseStore } from './contracts/phases.ts';
import { phaseFromJson, phaseJson } from './sqlite-rows.ts';

export class SqlitePhaseStore implements PhaseStore {
  readonly #getPhase: StatementSync;
  readonly #putPhase: StatementSync;

  constructor(db: DatabaseSync) {
    this.#getPhase = db.prepare('SELECT record FROM phases WHERE phase_id = ?');
    this.#putPhase = db.prepare(
      'INSERT INTO phases (phase_id, record) VALUES (?, ?) ON CONFLICT (phase_id) DO UPDATE SET record = excluded.record',
    );
  }

  async getPhase(phaseId: number): Promise<PhaseRecord | undefined> {
    const row = this.#getPhase.get(phaseId);
    return row && phaseFromJson(row['record'] as string);
  }

  async putPhase(record: PhaseRecord): Promise<void> {
    if (!Number.isSafeInteger(record.phaseId))
      throw new Error(`cannot store phase ${String(record.phaseId)}: a phase id is a whole number`);
    this.#putPhase.run(record.phaseId, phaseJson(record));
  }
}
