/**
 * Ctrl-C and SIGTERM on the command line. The first signal aborts the run's
 * `AbortController`: the use case stops new work and records the work in flight. A second
 * one exits at once with 130. The state is safe either way.
 */
import { EXIT } from '../errors.ts';
import type { ProgressSink } from '../progress.ts';
import { logExit } from './log.ts';
import { createProgressDisplay } from './progress-display.ts';

/** What a use case gets from the command line. */
export interface CommandIo {
  progress: ProgressSink;
  signal: AbortSignal;
}

let interrupted = false;

/** Whether a command of this process was stopped by a signal: it then exits 130, whatever it finished. */
export function wasInterrupted(): boolean {
  return interrupted;
}

/** Aborts on the first SIGINT or SIGTERM, exits on the second; `release` stops listening. */
export function interruptOnSignals(progress: ProgressSink): { signal: AbortSignal; release(): void } {
  const abort = new AbortController();
  let received = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    received++;
    interrupted = true;
    if (received > 1) {
      logExit(EXIT.interrupted);
      process.exit(EXIT.interrupted);
    }
    progress.note(
      `${signal}: stopping after the work in flight (press Ctrl-C again to quit now; the state is kept either way)`,
    );
    abort.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: abort.signal,
    release() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/**
 * Runs `work` with the progress display the flags ask for (nothing but notes under
 * `--json` or `--no-progress`, nothing under the global `--quiet`) and Ctrl-C handling,
 * for as long as it runs.
 */
export async function withCommandIo<T>(
  flags: { json?: boolean | undefined; progress?: boolean | undefined },
  work: (io: CommandIo) => Promise<T>,
): Promise<T> {
  const progress = await createProgressDisplay({ quiet: flags.json === true || flags.progress === false });
  const interrupts = interruptOnSignals(progress);
  try {
    return await work({ progress, signal: interrupts.signal });
  } finally {
    interrupts.release();
  }
}
