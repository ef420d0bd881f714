/** The `RunLog` contract on a PostgreSQL state: the `runs` table. */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { RunLog, RunOutcome, RunRecord, RunTotals } from './contracts/runs.ts';
import { runFromRow, type Row } from './records.ts';

export class PostgresRunLog implements RunLog {
  readonly #pool: pg.Pool;
  readonly #location: string;

  constructor(pool: pg.Pool, location: string) {
    this.#pool = pool;
    this.#location = location;
  }

  async startRun(run: { command: string; scope: string }): Promise<string> {
    const startedAt = new Date().toISOString();
    // The compact timestamp first makes ids sort by start time; the random tail keeps
    // runs started in the same millisecond by two processes apart.
    const id = `run-${startedAt.replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
    await this.#pool.query('INSERT INTO runs (id, command, scope, started_at) VALUES ($1, $2, $3, $4)', [
      id,
      run.command,
      run.scope,
      startedAt,
    ]);
    return id;
  }

  async finishRun(id: string, outcome: RunOutcome, totals: RunTotals): Promise<void> {
    const { rowCount } = await this.#pool.query(
      'UPDATE runs SET ended_at = $1, outcome = $2, total_objects = $3, total_bytes = $4, total_failed = $5 WHERE id = $6',
      [new Date().toISOString(), outcome, totals.objects, totals.bytes, totals.failed, id],
    );
    if (rowCount === 0) throw new Error(`cannot finish run ${id}: no such run in ${this.#location}`);
  }

  async listRuns(limit?: number): Promise<RunRecord[]> {
    // LIMIT NULL is no limit.
    const { rows } = await this.#pool.query('SELECT * FROM runs ORDER BY started_at DESC, seq DESC LIMIT $1', [
      limit ?? null,
    ]);
    return rows.map((row) => runFromRow(row as Row));
  }
}
