/**
 * Prints one closing line `tests: N passed, N failed, N skipped` after vitest's own report:
 * the plain form that tools reading CI logs understand whatever the runner.
 *
 * "failed" counts every failed test, plus each file that failed without a failed test of
 * its own (a `beforeAll` that threw leaves its tests "skipped"; a file that did not load has
 * no tests at all), plus errors vitest caught outside any test. A run vitest calls failed can
 * never print "0 failed". The files behind those failures are named on the line before.
 */
import type { Reporter, SerializedError, TestModule, TestRunEndReason } from 'vitest/node';

export interface RunSummary {
  passed: number;
  failed: number;
  skipped: number;
  /** Files that failed without a failed test (setup or load failures), by module id. */
  failedFiles: string[];
  unhandledErrors: number;
}

export function summarise(
  modules: readonly TestModule[],
  unhandledErrors: readonly SerializedError[],
  reason: TestRunEndReason,
): RunSummary {
  const summary: RunSummary = {
    passed: 0,
    failed: 0,
    skipped: 0,
    failedFiles: [],
    unhandledErrors: unhandledErrors.length,
  };
  for (const module of modules) {
    let failedHere = 0;
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') summary.passed++;
      else if (state === 'failed') failedHere++;
      else summary.skipped++;
    }
    summary.failed += failedHere;
    if (failedHere === 0 && (module.state() === 'failed' || module.errors().length > 0))
      summary.failedFiles.push(module.moduleId);
  }
  summary.failed += summary.failedFiles.length + summary.unhandledErrors;
  // Whatever made vitest fail the run (a threshold, a crash), the line must not say 0.
  if (reason === 'failed' && summary.failed === 0) summary.failed = 1;
  return summary;
}

export function closingLine(summary: RunSummary): string {
  return `tests: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`;
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    modules: readonly TestModule[],
    unhandledErrors: readonly SerializedError[],
    reason: TestRunEndReason,
  ): void {
    const summary = summarise(modules, unhandledErrors, reason);
    const notes = [
      ...summary.failedFiles.map((file) => `failed before or outside its tests: ${file}`),
      ...(summary.unhandledErrors > 0 ? [`errors outside any test: ${summary.unhandledErrors}`] : []),
    ];
    process.stdout.write(`\n${notes.map((n) => `${n}\n`).join('')}${closingLine(summary)}\n`);
  }
}
