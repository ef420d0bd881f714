/**
 * The tables the cutover writes, for the SQLite store: the hash-chained audit log and the
 * phase records. Kept apart from `sqlite.ts` so each file reads in one sitting; the store
 * delegates to this class and lends it its write-transaction helper.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { GENESIS, hashEvent } from '../audit/chain.ts';
import { storableAuditInput } from '../audit/storable.ts';
import { AUDIT_COLUMN_LIST, auditFromRow, auditValues, phaseFromJson, phaseJson } from './sqlite-rows.ts';
import type { AuditEvent, AuditInput, PhaseRecord } from './state-store.ts';

/** Rows fetched per query by `iterateAudit`: bounds memory whatever the length of the log. */
export const AUDIT_PAGE_SIZE = 1000;

/** Runs a function inside one `BEGIN IMMEDIATE` transaction and returns its result. */
export type WriteTransaction = <T>(fn: () => T) => T;

export class CutoverTables {
  readonly #write: WriteTransaction;
  // Prepared once, like the store's own statements.
  readonly #head: StatementSync;
  readonly #insertEvent: StatementSync;
  readonly #pageEvents: StatementSync;
  readonly #getPhase: StatementSync;
  readonly #putPhase: StatementSync;

  constructor(db: DatabaseSync, write: WriteTransaction) {
    this.#write = write;
    this.#head = db.prepare(`SELECT ${AUDIT_COLUMN_LIST} FROM audit_events ORDER BY seq DESC LIMIT 1`);
    this.#insertEvent = db.prepare(`INSERT INTO audit_events (${AUDIT_COLUMN_LIST}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#pageEvents = db.prepare(`SELECT ${AUDIT_COLUMN_LIST} FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?`);
    this.#getPhase = db.prepare('SELECT record FROM phases WHERE phase_id = ?');
    this.#putPhase = db.prepare(
      'INSERT INTO phases (phase_id, record) VALUES (?, ?) ON CONFLICT (phase_id) DO UPDATE SET record = excluded.record',
    );
  }

  /**
   * Reads the head and inserts the next event in one IMMEDIATE transaction: the write lock
   * is held from the read on, so another process appending at the same moment waits for
   * our commit and then chains onto our event instead of forking the chain.
   */
  appendAudit(input: AuditInput): AuditEvent {
    // Redacted and normalised before hashing: the hash covers exactly what is stored.
    const clean = storableAuditInput(input);
    return this.#write(() => {
      const headRow = this.#head.get();
      const head = headRow && auditFromRow(headRow);
      const unhashed = { ...clean, seq: (head?.seq ?? 0) + 1, prevHash: head?.hash ?? GENESIS };
      const event: AuditEvent = { ...unhashed, hash: hashEvent(unhashed) };
      this.#insertEvent.run(...auditValues(event));
      return event;
    });
  }

  async *iterateAudit(): AsyncIterable<AuditEvent> {
    let after = 0;
    for (;;) {
      // Keyset pages on the primary key, each its own short read: appends by others go on
      // meanwhile, and a long export holds no lock.
      const rows = this.#pageEvents.all(after, AUDIT_PAGE_SIZE);
      for (const row of rows) yield auditFromRow(row);
      if (rows.length < AUDIT_PAGE_SIZE) return;
      after = rows.at(-1)!['seq'] as number;
    }
  }

  auditHead(): AuditEvent | undefined {
    const row = this.#head.get();
    return row && auditFromRow(row);
  }

  getPhase(phaseId: number): PhaseRecord | undefined {
    const row = this.#getPhase.get(phaseId);
    return row && phaseFromJson(row['record'] as string);
  }

  putPhase(record: PhaseRecord): void {
    if (!Number.isSafeInteger(record.phaseId)) throw new Error(`cannot store phase ${String(record.phaseId)}: a phase id is a whole number`);
    this.#putPhase.run(record.phaseId, phaseJson(record));
  }
}
