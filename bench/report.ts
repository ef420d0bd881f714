/**
 * What the bench prints: a table of medians with the ratios cloudexit / rclone, notes on
 * what each copier checks, and the one JSON object scripts read.
 */
import { availableParallelism } from 'node:os';
import { renderTable } from '../src/report/text-table.ts';
import { CLOUDEXIT_LIMITS, CLOUDEXIT_SHEBANG, cloudexitCode, RCLONE_FLAGS } from './copiers.ts';
import type { FloorRun, Floors } from './floors.ts';
import type { TargetKind } from './targets.ts';

export interface RunFigures {
  round: number;
  copier: 'cloudexit' | 'rclone';
  /** `one`: the first small object alone, for the fixed cost of a run. */
  workload: 'small' | 'large' | 'one';
  seconds: number;
  /** CPU time of the copier process (user + system). */
  cpuSeconds: number;
  peakRssMiB: number;
  /** CPU Azurite spent while this copier ran. */
  sourceServerCpuSeconds: number;
  /** CPU the target server (s3rver, or RGW's daemons) spent while this copier ran. */
  targetServerCpuSeconds: number;
  /** cloudexit only: wall-clock of `cloudexit probe` of the fresh bucket, run before (and outside) the timed copy. */
  probeSeconds?: number;
}

