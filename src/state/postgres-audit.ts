/** The `AuditLog` contract on a PostgreSQL state: the append-only `audit_events` table and its head. */
import type pg from 'pg';
import { hashEvent } from '../audit/chain.ts';
import type { AuditEvent, AuditInput } from '../audit/event.ts';
import { storableAuditInput } from '../audit/storable.ts';
import type { AuditLog } from './contracts/audit.ts';
import type { PgTransaction } from './postgres-schema.ts';
import { AUDIT_COLUMN_LIST, auditFromRow, auditValues, type Row } from './records.ts';

/** Rows fetched per query by `iterateAudit`: bounds memory whatever the length of the log. */
export const POSTGRES_AUDIT_PAGE_SIZE = 1000;

export class PostgresAuditLog implements AuditLog {
  readonly #pool: pg.Pool;
  readonly #write: PgTransaction;
  readonly #pageSize: number;

  constructor(pool: pg.Pool, write: PgTransaction, pageSize = POSTGRES_AUDIT_PAGE_SIZE) {
    this.#pool = pool;
    this.#write = write;
    this.#pageSize = pageSize;
  }

  /**
   * Locks the single-row `audit_head` (FOR UPDATE), chains onto it and inserts, in one
   * transaction: another process appending at the same moment waits on that row lock
   * until we commit, then reads our event as the head, so the chain never forks. The
   * insert trigger checks the same head under the same lock and moves it.
   */
  async appendAudit(input: AuditInput): Promise<AuditEvent> {
    // Redacted and normalised before hashing: the hash covers exactly what is stored.
    const clean = storableAuditInput(input);
    return this.#write(async (client) => {
      const { rows } = await client.query<{ seq: number; hash: string }>(
        'SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE',
      );
      const head = rows[0];
      if (!head) throw new Error('the audit log has no head row: the state schema is damaged');
      const unhashed = { ...clean, seq: head.seq + 1, prevHash: head.hash };
      const event: AuditEvent = { ...unhashed, hash: hashEvent(unhashed) };
      await client.query(
        `INSERT INTO audit_events (${AUDIT_COLUMN_LIST}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        auditValues(event),
      );
      return event;
    });
  }

  async *iterateAudit(): AsyncIterable<AuditEvent> {
    let after = 0;
    for (;;) {
      // Keyset pages on the primary key, each its own short query: appends go on meanwhile.
      const { rows } = await this.#pool.query(
        `SELECT ${AUDIT_COLUMN_LIST} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`,
        [after, this.#pageSize],
      );
      for (const row of rows) yield auditFromRow(row as Row);
      if (rows.length < this.#pageSize) return;
      after = (rows.at(-1) as { seq: number }).seq;
    }
  }

  async auditHead(): Promise<AuditEvent | undefined> {
    const { rows } = await this.#pool.query(`SELECT ${AUDIT_COLUMN_LIST} FROM audit_events ORDER BY seq DESC LIMIT 1`);
    return rows[0] && auditFromRow(rows[0] as Row);
  }
}
