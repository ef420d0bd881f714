/**
 * What the bench prints: a table of medians with the ratios cloudexit / rclone, notes on
 * what each copier checks, and the one JSON object scripts read.
 */
import { availableParallelism } from 'node:os';
import { renderTable } from '../src/report/text-table.ts';
import { CLOUDEXIT_LIMITS, CLOUDEXIT_SHEBANG, RCLONE_FLAGS } from './copiers.ts';

export interface RunFigures {
  round: number;
  copier: 'cloudexit' | 'rclone';
  workload: 'small' | 'large';
  seconds: number;
  /** CPU time of the copier process (user + system). */
  cpuSeconds: number;
  peakRssMiB: number;
}

export interface BenchInput {
  rounds: number;
  small: { objects: number; bytes: number };
  large: { bytes: number };
  runs: RunFigures[];
  rcloneVersion: string;
  /** Wall-clock of `bin/cloudexit.js --help` (second start): module loading, paid by every cloudexit run. */
  cloudexitStartupSeconds: number;
  /** 1-minute load average at the start and the end: other work on the machine skews every figure. */
  loadAverage: { start: number; end: number };
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
  return {
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
    ratios,
    cloudexit: {
      peakRssMiB: cloudexitPeak,
      limits: CLOUDEXIT_LIMITS,
      startupSeconds: round2(input.cloudexitStartupSeconds),
      startedAs: `bin/cloudexit.js, through its shebang: ${CLOUDEXIT_SHEBANG}`,
    },
    rclone: { peakRssMiB: round2(peak('rclone')), version: input.rcloneVersion, flags: RCLONE_FLAGS.join(' ') },
    targets: {
      ratiosAtLeast1: ratios.smallObjects >= 1 && ratios.largeObject >= 1,
      rssAtMost256MiB: cloudexitPeak <= 256,
    },
    loadAverage: input.loadAverage,
    runs: input.runs.map((r) => ({
      ...r,
      seconds: round2(r.seconds),
      cpuSeconds: round2(r.cpuSeconds),
      peakRssMiB: round2(r.peakRssMiB),
    })),
  };
}

export type Summary = ReturnType<typeof summarise>;

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
  ];
  const per = s.runs
    .map((r) => `r${r.round} ${r.workload} ${r.copier} ${r.seconds}s ${r.cpuSeconds}cpu ${r.peakRssMiB}MiB`)
    .join('; ');
  const l = s.cloudexit.limits;
  return [
    `Median of ${s.rounds} rounds, wall-clock of each copier's process (startup included).`,
    renderTable(['workload', 'unit', 'cloudexit', 'rclone', 'cloudexit / rclone'], rows),
    '',
    `targets: ratios >= 1.0: ${s.targets.ratiosAtLeast1 ? 'met' : 'MISSED'}; cloudexit peak RSS <= 256 MiB: ${s.targets.rssAtMost256MiB ? 'met' : 'MISSED'}`,
    `cloudexit limits: concurrency ${l.concurrency}, partConcurrency ${l.partConcurrency}, multipartThreshold ${l.multipartThreshold}, ` +
      `minPartSize ${l.minPartSize}, memoryBudget ${l.memoryBudget}; CLI startup (--help) ${s.cloudexit.startupSeconds} s, paid by every run`,
    `cloudexit started as \`npx cloudexit\` starts it: ${s.cloudexit.startedAs} (compile cache in node_modules/.cache/cloudexit)`,
    `rclone: ${s.rclone.version}, flags ${s.rclone.flags}, otherwise defaults`,
    `load average (1 min) at start ${s.loadAverage.start}, at end ${s.loadAverage.end} on a ${availableParallelism()}-core machine shared with the servers: ` +
      'a copier whose CPU time is close to its wall time is bound by its own CPU',
    'cloudexit hashes every byte with SHA-256 and MD5, sends Content-MD5 with every PUT and part, records each object in',
    '  its state database and writes a SHA-256 manifest; rclone checks MD5 where the source has one (the small blobs)',
    '  and only the size for the large blob (staged blocks: no Content-MD5).',
    `runs: ${per}`,
  ].join('\n');
}