export interface BenchInput {
  rounds: number;
  small: { objects: number; bytes: number };
  large: { bytes: number };
  runs: RunFigures[];
  rcloneVersion: string;
  /** Wall-clock of `bin/cloudexit.js --help` (second start): module loading, paid by every cloudexit run. */
  cloudexitStartupSeconds: number;
  /** CPU time of the same `--help`: the part of every run's CPU that is module loading. @default 0 when not measured */
  cloudexitStartupCpuSeconds?: number;
  /** 1-minute load average at the start and the end: other work on the machine skews every figure. */
  loadAverage: { start: number; end: number };
  /** The S3 server copied to. */
  target: TargetKind;
  /** The raw floors, measured once per round. */
  floors: Floors[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function summarise(input: BenchInput) {
  const runsOf = (copier: RunFigures['copier'], workload: RunFigures['workload']) =>
    input.runs.filter((r) => r.copier === copier && r.workload === workload);
  const seconds = (copier: RunFigures['copier'], workload: RunFigures['workload']) =>
    median(runsOf(copier, workload).map((r) => r.seconds));
  const cpu = (copier: RunFigures['copier'], workload: RunFigures['workload']) =>
    round2(median(runsOf(copier, workload).map((r) => r.cpuSeconds)));
  const peak = (copier: RunFigures['copier']) =>
    Math.max(0, ...input.runs.filter((r) => r.copier === copier).map((r) => r.peakRssMiB));
  const largeMiB = input.large.bytes / 2 ** 20;
  const small = {
    cloudexit: input.small.objects / seconds('cloudexit', 'small'),
    rclone: input.small.objects / seconds('rclone', 'small'),
  };
  const large = { cloudexit: largeMiB / seconds('cloudexit', 'large'), rclone: largeMiB / seconds('rclone', 'large') };
  const ratios = {
    smallObjects: round2(small.cloudexit / small.rclone),
    largeObject: round2(large.cloudexit / large.rclone),
  };
  const cloudexitPeak = round2(peak('cloudexit'));
  const gib = input.large.bytes / 2 ** 30;
  const cpuFigures = {
    smallMsPerObject: {
      cloudexit: round2((cpu('cloudexit', 'small') * 1000) / input.small.objects),
      rclone: round2((cpu('rclone', 'small') * 1000) / input.small.objects),
    },
    largeSecondsPerGiB: {
      cloudexit: round2(cpu('cloudexit', 'large') / gib),
      rclone: round2(cpu('rclone', 'large') / gib),
    },
    ...fixedAndMarginal(input, cpu),
  };
  const ratioOf = (a: number, b: number) => round2(a / b);
  const cpuRatios = {
    cpuSmall: ratioOf(cpuFigures.smallMsPerObject.cloudexit, cpuFigures.smallMsPerObject.rclone),
    cpuLarge: ratioOf(cpuFigures.largeSecondsPerGiB.cloudexit, cpuFigures.largeSecondsPerGiB.rclone),
    ...(cpuFigures.smallMarginalMsPerObject && {
      cpuSmallMarginal: ratioOf(
        cpuFigures.smallMarginalMsPerObject.cloudexit,
        cpuFigures.smallMarginalMsPerObject.rclone,
      ),
    }),
  };
  const floor = floorFigures(input, { small, large });
  const emulatorCpu = (workload: RunFigures['workload']) => {
    const of = (copier: RunFigures['copier']) => ({
      azurite: round2(median(runsOf(copier, workload).map((r) => r.sourceServerCpuSeconds))),
      target: round2(median(runsOf(copier, workload).map((r) => r.targetServerCpuSeconds))),
    });
    return { cloudexit: of('cloudexit'), rclone: of('rclone') };
  };
  const peakOf = (copier: RunFigures['copier'], workload: RunFigures['workload']) =>
    round2(Math.max(0, ...runsOf(copier, workload).map((r) => r.peakRssMiB)));
  return {
    target: input.target,
    rounds: input.rounds,
    smallObjects: {
      objects: input.small.objects,
      bytes: input.small.bytes,
      cloudexit: {
        objectsPerSecond: round2(small.cloudexit),
        medianSeconds: round2(seconds('cloudexit', 'small')),
        medianCpuSeconds: cpu('cloudexit', 'small'),
      },
      rclone: {
        objectsPerSecond: round2(small.rclone),
        medianSeconds: round2(seconds('rclone', 'small')),
        medianCpuSeconds: cpu('rclone', 'small'),
      },
    },
    largeObject: {
      bytes: input.large.bytes,
      cloudexit: {
        mibPerSecond: round2(large.cloudexit),
        medianSeconds: round2(seconds('cloudexit', 'large')),
        medianCpuSeconds: cpu('cloudexit', 'large'),
      },
      rclone: {
        mibPerSecond: round2(large.rclone),
        medianSeconds: round2(seconds('rclone', 'large')),
        medianCpuSeconds: cpu('rclone', 'large'),
      },
    },
    ratios: { ...ratios, ...cpuRatios },
    cpu: cpuFigures,
    floor,
    /** Median CPU seconds each emulator spent while a copier ran: the servers share the 2 cores. */
    emulatorCpuSeconds: { small: emulatorCpu('small'), large: emulatorCpu('large') },
    peakRssMiBByWorkload: {
      cloudexit: { small: peakOf('cloudexit', 'small'), large: peakOf('cloudexit', 'large') },
      rclone: { small: peakOf('rclone', 'small'), large: peakOf('rclone', 'large') },
    },
    cloudexit: {
      peakRssMiB: cloudexitPeak,
      limits: CLOUDEXIT_LIMITS,
      startupSeconds: round2(input.cloudexitStartupSeconds),
      startupCpuSeconds: round2(input.cloudexitStartupCpuSeconds ?? 0),
      probeSeconds: round2(median(input.runs.flatMap((r) => (r.probeSeconds === undefined ? [] : [r.probeSeconds])))),
      startedAs: `bin/cloudexit.js, through its shebang: ${CLOUDEXIT_SHEBANG}, running ${cloudexitCode()}`,
    },
    rclone: { peakRssMiB: round2(peak('rclone')), version: input.rcloneVersion, flags: RCLONE_FLAGS.join(' ') },
    targets: {
      ratiosAtLeast1: ratios.smallObjects >= 1 && ratios.largeObject >= 1,
      rssAtMost256MiB: cloudexitPeak <= 256,
      // Issue 12: small ≥ 1.2× rclone's rate, large ≥ 1.0×; CPU per small object ≤ 1.0×, per GiB ≤ 1.2×.
      smallAtLeast1_2: ratios.smallObjects >= 1.2,
      largeAtLeast1: ratios.largeObject >= 1,
      cpuSmallAtMost1: cpuRatios.cpuSmall <= 1,
      cpuLargeAtMost1_2: cpuRatios.cpuLarge <= 1.2,
    },
    loadAverage: input.loadAverage,
    runs: input.runs.map((r) => ({
      ...r,
      seconds: round2(r.seconds),
      cpuSeconds: round2(r.cpuSeconds),
      peakRssMiB: round2(r.peakRssMiB),
      sourceServerCpuSeconds: round2(r.sourceServerCpuSeconds),
      targetServerCpuSeconds: round2(r.targetServerCpuSeconds),
    })),
  };
}

/**
 * A run's CPU split in two, where the bench copied one object alone: what a copy of one
 * object costs (start-up, plan, state, listing, evidence: paid once per run), and the CPU
 * per small object beyond it. Without one-object runs, nothing.
 */
function fixedAndMarginal(
  input: BenchInput,
  cpu: (copier: RunFigures['copier'], workload: RunFigures['workload']) => number,
) {
  if (!input.runs.some((r) => r.workload === 'one') || input.small.objects < 2) return {};
  const marginal = (copier: RunFigures['copier']) =>
    round2(((cpu(copier, 'small') - cpu(copier, 'one')) * 1000) / (input.small.objects - 1));
  return {
    oneObjectSeconds: { cloudexit: cpu('cloudexit', 'one'), rclone: cpu('rclone', 'one') },
    smallMarginalMsPerObject: { cloudexit: marginal('cloudexit'), rclone: marginal('rclone') },
  };
}

/**
 * The floors as rates (medians over rounds) and each copier's rate as a fraction of them.
 * A copy does one GET and one PUT of every byte, and can overlap them (two servers, two
 * cores): its floor is the slower side alone, `min(get, put)`. A copier at 1.0 is as fast
 * as the servers let a client be that does nothing else.
 */
function floorFigures(
  input: BenchInput,
  rates: { small: { cloudexit: number; rclone: number }; large: { cloudexit: number; rclone: number } },
) {
  const largeMiB = input.large.bytes / 2 ** 20;
  const pick = (key: keyof Floors, field: keyof FloorRun) => median(input.floors.map((f) => f[key][field]));
  const combined = (a: number, b: number) => Math.min(a, b);
  const small = {
    getObjectsPerSecond: round2(input.small.objects / pick('smallGet', 'seconds')),
    putObjectsPerSecond: round2(input.small.objects / pick('smallPut', 'seconds')),
    combinedObjectsPerSecond: 0,
    azuriteCpuMsPerGet: round2((pick('smallGet', 'serverCpuSeconds') * 1000) / input.small.objects),
    targetCpuMsPerPut: round2((pick('smallPut', 'serverCpuSeconds') * 1000) / input.small.objects),
    clientCpuMsPerObject: round2(
      ((pick('smallGet', 'clientCpuSeconds') + pick('smallPut', 'clientCpuSeconds')) * 1000) / input.small.objects,
    ),
  };
  small.combinedObjectsPerSecond = round2(combined(small.getObjectsPerSecond, small.putObjectsPerSecond));
  const large = {
    getMibPerSecond: round2(largeMiB / pick('largeGet', 'seconds')),
    putMibPerSecond: round2(largeMiB / pick('largePut', 'seconds')),
    combinedMibPerSecond: 0,
    azuriteCpuSecondsPerGiB: round2(pick('largeGet', 'serverCpuSeconds') / (largeMiB / 1024)),
    targetCpuSecondsPerGiB: round2(pick('largePut', 'serverCpuSeconds') / (largeMiB / 1024)),
    clientCpuSecondsPerGiB: round2(
      (pick('largeGet', 'clientCpuSeconds') + pick('largePut', 'clientCpuSeconds')) / (largeMiB / 1024),
    ),
  };
  large.combinedMibPerSecond = round2(combined(large.getMibPerSecond, large.putMibPerSecond));
  return {
    small,
    large,
    fractionOfFloor: {
      small: {
        cloudexit: round2(rates.small.cloudexit / small.combinedObjectsPerSecond),
        rclone: round2(rates.small.rclone / small.combinedObjectsPerSecond),
      },
      large: {
        cloudexit: round2(rates.large.cloudexit / large.combinedMibPerSecond),
        rclone: round2(rates.large.rclone / large.combinedMibPerSecond),
      },
    },
  };
}

export type Summary = ReturnType<typeof summarise>;

const met = (ok: boolean) => (ok ? 'met' : 'MISSED');

export function renderSummary(s: Summary): string {
  const mib = (bytes: number) => `${round2(bytes / 2 ** 20)} MiB`;
  const rows: (string | number)[][] = [
    [
      `small: ${s.smallObjects.objects} objects, ${mib(s.smallObjects.bytes)}`,
      'objects/s',
      s.smallObjects.cloudexit.objectsPerSecond,
      s.smallObjects.rclone.objectsPerSecond,
      s.ratios.smallObjects,
    ],
    [
      `large: 1 object, ${mib(s.largeObject.bytes)}`,
      'MiB/s',
      s.largeObject.cloudexit.mibPerSecond,
      s.largeObject.rclone.mibPerSecond,
      s.ratios.largeObject,
    ],
    ['peak RSS (max over all runs)', 'MiB', s.cloudexit.peakRssMiB, s.rclone.peakRssMiB, '—'],
    [
      'CPU time, small (median)',
      's',
      s.smallObjects.cloudexit.medianCpuSeconds,
      s.smallObjects.rclone.medianCpuSeconds,
      '—',
    ],
    [
      'CPU time, large (median)',
      's',
      s.largeObject.cloudexit.medianCpuSeconds,
      s.largeObject.rclone.medianCpuSeconds,
      '—',
    ],
    ['CPU per small object', 'ms', s.cpu.smallMsPerObject.cloudexit, s.cpu.smallMsPerObject.rclone, s.ratios.cpuSmall],
    ...(s.cpu.oneObjectSeconds && s.cpu.smallMarginalMsPerObject
      ? [
          [
            'CPU of a copy of one object (fixed cost)',
            's',
            s.cpu.oneObjectSeconds.cloudexit,
            s.cpu.oneObjectSeconds.rclone,
            '—',
          ],
          [
            'CPU per small object beyond it',
            'ms',
            s.cpu.smallMarginalMsPerObject.cloudexit,
            s.cpu.smallMarginalMsPerObject.rclone,
            s.ratios.cpuSmallMarginal ?? '—',
          ],
        ]
      : []),
    [
      'CPU per GiB (large)',
      's',
      s.cpu.largeSecondsPerGiB.cloudexit,
      s.cpu.largeSecondsPerGiB.rclone,
      s.ratios.cpuLarge,
    ],
    [
      'peak RSS small / large',
      'MiB',
      `${s.peakRssMiBByWorkload.cloudexit.small} / ${s.peakRssMiBByWorkload.cloudexit.large}`,
      `${s.peakRssMiBByWorkload.rclone.small} / ${s.peakRssMiBByWorkload.rclone.large}`,
      '—',
    ],
    ...(['small', 'large'] as const).map((w) => [
      `emulator CPU during ${w}: Azurite + ${s.target}`,
      's',
      `${s.emulatorCpuSeconds[w].cloudexit.azurite} + ${s.emulatorCpuSeconds[w].cloudexit.target}`,
      `${s.emulatorCpuSeconds[w].rclone.azurite} + ${s.emulatorCpuSeconds[w].rclone.target}`,
      '—',
    ]),
    [
      'rate as a fraction of the floor, small',
      '×',
      s.floor.fractionOfFloor.small.cloudexit,
      s.floor.fractionOfFloor.small.rclone,
      '—',
    ],
    [
      'rate as a fraction of the floor, large',
      '×',
      s.floor.fractionOfFloor.large.cloudexit,
      s.floor.fractionOfFloor.large.rclone,
      '—',
    ],
  ];
  const f = s.floor;
  const per = s.runs
    .map(
      (r) =>
        `r${r.round} ${r.workload} ${r.copier} ${r.seconds}s ${r.cpuSeconds}cpu ${r.peakRssMiB}MiB ` +
        `servers ${r.sourceServerCpuSeconds}+${r.targetServerCpuSeconds}cpu`,
    )
    .join('; ');
  const l = s.cloudexit.limits;
  return [
    `Median of ${s.rounds} rounds, wall-clock of each copier's process (startup included).`,
    renderTable(['workload', 'unit', 'cloudexit', 'rclone', 'cloudexit / rclone'], rows),
    '',
    `floors on this machine (${s.target}, median of ${s.rounds}): small GETs alone ${f.small.getObjectsPerSecond} obj/s, ` +
      `signed PUTs alone ${f.small.putObjectsPerSecond} obj/s, floor (slower side) ${f.small.combinedObjectsPerSecond} obj/s; ` +
      `large GETs ${f.large.getMibPerSecond} MiB/s, PUTs ${f.large.putMibPerSecond} MiB/s, floor ${f.large.combinedMibPerSecond} MiB/s`,
    `  server CPU per small GET ${f.small.azuriteCpuMsPerGet} ms (Azurite), per small PUT ${f.small.targetCpuMsPerPut} ms (${s.target}); ` +
      `floor client CPU ${f.small.clientCpuMsPerObject} ms per object, ${f.large.clientCpuSecondsPerGiB} s per GiB`,
    `targets: ratios >= 1.0: ${s.targets.ratiosAtLeast1 ? 'met' : 'MISSED'}; cloudexit peak RSS <= 256 MiB: ${s.targets.rssAtMost256MiB ? 'met' : 'MISSED'}`,
    `  issue 12: small >= 1.2x ${met(s.targets.smallAtLeast1_2)}, large >= 1.0x ${met(s.targets.largeAtLeast1)}, ` +
      `CPU per small object <= 1.0x ${met(s.targets.cpuSmallAtMost1)}, CPU per GiB <= 1.2x ${met(s.targets.cpuLargeAtMost1_2)}`,
    `cloudexit limits: concurrency ${l.concurrency}, partConcurrency ${l.partConcurrency}, multipartThreshold ${l.multipartThreshold}, ` +
      `minPartSize ${l.minPartSize}, memoryBudget ${l.memoryBudget}; CLI startup (--help) ${s.cloudexit.startupSeconds} s ` +
      `(${s.cloudexit.startupCpuSeconds} CPU-s), paid by every run`,
    `cloudexit probes each fresh bucket first (\`cloudexit probe\`, median ${s.cloudexit.probeSeconds} s, outside the timed copy): ` +
      'a once-per-target cost, as in a migration',
    `cloudexit started as \`npx cloudexit\` starts it: ${s.cloudexit.startedAs} (compile cache in node_modules/.cache/cloudexit)`,
    `rclone: ${s.rclone.version}, flags ${s.rclone.flags}, otherwise defaults`,
    `load average (1 min) at start ${s.loadAverage.start}, at end ${s.loadAverage.end} on a ${availableParallelism()}-core machine shared with the servers: ` +
      'a copier whose CPU time is close to its wall time is bound by its own CPU',
    'cloudexit hashes every byte with SHA-256 and every part with MD5 (the whole object with MD5 only where a check uses it),',
    '  sends Content-MD5 with every PUT and part, records each object in',
    '  its state database and writes a SHA-256 manifest; rclone checks MD5 where the source has one (the small blobs)',
    '  and only the size for the large blob (staged blocks: no Content-MD5).',
    `runs: ${per}`,
  ].join('\n');
}
