/** The write transaction every SQLite contract implementation shares. */
import type { DatabaseSync } from 'node:sqlite';

/** Runs a function inside one `BEGIN IMMEDIATE` transaction and returns its result. */
export type WriteTransaction = <T>(fn: () => T) => T;

/**
 * Write transactions on `db`. IMMEDIATE takes the write lock up front, so a busy database
 * makes us wait (busy timeout) instead of failing when a read would upgrade; a throw rolls
 * everything back.
 */
export function writeTransaction(db: DatabaseSync): WriteTransaction {
  return (fn) => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      db.exec('COMMIT');
      return result;
    } catch (err) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw err;
    }
  };
}
