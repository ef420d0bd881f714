/**
 * Conformance of an `AuditLog` (src/state/contracts/audit.ts): every implementation runs
 * this suite unchanged, with a fresh storage per test. Appends from several processes at
 * once need a process that opens the implementation, so they are tested per
 * implementation (for SQLite in test/state/sqlite-audit.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { GENESIS, hashEvent, verifyChain } from '../../../src/audit/chain.ts';
import type { AuditEvent } from '../../../src/audit/event.ts';
import type { AuditLog } from '../../../src/state/contracts/audit.ts';
import { sampleInput } from '../../audit/helpers.ts';
import { collect } from '../helpers.ts';
import { useStorage, type CreateStorage } from './storage.ts';

export interface AuditLogOptions {
  /** Events the implementation reads per page, so the streaming test crosses page boundaries. @default 1000 */
  pageSize?: number;
}

/** Appends the first `count` sample events. */
export async function appendSamples(store: AuditLog, count: number): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for (let i = 1; i <= count; i++) events.push(await store.appendAudit(sampleInput(i)));
  return events;
}

export function describeAuditLogConformance(
  name: string,
  create: CreateStorage<AuditLog>,
  options: AuditLogOptions = {},
): void {
  const pageSize = options.pageSize ?? 1000;

  describe(`${name}: audit log`, () => {
    const fixture = useStorage(create);

    it('numbers events from 1 and links each to the one before', async () => {
      const { store } = fixture;
      expect(await store.auditHead()).toBeUndefined();
      const [first, second, third] = await appendSamples(store, 3);
      expect(first).toMatchObject({ seq: 1, prevHash: GENESIS });
      expect(second).toMatchObject({ seq: 2, prevHash: first!.hash });
      expect(third).toMatchObject({ seq: 3, prevHash: second!.hash });
      for (const e of [first!, second!, third!]) expect(e.hash).toBe(hashEvent(e));
      expect(await store.auditHead()).toStrictEqual(third);
    });

    it('reads back exactly the events it returned, across a reopen', async () => {
      const appended = await appendSamples(fixture.store, 5);
      const store = await fixture.reopen();
      expect(await collect(store.iterateAudit())).toStrictEqual(appended);
      expect(await verifyChain(store.iterateAudit())).toEqual({ ok: true, count: 5, head: appended[4]!.hash });
    });

    it('streams a log longer than one page', async () => {
      const { store } = fixture;
      const appended = await appendSamples(store, pageSize * 2 + 1);
      const read = await collect(store.iterateAudit());
      expect(read.map((e) => e.seq)).toEqual(appended.map((e) => e.seq));
      expect((await verifyChain(store.iterateAudit())).count).toBe(pageSize * 2 + 1);
    });

    it('masks secrets before hashing, so the hash covers what is stored', async () => {
      const { store } = fixture;
      const event = await store.appendAudit(
        sampleInput(1, {
          details: { dsn: 'postgres://emc2:Tr0ub4dor@pg.internal/emc2', ratio: 0.25 },
        }),
      );
      expect(event.details).toEqual({ dsn: 'postgres://emc2:***@pg.internal/emc2', ratio: '0.25' });
      const [stored] = await collect(store.iterateAudit());
      expect(stored).toStrictEqual(event);
      expect(hashEvent(stored!)).toBe(event.hash);
    });

    it('keeps one linear chain when two store instances append in turn', async () => {
      const { store } = fixture;
      const other = await fixture.connect();
      for (let i = 1; i <= 20; i++)
        await (i % 2 ? store : other).appendAudit(sampleInput(i, { actor: i % 2 ? 'a' : 'b' }));
      const events = await collect(other.iterateAudit());
      expect(events.map((e) => e.actor).join('')).toBe('ab'.repeat(10));
      expect(await verifyChain(events)).toMatchObject({ ok: true, count: 20 });
    });
  });
}
