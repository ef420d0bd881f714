/**
 * The SQLite state store against every state contract's conformance suite, on a fresh
 * state file per test. A PostgreSQL store will run the same suites with its own storage.
 */
import { join } from 'node:path';
import { AUDIT_PAGE_SIZE, OBJECT_PAGE_SIZE, openSqliteStateStore } from '../../src/state/sqlite.ts';
import type { StateStore } from '../../src/state/state-store.ts';
import { describeAuditLogConformance } from './conformance/audit.ts';
import { describeMigrationBindingConformance } from './conformance/binding.ts';
import { describeDatabaseStoreConformance } from './conformance/databases.ts';
import { describeObjectLedgerConformance } from './conformance/objects.ts';
import { describePhaseStoreConformance } from './conformance/phases.ts';
import { describeProbeLogConformance } from './conformance/probes.ts';
import { describeRunLogConformance } from './conformance/runs.ts';
import type { CreateStorage } from './conformance/storage.ts';
import { describeUploadLogConformance } from './conformance/uploads.ts';
import { tempDir } from './helpers.ts';

/** A state file in a fresh temporary folder; every handle opens that file. */
const sqliteFile: CreateStorage<StateStore> = async () => {
  const dir = await tempDir();
  const file = join(dir.path, 'state.db');
  return { connect: () => openSqliteStateStore(file), destroy: dir.remove };
};

describeMigrationBindingConformance('SQLite', sqliteFile);
describeRunLogConformance('SQLite', sqliteFile);
describeObjectLedgerConformance('SQLite', sqliteFile, { pageSize: OBJECT_PAGE_SIZE });
describeUploadLogConformance('SQLite', sqliteFile);
describeAuditLogConformance('SQLite', sqliteFile, { pageSize: AUDIT_PAGE_SIZE });
describePhaseStoreConformance('SQLite', sqliteFile);
describeDatabaseStoreConformance('SQLite', sqliteFile);
describeProbeLogConformance('SQLite', sqliteFile);
