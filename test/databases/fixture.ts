/**
 * The test schema the issue asks for, on a real cluster: several tables, one over
 * 1,000,000 rows, one without a primary key, sequences, and jsonb, timestamptz, numeric
 * and bytea columns. The rehearsal seeds the same catalogue (smaller): one definition.
 */
export {
  adminClient,
  BIG_TABLE_ROWS,
  createDatabase,
  FIXTURE_DATABASE,
  seedCatalog,
} from '../../src/rehearsal/synthetic-catalog.ts';
