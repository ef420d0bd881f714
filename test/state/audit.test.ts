import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS, canonicalJson, hashEvent, verifyChain } from '../../src/audit/chain.ts';
import { AUDIT_PAGE_SIZE } from '../../src/state/sqlite-cutover.ts';
import { MIGRATIONS, SCHEMA_VERSION, STATE_APPLICATION_ID } from '../../src/state/sqlite-schema.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import type { AuditEvent, StateStore } from '../../src/state/state-store.ts';
import { sampleInput } from '../audit/helpers.ts';
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

async function appendSamples(count: number, target = store): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for (let i = 1; i <= count; i++) events.push(await target.appendAudit(sampleInput(i)));
  return events;
}

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
  it('numbers events from 1 and links each to the one before', async () => {
    expect(await store.auditHead()).toBeUndefined();
    const [first, second, third] = await appendSamples(3);
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS });
    expect(second).toMatchObject({ seq: 2, prevHash: first!.hash });
    expect(third).toMatchObject({ seq: 3, prevHash: second!.hash });
    for (const e of [first!, second!, third!]) expect(e.hash).toBe(hashEvent(e));
    expect(await store.auditHead()).toStrictEqual(third);
  });

  it('reads back exactly the events it returned, across a reopen', async () => {
    const appended = await appendSamples(5);
    await store.close();
    store = await openSqliteStateStore(file);
    expect(await collect(store.iterateAudit())).toStrictEqual(appended);
    expect(await verifyChain(store.iterateAudit())).toEqual({ ok: true, count: 5, head: appended[4]!.hash });
  });

  it('streams a log longer than one page', async () => {
    const appended = await appendSamples(AUDIT_PAGE_SIZE * 2 + 1);
    const read = await collect(store.iterateAudit());
    expect(read.map((e) => e.seq)).toEqual(appended.map((e) => e.seq));
    expect((await verifyChain(store.iterateAudit())).count).toBe(AUDIT_PAGE_SIZE * 2 + 1);
  });

  it('masks secrets before hashing, so the hash covers what is stored', async () => {
    const event = await store.appendAudit(sampleInput(1, {
      details: { dsn: 'postgres://emc2:Tr0ub4dor@pg.internal/emc2', ratio: 0.25 },
    }));
    expect(event.details).toEqual({ dsn: 'postgres://emc2:***@pg.internal/emc2', ratio: '0.25' });
    const db = new DatabaseSync(file);
    const row = db.prepare('SELECT details FROM audit_events WHERE seq = 1').get();
    db.close();
    expect(row?.['details']).toBe(canonicalJson(event.details));
    expect(row?.['details']).not.toContain('Tr0ub4dor');
    expect(hashEvent((await collect(store.iterateAudit()))[0]!)).toBe(event.hash);
  });

  it('keeps one linear chain when two store instances append in turn', async () => {
    const other = await openSqliteStateStore(file);
    try {
      for (let i = 1; i <= 20; i++) await (i % 2 ? store : other).appendAudit(sampleInput(i, { actor: i % 2 ? 'a' : 'b' }));
      const events = await collect(other.iterateAudit());
      expect(events.map((e) => e.actor).join('')).toBe('ab'.repeat(10));
      expect(await verifyChain(events)).toMatchObject({ ok: true, count: 20 });
    } finally {
      await other.close();
    }
  });

  it('keeps one linear chain when two processes append at the same time', async () => {
    const perChild = 150;
    const children = ['alpha', 'beta'].map((actor) => spawn(process.execPath, [CHILD, file, actor, String(perChild)], { stdio: ['pipe', 'pipe', 'pipe'] }));
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
      expect(events.filter((e) => e.actor === actor).map((e) => e.details['i'])).toEqual(Array.from({ length: perChild }, (_, i) => i + 1));
    }
  });
});

describe('the audit_events table', () => {
  it('refuses UPDATE and DELETE', async () => {
    await appendSamples(3);
    expect(() => rawSql("UPDATE audit_events SET outcome = 'failed' WHERE seq = 2")).toThrow(/append-only: an audit event cannot be changed/);
    expect(() => rawSql('DELETE FROM audit_events WHERE seq = 3')).toThrow(/append-only: an audit event cannot be deleted/);
    expect(await verifyChain(store.iterateAudit())).toMatchObject({ ok: true, count: 3 });
  });

  it('refuses an insert that does not follow the head (a writer that skipped the lock)', async () => {
    const [, second] = await appendSamples(2);
    const insert = 'INSERT INTO audit_events (seq, time, actor, phase, step, outcome, details, prev_hash, hash) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?)';
    const fork = [3, 't', 'x', 'switch', 'succeeded', '{}', second!.prevHash, 'e'.repeat(64)] as const;
    expect(() => rawSql(insert, ...fork)).toThrow(/must follow the last one/);
    const gap = [4, 't', 'x', 'switch', 'succeeded', '{}', second!.hash, 'e'.repeat(64)] as const;
    expect(() => rawSql(insert, ...gap)).toThrow(/must follow the last one/);
  });

  it('lets the chain expose a row edited after the triggers were dropped', async () => {
    await appendSamples(5);
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
    db.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT');
    db.exec(MIGRATIONS[0]!.sql);
    db.prepare('INSERT INTO schema_version VALUES (1, ?, ?)').run(MIGRATIONS[0]!.description, '2026-01-01T00:00:00Z');
    db.prepare(`INSERT INTO objects (dataset, key, target_key, size, source_etag, source_last_modified, status, inventory_id)
      VALUES ('d', 'k', 'target/k', 1024, '"0x8DC0000000000"', '2026-01-02T03:04:05.000Z', 'pending', 'inv-1')`).run();
    db.close();

    store = await openSqliteStateStore(old);
    expect((await store.getObjects('d', ['k'])).get('k')).toStrictEqual(objectRecord('d', 'k'));
    expect((await store.appendAudit(sampleInput(1))).seq).toBe(1);
    const upgraded = new DatabaseSync(old);
    expect(upgraded.prepare('SELECT max(version) AS v FROM schema_version').get()).toEqual({ v: SCHEMA_VERSION });
    upgraded.close();
  });
});
