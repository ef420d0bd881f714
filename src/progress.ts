/**
 * How long work reports progress. The engine, the databases and the app only count; the CLI decides whether that
 * becomes a bar on a terminal, plain lines in a log, or nothing under `--json`.
 */
export interface ProgressSink {
  /** A new stage begins (e.g. `copy hcl`), with what it expects to do. */
  start(stage: string, totals: { objects: number; bytes: number }): void;
  /**
   * More work found for the current stage (a copy fed by a listing learns its totals as the
   * listing goes). Optional: a sink without it shows the totals given at `start`. @default none
   */
  grow?(delta: { objects?: number; bytes?: number }): void;
  /** Work done since the last call. */
  advance(delta: { objects?: number; bytes?: number }): void;
  /** Something a person should see now (a retry, a skipped object). Already free of secrets. */
  note(message: string): void;
  /** The stage ended. */
  stop(): void;
}

export const SILENT: ProgressSink = { start() {}, advance() {}, note() {}, stop() {} };
