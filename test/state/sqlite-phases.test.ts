/**
 * What only the SQLite store does for phase records: the JSON it keeps in the `phases`
 * table, and the table's own checks. What every store must do is in
 * ./conformance/phases.ts.
 */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PhaseRecord } from '../../src/phase-record.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import type { StateStore } from '../../src/state/state-store.ts';
import { stoppedPhase } from './conformance/phases.ts';
import { tempDir } from './helpers.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let file: string;
let store: StateStore;

beforeEach(async () => {
  dir = await tempDir();
  file = join(dir.path, 'state.db');
  store = await openSqliteStateStore(file);
});

afterEach(async () => {
  await store.close();
  await dir.remove();
});

describe('the phases table', () => {
  it('never holds a secret an error message quoted', async () => {
    await store.putPhase(
      stoppedPhase({
        failed: { step: 'switch', at: 'now', error: 'connect postgres://emc2:Tr0ub4dor@pg/emc2 refused' },
      }),
    );
    const db = new DatabaseSync(file);
    expect(JSON.stringify(db.prepare('SELECT record FROM phases').all())).not.toContain('Tr0ub4dor');
    db.close();
  });

  it('refuses a state that does not exist with its CHECK constraint', async () => {
    await expect(store.putPhase(stoppedPhase({ state: 'done' as PhaseRecord['state'] }))).rejects.toThrow(
      /CHECK constraint failed/,
    );
  });
});
