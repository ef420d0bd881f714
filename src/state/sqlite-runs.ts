/** The `RunLog` contract on a SQLite state file: the `runs` table. */
import { randomBytes } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { RunLog, RunOutcome, RunRecord, RunTotals } from './contracts/runs.ts';
import { runFromRow } from './sqlite-rows.ts';

export class SqliteRunLog implements RunLog {
  readonly #location: string;
  readonly #insertRun: StatementSync;
  readonly #finishRun: StatementSync;
  readonly #listRuns: StatementSync;

  constructor(db: DatabaseSync, location: string) {
    this.#location = location;
    this.#insertRun = db.prepare('INSERT INTO runs (id, command, scope, started_at) VALUES (?, ?, ?, ?)');
    this.#finishRun = db.prepare(
      'UPDATE runs SET ended_at = ?, outcome = ?, total_objects = ?, total_bytes = ?, total_failed = ? WHERE id = ?',
    );
    this.#listRuns = db.prepare('SELECT * FROM runs ORDER BY started_at DESC, seq DESC LIMIT ?');
  }

  async startRun(run: { command: string; scope: string }): Promise<string> {
    const startedAt = new Date().toISOString();
    // The compact timestamp first makes ids sort by start time; the random tail keeps
    // runs started in the same millisecond by two processes apart.
    const id = `run-${startedAt.replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
    this.#insertRun.run(id, run.command, run.scope, startedAt);
    return id;
  }

  async finishRun(id: string, outcome: RunOutcome, totals: RunTotals): Promise<void> {
    const { changes } = this.#finishRun.run(
      new Date().toISOString(),
      outcome,
      totals.objects,
      totals.bytes,
      totals.failed,
      id,
    );
    if (changes === 0) throw new Error(`cannot finish run ${id}: no such run in ${this.#location}`);
  }

  async listRuns(limit?: number): Promise<RunRecord[]> {
    return this.#listRuns.all(limit ?? -1).map(runFromRow);
  }
}
