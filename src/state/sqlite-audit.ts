/** The `AuditLog` contract on a SQLite state file: the append-only `audit_events` table. */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { GENESIS, hashEvent } from '../audit/chain.ts';
import type { AuditEvent, AuditInput } from '../audit/event.ts';
import { storableAuditInput } from '../audit/storable.ts';
import type { AuditLog } from './contracts/audit.ts';
import { AUDIT_COLUMN_LIST, auditFromRow, auditValues } from './sqlite-rows.ts';
import type { WriteTransaction } from './sqlite-transaction.ts';

/** Rows fetched per query by `iterateAudit`: bounds memory whatever the length of the log. */
export const AUDIT_PAGE_SIZE = 1000;

export class SqliteAuditLog implements AuditLog {
  readonly #write: WriteTransaction;
  // Prepared once, like the other tables' statements.
  readonly #head: StatementSync;
  readonly #insertEvent: StatementSync;
  readonly #pageEvents: StatementSync;

  constructor(db: DatabaseSync, write: WriteTransaction) {
    this.#write = write;
    this.#head = db.prepare(`SELECT ${AUDIT_COLUMN_LIST} FROM audit_events ORDER BY seq DESC LIMIT 1`);
    this.#insertEvent = db.prepare(
      `INSERT INTO audit_events (${AUDIT_COLUMN_LIST}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#pageEvents = db.prepare(`SELECT ${AUDIT_COLUMN_LIST} FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?`);
  }

  /**
   * Reads the head and inserts the next event in one IMMEDIATE transaction: the write lock
   * is held from the read on, so another process appending at the same moment waits for
   * our commit and then chains onto our event instead of forking the chain.
   */
  async appendAudit(input: AuditInput): Promise<AuditEvent> {
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

  async auditHead(): Promise<AuditEvent | undefined> {
    const row = this.#head.get();
    return row && auditFromRow(row);
  }
}
