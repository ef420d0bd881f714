/**
 * `npm run bench [-- --json] [--rounds N] [--small N] [--large-mib N] [--target s3rver|rgw]`
 *
 * The same seeded data copied from Azurite to s3rver (or Ceph RGW with `--target rgw`) by
 * cloudexit (its real CLI) and by rclone, alternating which goes first each round, each run
 * into a fresh empty bucket. Each round also measures the raw floors of the machine (GETs
 * alone into nothing, signed PUTs alone from memory: floors.ts), and every run the CPU the
 * emulators spent during it. Prints the medians (small objects/s, large-object MiB/s, CPU
 * per object and per GiB, peak RSS), the ratios cloudexit / rclone and each copier's rate
 * as a fraction of the floor; with --json, one final JSON object on stdout (everything else
 * goes to stderr). Exits 0 even when a target is missed (this is a measurement); 2 on bad
 * arguments or a target that cannot run here; 1 when something broke.
 */
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CLOUDEXIT_BIN,
  cloudexitEnv,
  ensureTools,
  killRunning,
  runCloudexit,
  runRclone,
  timed,
  type Endpoints,
} from './copiers.ts';
import {
  countBucket,
  createBuckets,
  LARGE_CONTAINER,
  largeObject,
  MiB,
  ONE_CONTAINER,
  s3Client,
  seed,
  SMALL_CONTAINER,
  smallObjects,
} from './data.ts';
import { measureFloors, type Floors } from './floors.ts';
import { cpuSecondsOf } from './proc-cpu.ts';
import { renderSummary, summarise, type RunFigures } from './report.ts';
import { startAzurite, type Service } from './services.ts';
import { startTarget, type TargetKind, type TargetServer } from './targets.ts';
import { benchArgs, positive, targetOf } from './args.ts';

const args = benchArgs(import.meta.url, {
  json: { type: 'boolean', default: false },
  rounds: { type: 'string', default: '3' },
  small: { type: 'string', default: '1000' },
  'large-mib': { type: 'string', default: '256' },
  target: { type: 'string', default: 's3rver' },
});

const rounds = positive('rounds', args.rounds, 50);
const smallCount = positive('small', args.small, 100_000);
const largeMib = positive('large-mib', args['large-mib'], 16_384);
const targetKind: TargetKind = targetOf(args.target);
const log = (line: string) => process.stderr.write(`${line}\n`);

const services: (Service | TargetServer)[] = [];
let workDir: string | undefined;
let interrupted = false;
let cleaning: Promise<void> | undefined;

