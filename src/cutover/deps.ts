/**
 * What the cutover of a phase needs from the rest of cloudexit. The state is asked for by
 * contract: the cutover reads and writes phase records and the audit log, and only reads
 * object counts and database records (for the gates); it never writes objects itself —
 * the final sync does, through the engine's own context.
 */
import type { DatabaseCutover } from '../databases/operations.ts';
import type { EngineContext, EngineDataset } from '../engine/context.ts';
import type { Clock } from '../plan/clock.ts';
import type { Hooks, Phase } from '../plan/schema.ts';
import type { AuditLog } from '../state/contracts/audit.ts';
import type { DatabaseStore } from '../state/contracts/databases.ts';
import type { ObjectLedger } from '../state/contracts/objects.ts';
import type { PhaseStore } from '../state/contracts/phases.ts';
import type { GateInput } from './gates.ts';
import type { HookName } from './hook-env.ts';

/** What a hook run leaves for the audit log (already redacted and bounded). */
export interface HookOutcome {
  script: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a configured hook; throws (with a message naming the hook) when it fails. */
export type RunHook = (name: HookName, context: { step: string; frozenAt: string | undefined }) => Promise<HookOutcome>;

/** The read-only part of the object ledger the gates need. */
export type ObjectCounts = Pick<ObjectLedger, 'countObjects' | 'countVerifiedFull'>;

/** The state the cutover machine uses. */
export type CutoverState = PhaseStore & AuditLog & Pick<DatabaseStore, 'getDatabase'> & ObjectCounts;

export interface CutoverDeps {
  state: CutoverState;
  phase: Phase;
  /** The phase's datasets, with their stores. */
  datasets: readonly EngineDataset[];
  /** Engine context for the final sync and verification. */
  ctx: EngineContext;
  hooks: Hooks;
  runHook: RunHook;
  /** The saved parity report, when there is one (the parity gate fails without one unless waived). */
  parity: GateInput['parity'];
  /** Waives the parity gate, recorded in the audit log with the actor and this reason. @default not waived */
  parityWaiver?: { reason: string } | undefined;
  /**
   * Whether the cutover goes through the commit, the point of no return. Without it, the
   * cutover stops after the smoke check, ready for that separate decision.
   * @default false
   */
  commit?: boolean | undefined;
  /**
   * Whether a hook script exists, for the preflight's hooks gate.
   * @default the file, resolved against the folder cloudexit runs in, as the hook runner resolves it
   */
  hookExists?: ((script: string) => boolean) | undefined;
  clock: Clock;
  /** Who runs the command (recorded in the audit log). */
  actor: string;
  /** The phase's PostgreSQL datasets. @default [] */
  databases?: readonly DatabaseCutover[];
}
