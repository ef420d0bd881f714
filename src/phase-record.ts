/**
 * The vocabulary of a phase cutover as plain data: its steps, its states, and the record
 * a state store keeps of it.
 *
 * Why a shared leaf and not `src/cutover/`: the state stores persist this record and the
 * cutover writes it, and `state/` sits below `cutover/` (imports point down only). Defining
 * it in the state's phase contract would make the state own the cutover's step names;
 * defining it in `cutover/` would make the state import upward. As a leaf with no imports,
 * both point down to it. Behaviour — which step runs when, what a step records — stays
 * in `src/cutover/`; SQLite's schema checks the `state` values listed here.
 */

/** Steps of a phase cutover, in order. */
export const CUTOVER_STEPS = [
  'preflight',
  'freeze',
  'quiescence',
  'final-sync',
  'verify',
  'switch',
  'smoke-check',
  'commit',
] as const;
export type CutoverStep = (typeof CUTOVER_STEPS)[number];

/**
 * `planned` → `in-progress` (some step done) → `committed` (point of no return passed);
 * or `rolled-back` from `in-progress` before the commit.
 */
export type PhaseState = 'planned' | 'in-progress' | 'committed' | 'rolled-back';

export interface PhaseRecord {
  phaseId: number;
  state: PhaseState;
  /**
   * Steps that succeeded, with when; a step listed here never runs again in this cutover.
   * `details` is the plain JSON the step recorded (see `StepDetails` in
   * `src/cutover/step-details.ts` for what each step writes; a reader checks before use).
   */
  done: { step: CutoverStep; at: string; details: Record<string, unknown> }[];
  /** The step that failed last, if the cutover is stopped on it. */
  failed: { step: CutoverStep; at: string; error: string } | undefined;
  /** Go decisions recorded with `cutover --approve`. */
  approvals: { role: string; name: string; at: string }[];
  /** ISO 8601: when the source was frozen (the freeze hook succeeded). */
  frozenAt: string | undefined;
  /** ISO 8601. */
  updatedAt: string;
  /**
   * The decommission of the source after the commit, one entry per dataset as each is certified
   * (`goneAt` set: that dataset's last copy at the source is gone). Read it as `record.decommissioned ?? []`.
   * Kept beside `done` rather than as a `done` entry: the decommission is not a cutover step (no
   * rollback, not in `CUTOVER_STEPS`), has its own go and runs days later. Absent until it starts,
   * so records written before it existed read back unchanged.
   */
  decommissioned?: DatasetDecommission[];
  /** Go decisions for the decommission (`decommission --approve decisionMaker|dpo --as NAME`); absent until one. */
  decommissionApprovals?: { role: string; name: string; at: string }[];
}

/** What the decommission of one dataset left, as recorded in the phase record and its certificate. */
export interface DatasetDecommission {
  dataset: string;
  kind: 'objects' | 'postgres';
  /** ISO 8601: when the last live copy at the source was deleted (undefined while not done). */
  goneAt: string | undefined;
  /**
   * ISO 8601: when provider-held residues (soft-deleted blobs, point-in-time-restore backups) expire;
   * undefined when none.
   */
  residualUntil: string | undefined;
  /** Objects (or database objects) still listed at the source after deletion: 0 when done. */
  objectsLeftAtSource: number;
  /** The deletion certificate, relative to the migration's evidence folder. */
  certificate: string;
  /** Hex SHA-256 of the certificate file. */
  certificateSha256: string;
}
