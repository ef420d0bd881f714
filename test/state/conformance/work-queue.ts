/**
 * Conformance of a `WorkQueue` (src/state/contracts/work-queue.ts): every implementation
 * runs this suite unchanged, with a fresh storage per test. Workers are separate handles
 * on the storage (as separate processes are), claiming at the same time with Promise.all.
 *
 * A lease that must expire is granted for `SHORT_LEASE_MS` and the test waits
 * `PAST_SHORT_LEASE_MS`: assertions only ever need the wait to be at least that long, so
 * a slow machine cannot make them fail. Times are compared with the store's own
 * `fleet().at`, never with this process's clock or today's date.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ObjectLedger } from '../../../src/state/contracts/objects.ts';
import type { UploadLog } from '../../../src/state/contracts/uploads.ts';
import { FencedWriteError, type WorkQueue } from '../../../src/state/contracts/work-queue.ts';
import { numberedKeys, objectRecord } from '../helpers.ts';
import { useStorage, type CreateStorage } from './storage.ts';
import { part, UPLOAD } from './uploads.ts';

/** What a worker uses: the queue, and the ledger and uploads it reads and seeds. */
export type WorkQueueStorage = WorkQueue & ObjectLedger & UploadLog;

const SHORT_LEASE_MS = 300;
const PAST_SHORT_LEASE_MS = 600;
/** Long enough that no machine is slow enough to see it expire during a test. */
const LONG_LEASE_MS = 600_000;

const worker = (n: number) => ({ workerId: `w${n}`, host: `host-${n}`, pid: 1000 + n });

/** `count` pending objects `k000000`… of dataset `d`, of 100 bytes each. */
async function seed(store: ObjectLedger, count: number): Promise<string[]> {
  const keys = numberedKeys(count);
  await store.putObjects(keys.map((k) => objectRecord('d', k, { size: 100 })));
  return keys;
}

/** Claims until the queue has nothing left, returning every key received. */
async function drain(store: WorkQueue, workerId: string, limit: number): Promise<string[]> {
  const keys: string[] = [];
  for (;;) {
    const lease = await store.claimObjects({ dataset: 'd', workerId, limit, leaseMs: LONG_LEASE_MS });
    if (!lease) return keys;
    keys.push(...lease.keys);
  }
}

