/**
 * The run log: which command ran when, on what, and how it ended. The projection of the
 * remaining work reads it; every implementation passes `test/state/conformance/runs.ts`.
 */

export type RunOutcome = 'succeeded' | 'failed' | 'interrupted';

export interface RunTotals {
  objects: number;
  bytes: number;
  failed: number;
}

export interface RunRecord {
  id: string;
  command: string;
  scope: string;
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601; undefined while running or after a crash. */
  endedAt: string | undefined;
  outcome: RunOutcome | undefined;
  totals: RunTotals | undefined;
}

/** Safe to use from many processes on one storage; a promise that resolved means the change is durable. */
export interface RunLog {
  /**
   * Records the start of a command run (now) and returns its id,
   * `run-<UTC start, compact>-<8 random hex digits>`: ids sort by start time, and the
   * random tail keeps apart two runs started in the same millisecond by two processes.
   */
  startRun(run: { command: string; scope: string }): Promise<string>;
  /** Records how a run ended (now); rejects when no run has this id. */
  finishRun(id: string, outcome: RunOutcome, totals: RunTotals): Promise<void>;
  /** Runs, newest first (by start time, then by order of recording), at most `limit` of them. */
  listRuns(limit?: number): Promise<RunRecord[]>;
}
