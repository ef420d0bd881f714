/** The bench's pure parts: the summary's figures and keys, the profile reader, /proc CPU. */
import { describe, expect, test } from 'vitest';
import { ownerOf, summariseProfile } from '../../bench/cpu-profile.ts';
import type { FloorRun, Floors } from '../../bench/floors.ts';
import { cpuSecondsOfPid } from '../../bench/proc-cpu.ts';
import { summarise, renderSummary, type RunFigures } from '../../bench/report.ts';

const GiB = 2 ** 30;

function run(copier: RunFigures['copier'], workload: RunFigures['workload'], seconds: number, cpuSeconds: number) {
  return {
    round: 1,
    copier,
    workload,
    seconds,
    cpuSeconds,
    peakRssMiB: copier === 'cloudexit' ? 150 : 60,
    sourceServerCpuSeconds: 1,
    targetServerCpuSeconds: 2,
  };
}

const floorRun = (seconds: number): FloorRun => ({ seconds, clientCpuSeconds: 0.5, serverCpuSeconds: 1 });

function input() {
  const floors: Floors = {
    smallGet: floorRun(2), // 500 obj/s
    smallPut: floorRun(4), // 250 obj/s: the floor
    largeGet: floorRun(2), // 512 MiB/s
    largePut: floorRun(8), // 128 MiB/s: the floor
  };
  return {
    rounds: 1,
    small: { objects: 1000, bytes: 8_000_000 },
    large: { bytes: GiB },
    runs: [
      run('cloudexit', 'small', 5, 2), // 200 obj/s, 2 ms per object
      run('rclone', 'small', 10, 1), // 100 obj/s, 1 ms per object
      run('cloudexit', 'large', 16, 3), // 64 MiB/s, 3 s per GiB
      run('rclone', 'large', 8, 1.5), // 128 MiB/s, 1.5 s per GiB
    ],
    rcloneVersion: 'rclone v1.60',
    cloudexitStartupSeconds: 0.2,
    loadAverage: { start: 1, end: 1 },
    target: 's3rver' as const,
    floors: [floors],
  };
}

describe('bench summary', () => {
  test('keeps the existing keys and adds CPU per object and per GiB, their ratios and the floors', () => {
    const s = summarise(input());
    expect(s.ratios).toEqual({ smallObjects: 2, largeObject: 0.5, cpuSmall: 2, cpuLarge: 2 });
    expect(s.cpu).toEqual({
      smallMsPerObject: { cloudexit: 2, rclone: 1 },
      largeSecondsPerGiB: { cloudexit: 3, rclone: 1.5 },
    });
    expect(s.floor.small).toMatchObject({
      getObjectsPerSecond: 500,
      putObjectsPerSecond: 250,
      combinedObjectsPerSecond: 250,
    });
    expect(s.floor.large).toMatchObject({ getMibPerSecond: 512, putMibPerSecond: 128, combinedMibPerSecond: 128 });
    expect(s.floor.fractionOfFloor).toEqual({
      small: { cloudexit: 0.8, rclone: 0.4 },
      large: { cloudexit: 0.5, rclone: 1 },
    });
    expect(s.emulatorCpuSeconds.small.cloudexit).toEqual({ azurite: 1, target: 2 });
    expect(s.targets).toMatchObject({ smallAtLeast1_2: true, largeAtLeast1: false, cpuSmallAtMost1: false });
    for (const key of ['smallObjects', 'largeObject', 'cloudexit', 'rclone', 'loadAverage', 'runs'])
      expect(s).toHaveProperty(key);
    expect(renderSummary(s)).toContain('CPU per small object');
  });
});

describe('fixed cost and cost per object', () => {
  test('a copy of one object splits the CPU of the small workload into a fixed cost and a cost per object', () => {
    const withOne = input();
    withOne.runs.push(run('cloudexit', 'one', 1, 0.8), run('rclone', 'one', 0.2, 0.1));
    const s = summarise(withOne);
    // cloudexit: (2 - 0.8) s over 999 more objects; rclone: (1 - 0.1) s over 999.
    expect(s.cpu.oneObjectSeconds).toEqual({ cloudexit: 0.8, rclone: 0.1 });
    expect(s.cpu.smallMarginalMsPerObject).toEqual({ cloudexit: 1.2, rclone: 0.9 });
    expect(s.ratios.cpuSmallMarginal).toBe(1.33);
    // The figures stay what they were: CPU of the whole small run per object.
    expect(s.ratios.cpuSmall).toBe(2);
    expect(renderSummary(s)).toMatch(/CPU per small object beyond it +ms +1\.2 +0\.9 +1\.33/);
  });

  test('without one-object runs the summary has no such figures', () => {
    const s = summarise(input());
    expect(s.cpu).not.toHaveProperty('oneObjectSeconds');
    expect(s.ratios).not.toHaveProperty('cpuSmallMarginal');
    expect(renderSummary(s)).not.toContain('beyond it');
  });
});

describe('cpu profile', () => {
  test('owners: packages, folders of src/, node internals, the collector', () => {
    expect(ownerOf('file:///w/node_modules/@smithy/core/dist-cjs/index.js', 'f')).toBe('@smithy/core');
    expect(ownerOf('file:///w/node_modules/undici/lib/a.js', 'f')).toBe('undici');
    expect(ownerOf('file:///w/src/stores/s3.ts', 'f')).toBe('src/stores');
    expect(ownerOf('node:internal/streams/writable', 'f')).toBe('node:internal');
    expect(ownerOf('', '(garbage collector)')).toBe('(garbage collector)');
  });

  test('self time per owner and per function, idle left out', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
    const summary = summariseProfile({
      nodes: [
        { id: 1, callFrame: frame('(idle)', '') },
        { id: 2, callFrame: frame('put', 'file:///w/src/stores/s3.ts') },
        { id: 3, callFrame: frame('request', 'file:///w/node_modules/undici/index.js') },
      ],
      samples: [1, 2, 3, 2],
      timeDeltas: [5000, 1000, 2000, 1000],
    });
    expect(summary.totalMs).toBe(4);
    expect(summary.byOwner).toEqual([
      { name: 'src/stores', ms: 2 },
      { name: 'undici', ms: 2 },
    ]);
  });
});

describe('process CPU from /proc', () => {
  test('a live process has spent CPU, a missing one counts as none', () => {
    expect(cpuSecondsOfPid(process.pid)).toBeGreaterThan(0);
    expect(cpuSecondsOfPid(2 ** 30)).toBe(0);
  });
});
