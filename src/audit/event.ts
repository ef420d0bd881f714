/**
 * The audit event as the hash chain, the export and every state store see it. Defined here,
 * at the bottom of the stack, so the chain and the export need nothing from `state/`: the
 * state's audit contract stores these events, it does not define them.
 *
 * `details` stays an open JSON object here: what a store gives back is plain JSON (numbers
 * other than safe integers come back as text, see `storable.ts`), whatever the writer's
 * types said. Writers narrow what they record with their own unions (the cutover's are in
 * `src/cutover/audit-entry.ts`); readers check what they read.
 */

/** What a caller gives to `appendAudit`; the store adds `seq`, `prevHash` and `hash`. */
export interface AuditInput {
  /** ISO 8601. */
  time: string;
  /** Who or what acted: a person approving, `cloudexit` for automatic steps, a hook's name. */
  actor: string;
  /** Phase id, when the event concerns a phase. */
  phase: number | undefined;
  /** Step or action, e.g. `approve`, `freeze`, `switch`, `copy`. */
  step: string;
  /** `succeeded`, `failed`, `started`, `refused`, … */
  outcome: string;
  /**
   * Anything else worth keeping, already free of secrets. Stored as plain JSON with every
   * string passed through `redact()` again; numbers other than whole numbers within
   * ±(2^53 − 1) come back as their decimal text (0.5 → "0.5"), so that auditors' `jq`
   * prints them identically whatever its version (see `src/audit/storable.ts`).
   */
  details: Record<string, unknown>;
}

export interface AuditEvent extends AuditInput {
  /** 1, 2, 3, … with no gap. */
  seq: number;
  /** Hash of the previous event (64 zeros for the first). */
  prevHash: string;
  /** SHA-256 of this event's canonical form, `prevHash` included. */
  hash: string;
}
