/**
 * What only the SQLite store does for the audit log: how events sit in the file (details
 * as the canonical JSON that was hashed), the triggers that keep the table append-only,
 * appends from several processes, and the migration that added the table. What every
 * store must do is in ./conformance/audit.ts.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson, verifyChain } from '../../src/audit/chain.ts';
import { MIGRATIONS, SCHEMA_VERSION, STATE_APPLICATION_ID } from '../../src/state/sqlite-schema.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import type { StateStore } from '../../src/state/state-store.ts';
import { sampleInput } from '../audit/helpers.ts';
import { appendSamples } from './conformance/audit.ts';
import { collect, objectRecord, tempDir } from './helpers.ts';

const CHILD = fileURLToPath(new URL('./fixtures/audit-child.ts', import.meta.url));

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

/** Runs raw SQL on the state file, as someone with write access to it could. */
function rawSql(sql: string, ...params: (string | number)[]): void {
  const db = new DatabaseSync(file);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

describe('appending to the audit log', () => {
  it('stores details as the canonical JSON that was hashed, secrets masked', async () => {
    const event = await store.appendAudit(
      sampleInput(1, {
        details: { dsn: 'postgres://emc2:Tr0ub4dor@pg.internal/emc2', ratio: 0.25 },
      }),
    );
    const db = new DatabaseSync(file);
    const row = db.prepare('SELECT details FROM audit_events WHERE seq = 1').get();
    db.close();
    expect(row?.['details']).toBe(canonicalJson(event.details));
    expect(row?.['details']).not.toContain('Tr0ub4dor');
  });

  it('keeps one linear chain when two processes append at the same time', async () => {
    const perChild = 150;
    const children = ['alpha', 'beta'].map((actor) =>
      spawn(process.execPath, [CHILD, file, actor, String(perChild)], { stdio: ['pipe', 'pipe', 'pipe'] }),
    );
    const exits = children.map((child) => {
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      return once(child, 'close').then(([code]) => ({ code: code as number | null, stderr }));
    });
    // Both open and waiting before either starts, so their appends overlap as much as they can.
    await Promise.all(children.map((child) => once(child.stdout!, 'data')));
    for (const child of children) child.stdin!.end('go\n');
    for (const exit of await Promise.all(exits)) expect(exit).toEqual({ code: 0, stderr: '' });

    const events = await collect(store.iterateAudit());
    expect(await verifyChain(events)).toMatchObject({ ok: true, count: 2 * perChild });
    for (const actor of ['alpha', 'beta']) {
      // Each writer's events are all there, in the order it wrote them.
      expect(events.filter((e) => e.actor === actor).map((e) => e.details['i'])).toEqual(
        Array.from({ length: perChild }, (_, i) => i + 1),
      );
    }
  });
});

describe('the audit_events table', () => {
  it('refuses UPDATE and DELETE', async () => {
    await appendSamples(store, 3);
    expect(() => rawSql("UPDATE audit_events SET outcome = 'failed' WHERE seq = 2")).toThrow(
      /append-only: an audit event cannot be changed/,
    );
    expect(() => rawSql('DELETE FROM audit_events WHERE seq = 3')).toThrow(
      /append-only: an audit event cannot be deleted/,
    );
    expect(await verifyChain(store.iterateAudit())).toMatchObject({ ok: true, count: 3 });
  });

  it('refuses an insert that does not follow the head (a writer that skipped the lock)', async () => {
    const [, second] = await appendSamples(store, 2);
    const insert =
      'INSERT INTO audit_events (seq, time, actor, phase, step, outcome, details, prev_hash, hash) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?)';
    const fork = [3, 't', 'x', 'switch', 'succeeded', '{}', second!.prevHash, 'e'.repeat(64)] as const;
    expect(() => rawSql(insert, ...fork)).toThrow(/must follow the last one/);
    const gap = [4, 't', 'x', 'switch', 'succeeded', '{}', second!.hash, 'e'.repeat(64)] as const;
    expect(() => rawSql(insert, ...gap)).toThrow(/must follow the last one/);
  });

  it('lets the chain expose a row edited after the triggers were dropped', async () => {
    await appendSamples(store, 5);
    rawSql('DROP TRIGGER audit_events_no_update');
    rawSql(`UPDATE audit_events SET details = json_set(details, '$.objects', 1) WHERE seq = 4`);
    const verdict = await verifyChain(store.iterateAudit());
    expect(verdict).toMatchObject({ ok: false, count: 3 });
    expect(verdict.firstBroken?.reason).toBe('event 4 was altered: its content does not match its hash');
  });
});

describe('schema version 2', () => {
  it('is added to a version 1 state file, which keeps its data', async () => {
    await store.close();
    const old = join(dir.path, 'v1.db');
    const db = new DatabaseSync(old);
    db.exec(`PRAGMA application_id = ${STATE_APPLICATION_ID}`);
    db.exec(
      'CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT',
    );
    db.exec(MIGRATIONS[0]!.sql);
    db.prepare('INSERT INTO schema_version VALUES (1, ?, ?)').run(MIGRATIONS[0]!.description, '2026-01-01T00:00:00Z');
    db.prepare(
      `INSERT INTO objects (dataset, key, target_key, size, source_etag, source_last_modified, status, inventory_id)
      VALUES ('d', 'k', 'target/k', 1024, '"0x8DC0000000000"', '2026-01-02T03:04:05.000Z', 'pending', 'inv-1')`,
    ).run();
    db.close();

    store = await openSqliteStateStore(old);
    expect((await store.getObjects('d', ['k'])).get('k')).toStrictEqual(objectRecord('d', 'k'));
    expect((await store.appendAudit(sampleInput(1))).seq).toBe(1);
    const upgraded = new DatabaseSync(old);
    expect(upgraded.prepare('SELECT max(version) AS v FROM schema_version').get()).toEqual({ v: SCHEMA_VERSION });
    upgraded.close();
  });
});
