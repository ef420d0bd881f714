/**
 * The rehearsal ends as a migration does: each committed phase's source is decommissioned
 * (on a clock set to the end of its hypercare), and the final report says what is left at
 * the source. Phase 1 of the sample plan only (two object datasets), to keep the run short;
 * the embedded emulators are the rehearsal's own.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rehearse, type RehearsalReport } from '../../src/app/rehearse.ts';

let out: string;
let report: RehearsalReport;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'cloudexit-rehearse-decommission-'));
  report = await rehearse({ phase: 1, out, target: 's3rver' });
}, 300_000);
afterAll(() => rm(out, { recursive: true, force: true }));

describe('the rehearsal', () => {
  it('decommissions the committed phase and reports nothing left at the source', async () => {
    expect(report.ok).toBe(true);
    expect(report.phases.map((p) => [p.id, p.state])).toEqual([[1, 'committed']]);
    expect(report.decommission.objectsLeftAtSource).toBe(0);
    expect(report.decommission.datasets.map((d) => [d.dataset, d.kind, d.objectsLeftAtSource])).toEqual([
      ['nomenclatures', 'objects', 0],
      ['clb', 'objects', 0],
    ]);
    for (const d of report.decommission.datasets) {
      expect(d.goneAt, d.dataset).toBeDefined();
      const text = await readFile(join(out, 'evidence', d.certificate));
      expect(createHash('sha256').update(text).digest('hex')).toBe(d.certificateSha256);
      const certificate = JSON.parse(text.toString());
      const objects = report.datasets.find((r) => r.name === d.dataset)!.objects;
      expect(certificate.listedBefore.count, d.dataset).toBe(objects);
      expect(certificate.deleted.count, d.dataset).toBe(objects);
    }
  });
});
