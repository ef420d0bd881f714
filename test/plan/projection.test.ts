import { describe, expect, it } from 'vitest';
import { measuredThroughput, project, secondsFor, type Throughput } from '../../src/plan/projection.ts';
import type { RunRecord } from '../../src/state/contracts/runs.ts';

const GiB = 2 ** 30;

function run(
  command: string,
  startedAt: string,
  seconds: number | undefined,
  bytes: number,
  objects: number,
): RunRecord {
  return {
    id: `run-${startedAt}`,
    command,
    scope: 'x',
    startedAt,
    endedAt: seconds === undefined ? undefined : new Date(Date.parse(startedAt) + seconds * 1000).toISOString(),
    outcome: seconds === undefined ? undefined : 'succeeded',
    totals: { bytes, objects, failed: 0 },
  };
}

describe('measured throughput', () => {
  it('adds the bytes, objects and durations of finished copy runs only', () => {
    const t = measuredThroughput([
      run('copy', '2026-11-20T10:00:00Z', 100, 10 * GiB, 1000),
      run('copy', '2026-11-21T10:00:00Z', 300, 30 * GiB, 3000),
      run('verify quick', '2026-11-21T12:00:00Z', 10, 0, 4000), // not a copy
      run('copy', '2026-11-22T10:00:00Z', undefined, 5 * GiB, 10), // killed: no end time
    ]);
    expect(t).toEqual({ bytesPerSecond: (40 * GiB) / 400, objectsPerSecond: 10, runs: 2, seconds: 400 });
  });

  it('keeps only the most recent runs', () => {
    const runs = [run('copy', '2026-01-01T00:00:00Z', 10, 10, 1), run('copy', '2026-02-01T00:00:00Z', 10, 1000, 1)];
    expect(measuredThroughput(runs, 1)?.bytesPerSecond).toBe(100);
    expect(measuredThroughput([])).toBeUndefined();
  });
});

describe('projection', () => {
  const t: Throughput = { bytesPerSecond: GiB / 10, objectsPerSecond: 100, runs: 1, seconds: 1 };

  it('takes the slower of the byte and object estimates', () => {
    expect(secondsFor(10 * GiB, 1000, t)).toBe(100);
    expect(secondsFor(GiB, 1_000_000, t)).toBe(10_000);
  });

  it('projects phases one after the other and flags the one after its planned cutover', () => {
    const now = new Date('2026-11-22T09:00:00Z');
    const p = project(
      [
        { phaseId: 2, plannedCutover: '2026-11-24', remainingBytes: 86_400 * 3 * (GiB / 10), remainingObjects: 0 }, // 3 days
        { phaseId: 1, plannedCutover: '2026-11-23', remainingBytes: 86_400 * (GiB / 10), remainingObjects: 0 }, // 1 day
        { phaseId: 3, plannedCutover: '2026-12-14', remainingBytes: 0, remainingObjects: 0 },
      ],
      t,
      now,
      '2026-12-16',
    );
    expect(p.phases.map((x) => [x.phaseId, x.projectedDay, x.atRisk])).toEqual([
      [1, '2026-11-23', false],
      [2, '2026-11-26', true],
      [3, '2026-11-26', false],
    ]);
    expect(p.phases[1]!.risk).toBe('bulk copy projected to end on 2026-11-26, after the planned cutover on 2026-11-24');
    expect(p.migrationAtRisk).toBe(false);
  });

  it('flags the migration when the projected end passes the deadline', () => {
    const p = project(
      [{ phaseId: 1, plannedCutover: '2026-12-14', remainingBytes: 86_400 * 30 * (GiB / 10), remainingObjects: 0 }],
      t,
      new Date('2026-11-22T09:00:00Z'),
      '2026-12-16',
    );
    expect(p.migrationAtRisk).toBe(true);
    expect(p.risk).toBe('the bulk copy is projected to end on 2026-12-22, after the deadline 2026-12-16');
  });

  it('knows nothing of a phase never inventoried, and says how to find out', () => {
    const p = project(
      [
        { phaseId: 1, plannedCutover: '2026-12-01', remainingBytes: 0, remainingObjects: 0, inventoried: false },
        { phaseId: 2, plannedCutover: '2026-12-07', remainingBytes: 0, remainingObjects: 0 },
      ],
      t,
      new Date('2026-11-22T09:00:00Z'),
      '2026-12-16',
    );
    expect(p.phases.map((x) => x.projectedEnd)).toEqual([undefined, '2026-11-22T09:00:00.000Z']); // phase 2 has nothing left
    expect(p.risk).toBe('phase 1 not inventoried yet: run `cloudexit inventory` to know what remains');
  });

  it('says so when nothing was measured yet', () => {
    const p = project(
      [{ phaseId: 1, plannedCutover: '2026-12-14', remainingBytes: 1, remainingObjects: 1 }],
      undefined,
      new Date(),
      '2026-12-16',
    );
    expect([p.phases[0]!.projectedEnd, p.migrationEnd, p.migrationAtRisk]).toEqual([undefined, undefined, false]);
    expect(p.risk).toMatch(/no copy has been measured yet/);
  });
});
