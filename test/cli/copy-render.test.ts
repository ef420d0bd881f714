/** What `cloudexit copy` prints about conflicts and datasets of committed phases. */
import { describe, expect, it } from 'vitest';
import type { CopyReport } from '../../src/app/copy.ts';
import { renderCopy } from '../../src/cli/commands/copy.ts';

const conflicted: CopyReport = {
  runId: 'r1',
  ok: false,
  interrupted: false,
  copied: 1,
  bytesCopied: 10,
  failed: 2,
  conflicts: 1,
  skipped: [{ dataset: 'old', phase: 1, committedAt: '2026-11-30T20:00:00.000Z' }],
  databases: [],
  datasets: [
    {
      dataset: 'one',
      inventory: undefined,
      copied: 1,
      bytesCopied: 10,
      alreadyCopied: 0,
      partsResumed: 0,
      failed: [
        { key: 'a.csv', error: 'conflict: one: a.csv on the target has ETag t1, not r1 …' },
        { key: 'b.csv', error: 'one: b.csv: network down' },
      ],
      conflicts: [{ key: 'a.csv', targetKey: 'emc2/a.csv', targetEtag: 't1', recordedEtag: 'r1' }],
      vanished: [],
      manifest: undefined,
    },
  ],
};

describe('renderCopy', () => {
  it('names each conflict once, the other failures, the skipped committed datasets, and what to do', () => {
    const text = renderCopy(conflicted);
    expect(text).toContain(
      '  conflict: one: emc2/a.csv: the target holds ETag t1, cloudexit wrote r1; kept, not overwritten',
    );
    expect(text).not.toContain('failed: conflict:');
    expect(text).toContain('  failed: one: b.csv: network down');
    expect(text).toContain('  old: skipped, phase 1 was committed at 2026-11-30T20:00:00.000Z');
    expect(text).toMatch(/1 objects not copied: the target holds objects cloudexit did not write .* 1 more failed/s);
  });
});
