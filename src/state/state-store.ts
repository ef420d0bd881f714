/**
 * Durable memory of a migration: which migration and dataset mapping it is bound to, what
 * the source holds, what was copied with which hashes, which multipart parts are already on
 * the target, which runs did what, the audit log, where each phase's cutover stands, and
 * the PostgreSQL datasets.
 *
 * A `StateStore` is every narrow contract of `./contracts/` on one storage. Code that
 * uses the state asks for the contracts it calls (the engine for `ObjectLedger &
 * UploadLog`, the cutover for phases and audit, …), so a second implementation, or a test,
 * knows what each part really needs; only what opens and closes the state sees all of it.
 *
 * Every method is async although the default implementation (SQLite through
 * `node:sqlite`) is synchronous underneath: a PostgreSQL implementation, shared by many
 * workers, must be able to fit the same interface.
 *
 * Never store a secret here: records hold keys, sizes, hashes, ETags and descriptive
 * locations only.
 */
import type { AuditLog } from './contracts/audit.ts';
import type { MigrationBinding } from './contracts/binding.ts';
import type { DatabaseStore } from './contracts/databases.ts';
import type { PhaseLeader } from './contracts/leader.ts';
import type { ObjectLedger } from './contracts/objects.ts';
import type { PhaseStore } from './contracts/phases.ts';
import type { ProbeLog } from './contracts/probes.ts';
import type { RunLog } from './contracts/runs.ts';
import type { UploadLog } from './contracts/uploads.ts';

/** The handle on the storage itself, apart from what is stored in it. */
export interface StateHandle {
  /** Where the state lives, for messages (a file path; a database URL without password). */
  readonly location: string;
  /** Releases the underlying connection or file handle; closing twice is no error. */
  close(): Promise<void>;
}

export interface StateStore
  extends
    MigrationBinding,
    ObjectLedger,
    UploadLog,
    RunLog,
    AuditLog,
    PhaseStore,
    PhaseLeader,
    DatabaseStore,
    ProbeLog,
    StateHandle {}
