/**
 * The `ProbeLog` contract, for every state implementation: a probe is found by its target,
 * the next probe of the same target replaces it, another target is untouched, and records
 * survive a reopen.
 */
import { describe, expect, it } from 'vitest';
import type { ProbeLog, ProbeRecord } from '../../../src/state/contracts/probes.ts';
import type { StoreCapabilities } from '../../../src/stores/capabilities.ts';
import { useStorage, type CreateStorage } from './storage.ts';

const CAPABILITIES: StoreCapabilities = {
  etag: { single: 'md5', multipart: 'part-md5s', reportedAtComplete: false },
  checksContentMd5: true,
  metadataNames: 'underscore-to-hyphen',
  metadataLimitBytes: 12_288,
  metadataValuesUtf8: false,
  tagging: true,
  metadataAtComplete: false,
  checksumSha256: 'ignored',
  uploadGone: { listParts: ['NoSuchKey'], uploadPart: ['NoSuchUpload'], complete: ['status:500'] },
  conditionalWrites: { ifNoneMatch: true, ifMatch: true },
};

function probe(target: string, overrides: Partial<ProbeRecord> = {}): ProbeRecord {
  return {
    target,
    capabilities: CAPABILITIES,
    observations: [{ name: 'etag.multipart', seen: 'MD5 of the part MD5s, then -2' }],
    at: '2026-11-02T10:00:00.000Z',
    ...overrides,
  };
}

export function describeProbeLogConformance(name: string, create: CreateStorage<ProbeLog>): void {
  describe(`ProbeLog conformance: ${name}`, () => {
    const storage = useStorage(create);

    it('finds a probe by its target, replaces it with the next one, and keeps it across a reopen', async () => {
      const log = storage.store;
      expect(await log.getProbe('http://127.0.0.1:1/bucket')).toBeUndefined();
      await log.putProbe(probe('http://127.0.0.1:1/bucket'));
      await log.putProbe(probe('http://127.0.0.1:1/other', { capabilities: { ...CAPABILITIES, tagging: false } }));
      await log.putProbe(probe('http://127.0.0.1:1/bucket', { at: '2026-11-03T10:00:00.000Z' }));
      const again = await storage.reopen();
      expect(await again.getProbe('http://127.0.0.1:1/bucket')).toEqual(
        probe('http://127.0.0.1:1/bucket', { at: '2026-11-03T10:00:00.000Z' }),
      );
      expect((await again.getProbe('http://127.0.0.1:1/other'))?.capabilities.tagging).toBe(false);
      expect((await again.listProbes()).map((p) => [p.target, p.at])).toEqual([
        ['http://127.0.0.1:1/bucket', '2026-11-03T10:00:00.000Z'],
        ['http://127.0.0.1:1/other', '2026-11-02T10:00:00.000Z'],
      ]);
    });

    it('masks a registered secret quoted in an observation', async () => {
      const { registerSecret } = await import('../../../src/secrets/redact.ts');
      registerSecret('probe-secret-value-4711');
      await storage.store.putProbe(
        probe('t', { observations: [{ name: 'x', seen: 'answered probe-secret-value-4711' }] }),
      );
      expect(JSON.stringify(await storage.store.getProbe('t'))).not.toContain('probe-secret-value-4711');
    });
  });
}