export function describeWorkQueueConformance(name: string, create: CreateStorage<WorkQueueStorage>): void {
  describe(`${name}: work queue`, () => {
    const fixture = useStorage(create);

    /** `n` handles on the storage, each with its registered worker `w1`… */
    async function workers(n: number): Promise<WorkQueueStorage[]> {
      const handles = [fixture.store, ...(await Promise.all(Array.from({ length: n - 1 }, () => fixture.connect())))];
      await Promise.all(handles.map((h, i) => h.registerWorker(worker(i + 1))));
      return handles;
    }

    it('leases pending and failed objects in UTF-8 byte order, never done ones, then nothing', async () => {
      const [a] = await workers(1);
      // U+FB00 sorts before U+1D11E in UTF-8 bytes (EF… < F0…), after it in UTF-16 units.
      await a!.putObjects([
        objectRecord('d', '\u{1D11E}'),
        objectRecord('d', '\uFB00', { status: 'failed' }),
        objectRecord('d', 'b', { status: 'copied' }),
        objectRecord('d', 'c', { status: 'verified' }),
        objectRecord('d', 'e', { status: 'deleted-at-source' }),
        objectRecord('d', 'a'),
        objectRecord('other', 'a'),
      ]);
      const first = await a!.claimObjects({ dataset: 'd', workerId: 'w1', limit: 2, leaseMs: LONG_LEASE_MS });
      expect(first).toMatchObject({ workerId: 'w1', dataset: 'd', keys: ['a', '\uFB00'] });
      expect(first!.fencingToken).toBeGreaterThan(0);
      expect(first!.expiresAt > (await a!.fleet(60_000)).at).toBe(true);
      const second = await a!.claimObjects({ dataset: 'd', workerId: 'w1', limit: 10, leaseMs: LONG_LEASE_MS });
      expect(second?.keys).toEqual(['\u{1D11E}']);
      expect(second!.fencingToken).toBeGreaterThan(first!.fencingToken);
      expect(second!.leaseId).not.toBe(first!.leaseId);
      expect(await a!.claimObjects({ dataset: 'd', workerId: 'w1', limit: 10, leaseMs: LONG_LEASE_MS })).toBe(
        undefined,
      );
    });

    it('refuses a claim by a worker that never registered, and a batch or lease that is not positive', async () => {
      const [a] = await workers(1);
      await seed(a!, 3);
      await expect(
        a!.claimObjects({ dataset: 'd', workerId: 'ghost', limit: 1, leaseMs: LONG_LEASE_MS }),
      ).rejects.toThrow(/ghost is not registered/);
      await expect(a!.claimObjects({ dataset: 'd', workerId: 'w1', limit: 0, leaseMs: 1000 })).rejects.toThrow(
        /limit must be a whole number above 0/,
      );
      await expect(a!.claimObjects({ dataset: 'd', workerId: 'w1', limit: 1, leaseMs: -5 })).rejects.toThrow(/leaseMs/);
      // Nothing was leased by the refused calls.
      expect((await drain(a!, 'w1', 10)).length).toBe(3);
    });

    it('never gives one object to two of four workers claiming at the same time', async () => {
      const handles = await workers(4);
      const keys = await seed(handles[0]!, 300);
      const got = await Promise.all(handles.map((h, i) => drain(h, `w${i + 1}`, 7)));
      const all = got.flat();
      expect(all.length).toBe(300);
      expect(new Set(all).size).toBe(300);
      expect([...all].sort()).toEqual(keys);
      // Every worker got something: the claims ran side by side, not one after the other.
      expect(got.filter((k) => k.length > 0).length).toBeGreaterThan(1);
    });

    it('keeps a renewed lease, and gives an expired one’s objects to the next claimer with a larger token', async () => {
      const [a, b] = await workers(2);
      await seed(a!, 3);
      const lease = (await a!.claimObjects({ dataset: 'd', workerId: 'w1', limit: 2, leaseMs: SHORT_LEASE_MS }))!;
      expect(await a!.renewLease(lease, LONG_LEASE_MS)).toBe(true);
      await sleep(PAST_SHORT_LEASE_MS);
      // Renewed: still held past its first expiry, so the other worker gets only the third object.
      expect(await a!.renewLease(lease, SHORT_LEASE_MS)).toBe(true);
      await a!.fencedLedger(lease).updateObject('d', 'k000000', { attempts: 2 });
      await a!.fencedLedger(lease).startUpload({ ...UPLOAD, key: 'k000001' });
      const third = await b!.claimObjects({ dataset: 'd', workerId: 'w2', limit: 10, leaseMs: LONG_LEASE_MS });
      expect(third?.keys).toEqual(['k000002']);

      await sleep(PAST_SHORT_LEASE_MS);
      // Expired: lost even though nobody took it over yet, and its objects are claimable again.
      expect(await a!.renewLease(lease, LONG_LEASE_MS)).toBe(false);
      const taken = await b!.claimObjects({ dataset: 'd', workerId: 'w2', limit: 10, leaseMs: LONG_LEASE_MS });
      expect(taken?.keys).toEqual(lease.keys);
      expect(taken!.fencingToken).toBeGreaterThan(lease.fencingToken);
      expect(taken!.fencingToken).toBeGreaterThan(third!.fencingToken);
      expect(await a!.renewLease({ leaseId: lease.leaseId, fencingToken: taken!.fencingToken }, 1000)).toBe(false);
    });

    it('refuses and counts every write through a lease that was taken over; the new holder writes', async () => {
      const [a, b] = await workers(2);
      await seed(a!, 2);
      const old = (await a!.claimObjects({ dataset: 'd', workerId: 'w1', limit: 2, leaseMs: SHORT_LEASE_MS }))!;
      const late = a!.fencedLedger(old);
      await late.updateObject('d', 'k000000', { attempts: 1 }); // held, so written
      await sleep(PAST_SHORT_LEASE_MS);
      const now = (await b!.claimObjects({ dataset: 'd', workerId: 'w2', limit: 2, leaseMs: LONG_LEASE_MS }))!;
      const before = await a!.getObjects('d', ['k000000', 'k000001']);

      const refused = await Promise.all(
        [
          late.updateObject('d', 'k000000', { status: 'copied', sha256: 'a'.repeat(64) }),
          late.putObjects([objectRecord('d', 'k000001', { status: 'copied', size: 100 })]),
          late.startUpload({ ...UPLOAD, key: 'k000000' }),
          late.recordPart('d', 'k000000', UPLOAD.uploadId, part(1)),
          late.clearUpload('d', 'k000000'),
        ].map((write) =>
          write.then(
            () => undefined,
            (e: unknown) => e,
          ),
        ),
      );
      for (const error of refused) {
        expect(error).toBeInstanceOf(FencedWriteError);
        expect(error).toMatchObject({ dataset: 'd', fencingToken: old.fencingToken });
      }
      expect(await a!.getObjects('d', ['k000000', 'k000001'])).toStrictEqual(before);
      expect(await a!.getUpload('d', 'k000000')).toBeUndefined();
      expect((await a!.fleet(60_000)).fencedWrites).toBe(5);

      const current = b!.fencedLedger(now);
      await current.updateObject('d', 'k000000', { status: 'copied', sha256: 'a'.repeat(64) });
      await current.putObjects([objectRecord('d', 'k000001', { status: 'copied', size: 100 })]);
      expect((await a!.getObjects('d', ['k000000'])).get('k000000')).toMatchObject({ status: 'copied', attempts: 1 });
      expect((await a!.fleet(60_000)).fencedWrites).toBe(5);
    });

    it('never lets a late write racing the takeover land after the new holder’s: it lands first or is refused', async () => {
      const [a, b] = await workers(2);
      const keys = await seed(a!, 40);
      const old = (await a!.claimObjects({ dataset: 'd', workerId: 'w1', limit: 40, leaseMs: SHORT_LEASE_MS }))!;
      await sleep(PAST_SHORT_LEASE_MS);
      const late = a!.fencedLedger(old);
      const [lateOutcomes] = await Promise.all([
        Promise.all(
          keys.map((k) =>
            late.updateObject('d', k, { attempts: 7 }).then(
              () => 'written',
              (e: unknown) => e,
            ),
          ),
        ),
        (async () => {
          // Rows locked by a late write in flight are skipped, not waited for: claim until all are ours.
          const taken = new Set<string>();
          while (taken.size < keys.length) {
            const lease = await b!.claimObjects({ dataset: 'd', workerId: 'w2', limit: 40, leaseMs: LONG_LEASE_MS });
            if (!lease) continue;
            for (const k of lease.keys) taken.add(k);
            await Promise.all(lease.keys.map((k) => b!.fencedLedger(lease).updateObject('d', k, { attempts: 1 })));
          }
        })(),
      ]);
      const refused = lateOutcomes.filter((o) => o !== 'written');
      for (const e of refused) expect(e).toBeInstanceOf(FencedWriteError);
      const records = await a!.getObjects('d', keys);
      expect([...records.values()].map((r) => r.attempts)).toEqual(keys.map(() => 1));
      expect((await a!.fleet(60_000)).fencedWrites).toBe(refused.length);
    });

    it('lets a lease write past its expiry while nobody took its objects over; never objects it does not hold', async () => {
      const [a, b] = await workers(2);
      await seed(a!, 3);
      const lease = (await a!.claimObjects({ dataset: 'd', workerId: 'w1', limit: 1, leaseMs: SHORT_LEASE_MS }))!;
      const other = (await b!.claimObjects({ dataset: 'd', workerId: 'w2', limit: 1, leaseMs: LONG_LEASE_MS }))!;
      await sleep(PAST_SHORT_LEASE_MS);
      // The fencing token decides, not the clock: no later holder exists, so the write is not late.
      await a!.fencedLedger(lease).updateObject('d', 'k000000', { attempts: 3 });
      expect((await a!.getObjects('d', ['k000000'])).get('k000000')?.attempts).toBe(3);
      // Another lease's object, an unclaimed one, another dataset: never this lease's to write.
      await expect(a!.fencedLedger(lease).updateObject('d', other.keys[0]!, { attempts: 9 })).rejects.toThrow(
        FencedWriteError,
      );
      await expect(a!.fencedLedger(lease).updateObject('d', 'k000002', { attempts: 9 })).rejects.toThrow(
        FencedWriteError,
      );
      await expect(
        a!.fencedLedger(lease).putObjects([objectRecord('elsewhere', 'k000000', { status: 'copied' })]),
      ).rejects.toThrow(FencedWriteError);
      await expect(a!.fencedLedger(lease).updateObject('d', 'missing', { attempts: 1 })).rejects.toThrow(
        /d\/missing.*no such record/,
      );
      await expect(a!.fencedLedger(lease).markUnseenDeleted('d', 'inv-2')).rejects.toThrow(/through a worker's lease/);
      expect((await a!.fleet(60_000)).fencedWrites).toBe(3);
      expect((await a!.getObjects('d', ['k000001', 'k000002'])).get('k000001')?.attempts).toBe(0);
    });

    it('returns a released lease’s unfinished objects to the pool, keeps finished ones, and fences it', async () => {
      const [a, b] = await workers(2);
      await seed(a!, 4);
      const lease = (await a!.claimObjects({ dataset: 'd', workerId: 'w1', limit: 4, leaseMs: LONG_LEASE_MS }))!;
      const ledger = a!.fencedLedger(lease);
      await ledger.updateObject('d', 'k000000', { status: 'copied' });
      await ledger.updateObject('d', 'k000002', { status: 'verified', verifiedMode: 'full' });
      await ledger.updateObject('d', 'k000003', { status: 'failed', lastError: 'gone' });
      await a!.releaseLease(lease);
      await a!.releaseLease(lease); // a lost lease is no error
      expect(await a!.renewLease(lease, LONG_LEASE_MS)).toBe(false);
      await expect(ledger.updateObject('d', 'k000000', { attempts: 2 })).rejects.toThrow(FencedWriteError);

      const next = await b!.claimObjects({ dataset: 'd', workerId: 'w2', limit: 10, leaseMs: LONG_LEASE_MS });
      expect(next?.keys).toEqual(['k000001', 'k000003']);
      const statuses = await a!.getObjects('d', ['k000000', 'k000002']);
      expect([...statuses.values()].map((r) => r.status).sort()).toEqual(['copied', 'verified']);
    });

    it('resumes a dead worker’s multipart upload under the new holder’s token, parts kept', async () => {
      const [a, b] = await workers(2);
      await a!.putObjects([objectRecord('d', UPLOAD.key, { size: 3 * UPLOAD.partSize })]);
      const dead = (await a!.claimObjects({ dataset: 'd', workerId: 'w1', limit: 1, leaseMs: SHORT_LEASE_MS }))!;
      const deadLedger = a!.fencedLedger(dead);
      await deadLedger.startUpload(UPLOAD);
      await deadLedger.recordPart('d', UPLOAD.key, UPLOAD.uploadId, part(1));
      await deadLedger.recordPart('d', UPLOAD.key, UPLOAD.uploadId, part(2));
      await sleep(PAST_SHORT_LEASE_MS);

      const heir = (await b!.claimObjects({ dataset: 'd', workerId: 'w2', limit: 1, leaseMs: LONG_LEASE_MS }))!;
      const ledger = b!.fencedLedger(heir);
      expect(await ledger.getUpload('d', UPLOAD.key)).toStrictEqual({ ...UPLOAD, parts: [part(1), part(2)] });
      await ledger.recordPart('d', UPLOAD.key, UPLOAD.uploadId, part(3));
      await expect(deadLedger.recordPart('d', UPLOAD.key, UPLOAD.uploadId, part(4))).rejects.toThrow(FencedWriteError);
      expect((await b!.getUpload('d', UPLOAD.key))?.parts).toStrictEqual([part(1), part(2), part(3)]);
      await ledger.clearUpload('d', UPLOAD.key);
      await ledger.updateObject('d', UPLOAD.key, { status: 'copied' });
      expect(await b!.getUpload('d', UPLOAD.key)).toBeUndefined();
    });

    it('plans shards once, gives each to one live worker, and refuses completion through a lost shard lease', async () => {
      const handles = await workers(4);
      const [a] = handles;
      // Two planners at once with different prefixes: one plan wins whole, the other adds nothing.
      await Promise.all([
        a!.planShards('d', 'inv-1', ['a/', 'b/', 'c/']),
        handles[1]!.planShards('d', 'inv-1', ['x/', 'y/', 'z/']),
      ]);
      await a!.planShards('d', 'inv-1', ['other/']);
      expect(await a!.countOpenShards('d', 'inv-1')).toBe(3);
      expect(await a!.countOpenShards('d', 'inv-2')).toBe(0);

      const claimed = await Promise.all(
        handles
          .slice(0, 3)
          .map((h, i) => h.claimShard('d', 'inv-1', `w${i + 1}`, i === 0 ? SHORT_LEASE_MS : LONG_LEASE_MS)),
      );
      const prefixes = claimed.map((s) => s!.prefix);
      expect(new Set(prefixes).size).toBe(3);
      expect([...prefixes].sort()).toSatisfy((p: string[]) => p.join() === 'a/,b/,c/' || p.join() === 'x/,y/,z/');
      expect(await handles[3]!.claimShard('d', 'inv-1', 'w4', LONG_LEASE_MS)).toBeUndefined();

      const short = claimed[0]!;
      await sleep(PAST_SHORT_LEASE_MS);
      const taken = (await handles[3]!.claimShard('d', 'inv-1', 'w4', LONG_LEASE_MS))!;
      expect(taken.prefix).toBe(short.prefix);
      expect(taken.fencingToken).toBeGreaterThan(short.fencingToken);
      expect(await a!.completeShard(short)).toBe(false);
      expect(await a!.countOpenShards('d', 'inv-1')).toBe(3);
      expect(await handles[3]!.completeShard(taken)).toBe(true);
      expect(await handles[3]!.completeShard(taken)).toBe(true); // twice: no error
      for (const s of claimed.slice(1)) expect(await a!.completeShard(s!)).toBe(true);
      expect(await a!.countOpenShards('d', 'inv-1')).toBe(0);
      expect(await a!.claimShard('d', 'inv-1', 'w1', LONG_LEASE_MS)).toBeUndefined();
    });

    it('shows workers, live leases, throughput, stalled leases and refused writes', async () => {
      const [a, b, c] = await workers(3);
      await a!.putObjects(numberedKeys(6).map((k, i) => objectRecord('d', k, { size: 1000 * (i + 1) })));
      const live = (await a!.claimObjects({ dataset: 'd', workerId: 'w1', limit: 3, leaseMs: LONG_LEASE_MS }))!;
      await a!.fencedLedger(live).updateObject('d', 'k000000', { status: 'copied' });
      await a!.fencedLedger(live).putObjects([objectRecord('d', 'k000001', { status: 'copied', size: 2000 })]);
      await a!.fencedLedger(live).updateObject('d', 'k000001', { status: 'copied' }); // already copied: not twice
      const stalled = (await b!.claimObjects({ dataset: 'd', workerId: 'w2', limit: 2, leaseMs: SHORT_LEASE_MS }))!;
      await b!.fencedLedger(stalled).updateObject('d', 'k000003', { status: 'copied' });
      await sleep(PAST_SHORT_LEASE_MS);

      const fleet = await c!.fleet(60_000);
      expect(fleet.workers.map((w) => w.workerId)).toEqual(['w1', 'w2', 'w3']);
      const [w1, w2, w3] = fleet.workers;
      expect(w1).toMatchObject({ host: 'host-1', pid: 1001, recent: { objects: 2, bytes: 3000, windowMs: 60_000 } });
      expect(w1!.leases).toEqual([{ leaseId: live.leaseId, dataset: 'd', objects: 3, expiresAt: live.expiresAt }]);
      expect(w2).toMatchObject({ leases: [], recent: { objects: 1, bytes: 4000 } });
      expect(w3).toMatchObject({ leases: [], recent: { objects: 0, bytes: 0 } });
      expect(w1!.startedAt <= w1!.lastSeenAt && w1!.lastSeenAt <= fleet.at).toBe(true);
      expect(fleet.stalledLeases).toEqual([
        { leaseId: stalled.leaseId, workerId: 'w2', dataset: 'd', objects: 1, expiredAt: stalled.expiresAt },
      ]);
      expect(fleet.fencedWrites).toBe(0);

      // Taken over: no longer stalled. A narrow window: only the worker that just claimed.
      const heir = await c!.claimObjects({ dataset: 'd', workerId: 'w3', limit: 10, leaseMs: LONG_LEASE_MS });
      expect(heir?.keys).toEqual(['k000004', 'k000005']);
      const later = await c!.fleet(PAST_SHORT_LEASE_MS / 2);
      expect(later.stalledLeases).toEqual([]);
      expect(later.workers.map((w) => [w.workerId, w.recent.objects])).toEqual([
        ['w1', 0], // not seen lately, listed for its live lease; its copies are older than the window
        ['w3', 0],
      ]);
    });
  });
}
