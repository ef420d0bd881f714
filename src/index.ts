/**
 * cloudexit as a library, for ops engineers' zx scripts: the use cases the `cloudexit`
 * commands run, each taking an options object and returning a plain report (nothing
 * printed, no exit). Errors the user can act on are `UserError`s carrying `where` and
 * `fix`; `EXIT` holds the exit codes the command line uses for them.
 *
 * ```js
 * import { copy, verify, status } from 'cloudexit';
 * const report = await copy({ plan: 'runbooks/emc2/plan.yaml', phase: 1 });
 * if (!report.ok) process.exitCode = 1;
 * ```
 */
export { inventory, type InventoryOptions, type InventoryReport } from './app/inventory.ts';
export { copy, type CopyOptions, type CopyReport } from './app/copy.ts';
export { probe, type ProbeOptions, type ProbeUseCaseReport } from './app/probe.ts';
export { verify, type VerifyMode, type VerifyOptions, type VerifyReport } from './app/verify.ts';
export { approve, type ApproveOptions, type ApproveReport } from './app/approve.ts';
export { cutover, type CutoverOptions, type CutoverReport } from './app/cutover.ts';
export { rollback, type RollbackOptions, type RollbackReport } from './app/rollback.ts';
export { status, type StatusOptions, type StatusReport } from './app/status.ts';
export {
  checkRunbooks,
  runbooks,
  type RunbookCheck,
  type RunbookOptions,
  type RunbooksWritten,
} from './app/runbook.ts';
export { parity, type ParityOptions, type ParityReport } from './app/parity.ts';
export {
  auditExport,
  auditVerify,
  type AuditExportOptions,
  type AuditVerifyOptions,
  type AuditVerifyReport,
  type ExportSummary,
} from './app/audit.ts';
export {
  rehearse,
  type DatabaseRehearsal,
  type DatasetRehearsal,
  type PhaseRehearsal,
  type RehearsalOptions,
  type RehearsalReport,
} from './app/rehearse.ts';
export { openSession, withSession, type RunOptions, type Session, type SessionOptions } from './app/session.ts';
export type { PlanOptions } from './app/plan-state.ts';
export type { Selection } from './app/selection.ts';
export type { LimitOverrides } from './app/limits.ts';
export { DEFAULT_PLAN, defaultEvidenceDir, defaultStatePath } from './app/paths.ts';
export { loadPlan, type LoadedPlan } from './plan/load.ts';
export { EXIT, UserError } from './errors.ts';
export { SILENT, type ProgressSink } from './progress.ts';
