/**
 * What each cutover step records when it succeeds (in the phase record's `done` list and
 * in the audit log), and what a failed step adds to its audit event. Auditors and the
 * runbook read these, so each step's shape is fixed here, in one place, and a handler
 * that records something else does not compile.
 *
 * Type aliases rather than interfaces: an object type alias fits `Record<string, unknown>`
 * (the plain JSON an event or a phase record stores), an interface does not.
 */
import type { FreezeMarker } from '../databases/contract.ts';
import type { PhaseRecord } from '../phase-record.ts';
import type { HookOutcome } from './deps.ts';
import type { Gate } from './gates.ts';
import type { ChangedObject } from './quiescence.ts';

/** An object dataset brought up to date by the final sync. */
export type ObjectSync = { dataset: string; copied: number; bytes: number; deletedAtSource: number };

/** A dataset checked by the verify step. */
export type VerifiedDataset =
  { dataset: string; full: number; quick: number } | { dataset: string; tables: 'fingerprints match' };

/** Details recorded by each step when it succeeds, keyed by step. */
export type StepDetails = {
  preflight: { gates: Gate[] };
  /** `databases`: each PostgreSQL dataset's write counters at the freeze, checked by the quiescence step. */
  freeze: { hook: HookOutcome; frozenAt: string; databases: Record<string, FreezeMarker> };
  quiescence: { checkedAt: string; frozenAt: string };
  /** PostgreSQL datasets report what their method's final sync returned. */
  'final-sync': { synced: (ObjectSync | Record<string, unknown>)[] };
  verify: { verified: VerifiedDataset[] };
  switch: { hook: HookOutcome };
  'smoke-check': { hook: HookOutcome } | { skipped: string };
  commit: { committedAt: string; note: string };
};

/** Facts a step that cannot succeed gives for the audit log, besides its message. */
export type StepFailureFacts = {
  /** Preflight: every gate, open or closed. */
  gates?: Gate[];
  /** Quiescence: what was written at the source after the freeze (the first 1,000). */
  changed?: ChangedObject[];
};

/** What the audit event of a failed step holds. */
export type StepFailureDetails = StepFailureFacts & {
  /** The message, with the hook's advice when it gave one; redacted. */
  error: string;
  /** What the failed hook printed, when a hook failed. */
  hook?: unknown;
};

/**
 * The freeze markers the freeze step recorded, by database name. Read back from the
 * state, so each is checked rather than trusted: a marker that is missing or not a marker
 * is left out, and the quiescence step then stops with its own advice.
 */
export function freezeMarkersOf(record: PhaseRecord): Record<string, FreezeMarker> {
  const recorded = record.done.find((d) => d.step === 'freeze')?.details['databases'];
  const markers: Record<string, FreezeMarker> = {};
  if (!isObject(recorded)) return markers;
  for (const [name, marker] of Object.entries(recorded)) {
    if (isFreezeMarker(marker)) markers[name] = marker;
  }
  return markers;
}

function isFreezeMarker(value: unknown): value is FreezeMarker {
  return (
    isObject(value) &&
    typeof value['frozenAt'] === 'string' &&
    isObject(value['writes']) &&
    Object.values(value['writes']).every((n) => typeof n === 'number')
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