/** Stops the copier in flight and both servers, removes the temp dirs; once, whoever asks first. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    killRunning();
    await Promise.allSettled(services.map((s) => s.stop()));
    if (workDir) await rm(workDir, { recursive: true, force: true });
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    log(`${signal}: stopping the copier in flight and the servers`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = loadavg()[0]!;
  const rcloneVersion = ensureTools(log);
  workDir = await mkdtemp(join(tmpdir(), 'cloudexit-bench-'));
  const [azurite, target] = await Promise.all([startAzurite(), startTarget(targetKind, workDir)]);
  services.push(azurite, target);
  const endpoints: Endpoints = { azurite: azurite.endpoint, target };
  log(
    `azurite pid ${azurite.pid} at ${azurite.endpoint}; ${target.kind} pids ${target.pids().join(' ')} at ${target.endpoint}`,
  );
  const azuritePids = () => [azurite.pid];

  const small = smallObjects(smallCount);
  const large = largeObject(largeMib);
  const smallBytes = small.reduce((n, o) => n + o.size, 0);
  log(`seeding ${small.length} small objects (${(smallBytes / MiB).toFixed(1)} MiB) and one ${largeMib} MiB object …`);
  await seed(azurite.endpoint, small, large);

  const bucket = (workload: string, copier: string, round: number) =>
    `${workload}-${copier === 'cloudexit' ? 'cx' : 'rc'}-r${round}`;
  const workloads = [
    { name: 'small' as const, container: SMALL_CONTAINER, objects: small.length, bytes: smallBytes },
    // One object: the fixed cost of a run (start-up, plan, state, listing, evidence), so that
    // the summary can tell it from the cost per object.
    { name: 'one' as const, container: ONE_CONTAINER, objects: 1, bytes: small[0]!.size },
    { name: 'large' as const, container: LARGE_CONTAINER, objects: 1, bytes: large.size },
  ];
  const copiers = ['cloudexit', 'rclone'] as const;
  const floorBucket = (round: number) => `floor-r${round}`;
  await createBuckets(target, [
    ...workloads.flatMap((w) =>
      copiers.flatMap((c) => Array.from({ length: rounds }, (_, i) => bucket(w.name, c, i + 1))),
    ),
    ...Array.from({ length: rounds }, (_, i) => floorBucket(i + 1)),
  ]);

  // Module loading alone, for the notes: every cloudexit run pays it inside its wall-clock.
  // Measured on the second start: the first one of a fresh install fills the compile cache.
  const startupDir = await mkdtemp(join(workDir, 'startup-'));
  await timed([CLOUDEXIT_BIN, '--help'], cloudexitEnv(process.env), join(startupDir, 'rss'));
  const startup = await timed([CLOUDEXIT_BIN, '--help'], cloudexitEnv(process.env), join(startupDir, 'rss'));

  const s3 = s3Client(target);
  const runs: RunFigures[] = [];
  const floors: Floors[] = [];
  let runNumber = 0;
  for (let round = 1; round <= rounds; round++) {
    const floor = await measureFloors({
      azuriteEndpoint: azurite.endpoint,
      azuritePids,
      target,
      bucket: floorBucket(round),
      small,
      large,
    });
    floors.push(floor);
    log(
      `round ${round} floors: small GET ${floor.smallGet.seconds.toFixed(2)} s, PUT ${floor.smallPut.seconds.toFixed(2)} s; ` +
        `large GET ${floor.largeGet.seconds.toFixed(2)} s, PUT ${floor.largePut.seconds.toFixed(2)} s`,
    );
    // Alternate who goes first: neither copier always meets a warmer (or more tired) server.
    const order = round % 2 === 1 ? copiers : [...copiers].reverse();
    for (const workload of workloads) {
      for (const copier of order) {
        const dir = join(workDir, `run-${++runNumber}`);
        await mkdir(dir);
        const into = bucket(workload.name, copier, round);
        let serversBefore = [cpuSecondsOf(azuritePids()), cpuSecondsOf(target.pids())];
        const cx =
          copier === 'cloudexit'
            ? await runCloudexit(dir, endpoints, workload.name, workload.container, into, {
                onCopyStart: () => {
                  serversBefore = [cpuSecondsOf(azuritePids()), cpuSecondsOf(target.pids())];
                },
              })
            : undefined;
        const run = cx ?? (await runRclone(dir, endpoints, workload.container, into));
        const serversCpu = [cpuSecondsOf(azuritePids()), cpuSecondsOf(target.pids())].map(
          (s, i) => s - serversBefore[i]!,
        );
        const what = `round ${round} ${workload.name} ${copier}`;
        const broke = (why: string) =>
          new Error(
            `${what}: ${why}\nexit code ${run.code}\nstdout: ${run.stdout.slice(-3000)}\nstderr: ${run.stderr.slice(-3000)}`,
          );
        if (run.code !== 0) throw broke('the copier failed');
        if (cx && (cx.report?.ok !== true || cx.report.copied !== workload.objects)) {
          throw broke(`expected ok: true and ${workload.objects} objects copied in its JSON report`);
        }
        // Checked outside the timed run: the bucket must hold every object, byte for byte in size.
        const landed = await countBucket(s3, into);
        if (landed.objects !== workload.objects || landed.bytes !== workload.bytes) {
          throw broke(
            `bucket ${into} holds ${landed.objects} objects / ${landed.bytes} bytes, expected ${workload.objects} / ${workload.bytes}`,
          );
        }
        const figures: RunFigures = {
          round,
          copier,
          workload: workload.name,
          seconds: run.wallMs / 1000,
          cpuSeconds: run.cpuSeconds,
          peakRssMiB: run.peakRssKiB / 1024,
          sourceServerCpuSeconds: serversCpu[0]!,
          targetServerCpuSeconds: serversCpu[1]!,
          ...(cx ? { probeSeconds: cx.probe.wallMs / 1000 } : {}),
        };
        runs.push(figures);
        log(
          `${what}: ${figures.seconds.toFixed(2)} s, CPU ${figures.cpuSeconds.toFixed(2)} s, peak RSS ${figures.peakRssMiB.toFixed(0)} MiB, ` +
            `servers ${serversCpu.map((s) => s.toFixed(2)).join(' + ')} CPU-s`,
        );
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
  s3.destroy();

  const summary = summarise({
    rounds,
    runs,
    rcloneVersion,
    cloudexitStartupSeconds: startup.wallMs / 1000,
    cloudexitStartupCpuSeconds: startup.cpuSeconds,
    loadAverage: { start: Math.round(loadAtStart * 100) / 100, end: Math.round(loadavg()[0]! * 100) / 100 },
    small: { objects: small.length, bytes: smallBytes },
    large: { bytes: large.size },
    target: targetKind,
    floors,
  });
  const text = `${renderSummary(summary)}\nbench time: ${((performance.now() - started) / 1000).toFixed(0)} s`;
  if (args.json) {
    log(text);
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } else process.stdout.write(`${text}\n`);
}

try {
  await main();
} catch (err) {
  // After Ctrl-C the killed copier looks like a failure: the signal handler reports and exits instead.
  if (!interrupted) log(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
