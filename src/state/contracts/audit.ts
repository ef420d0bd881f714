/**
 * The audit log as the state keeps it: append-only and hash-chained. The event type and
 * the chain recipe belong to `src/audit/`; this contract says what a store guarantees
 * when it appends and reads. Every implementation passes `test/state/conformance/audit.ts`.
 */
import type { AuditEvent, AuditInput } from '../../audit/event.ts';

export interface AuditLog {
  /**
   * Appends one event and returns it as stored. The input is first made storable
   * (`storableAuditInput`: strings redacted, odd numbers as text), so the hash covers
   * exactly what is stored. Reading the head and inserting are one atomic step: the new
   * event carries the head's hash as `prevHash`, `seq` one more than the head's, and its
   * own `hash` (see `src/audit/chain.ts`). Many processes may append at once and the chain
   * stays linear, with no gap and no fork. Durable when the promise resolves.
   */
  appendAudit(event: AuditInput): Promise<AuditEvent>;
  /**
   * Every event in `seq` order, exactly as `appendAudit` returned it, streamed in pages:
   * memory stays bounded and no lock is held, so appends go on during a long export
   * (events appended meanwhile may or may not be included).
   */
  iterateAudit(): AsyncIterable<AuditEvent>;
  /**
   * The last event, if any: the one the next append chains onto, unless another writer
   * appends first (an append never relies on a head read earlier).
   */
  auditHead(): Promise<AuditEvent | undefined>;
}
