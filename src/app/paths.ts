/**
 * Where a migration's files live when the caller does not say: the one place every use
 * case (copy, verify, cutover, rollback, status, runbook, audit) reads its defaults from,
 * so that two commands of the same migration never look in two different folders.
 * Relative paths are relative to the working folder, as on the command line; the state and
 * the evidence of a migration live next to its plan (`<plan folder>/.cloudexit/`), so the
 * same plan finds the same state from whatever folder a command is run.
 */
import { dirname, join } from 'node:path';

/** The sample plan of the EMC2 warehouse. */
export const DEFAULT_PLAN = 'runbooks/emc2/plan.yaml';

/** A saved `cloudexit parity --json` report, read by the parity gate when present. */
export const DEFAULT_PARITY_REPORT = '.cloudexit/parity.json';

/** The two stack settings files `cloudexit parity` compares offline. */
export const DEFAULT_STACK_FILES: readonly string[] = ['stacks/Pulumi.azure-emc2.yaml', 'stacks/Pulumi.ovh-emc2.yaml'];

/** Where `cloudexit rehearse` leaves its evidence, hook pointers and runbooks. */
export const DEFAULT_REHEARSAL_OUT = '.cloudexit/rehearsal';

/** A plan as the defaults need it: its migration id and the file it was read from. */
export interface PlanLocation {
  migration: string;
  file: string;
}

/** The folder of a migration's own files: `.cloudexit` next to the plan file. */
export function migrationFolder(plan: PlanLocation): string {
  return join(dirname(plan.file), '.cloudexit');
}

/** The state database of a migration: `<plan folder>/.cloudexit/<migration>.db`. */
export function defaultStatePath(plan: PlanLocation): string {
  return join(migrationFolder(plan), `${plan.migration}.db`);
}

/** The folder of a migration's manifests and fingerprints: `<plan folder>/.cloudexit/evidence/<migration>`. */
export function defaultEvidenceDir(plan: PlanLocation): string {
  return join(migrationFolder(plan), 'evidence', plan.migration);
}

/** The state database to use: the one given, else the migration's default. */
export function statePathOf(plan: PlanLocation, given: string | undefined): string {
  return given ?? defaultStatePath(plan);
}

/** The evidence folder to use: the one given, else the migration's default. */
export function evidenceDirOf(plan: PlanLocation, given: string | undefined): string {
  return given ?? defaultEvidenceDir(plan);
}

/** A migration's files, as every use case resolves them. */
export interface MigrationPaths {
  statePath: string;
  evidenceDir: string;
}

export function migrationPaths(
  plan: PlanLocation,
  given: { state?: string | undefined; evidence?: string | undefined },
): MigrationPaths {
  return { statePath: statePathOf(plan, given.state), evidenceDir: evidenceDirOf(plan, given.evidence) };
}
