/**
 * `npm run bench [-- --json] [--rounds N] [--small N] [--large-mib N]`
 *
 * The same seeded data copied from Azurite to s3rver by cloudexit (its real CLI) and by
 * rclone, alternating which goes first each round, each run into a fresh empty bucket.
 * Prints the medians (small objects/s, large-object MiB/s), peak RSS and the ratios
 * cloudexit / rclone; with --json, one final JSON object on stdout (everything else goes
 * to stderr). Exits 0 even when a target is missed (this is a measurement); non-zero only
 * when something broke.
 */
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
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
  s3Client,
  seed,
  SMALL_CONTAINER,
  smallObjects,
} from './data.ts';
import { renderSummary, summarise, type RunFigures } from './report.ts';
import { startAzurite, startS3rver, type Service } from './services.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    small: { type: 'string', default: '1000' },
    'large-mib': { type: 'string', default: '256' },
  },
  strict: true,
});

function positive(name: string, text: string, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    process.stderr.write(`--${name} ${text}: expected a whole number from 1 to ${max}\n`);
    process.exit(2);
  }
  return n;
}

const rounds = positive('rounds', args.rounds, 50);
const smallCount = positive('small', args.small, 100_000);
const largeMib = positive('large-mib', args['large-mib'], 16_384);
const log = (line: string) => process.stderr.write(`${line}\n`);

const services: Service[] = [];
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
  const s3Dir = join(workDir, 's3rver');
  await mkdir(s3Dir);
  const [azurite, s3rver] = await Promise.all([startAzurite(), startS3rver(s3Dir)]);
  services.push(azurite, s3rver);
  const endpoints: Endpoints = { azurite: azurite.endpoint, s3rver: s3rver.endpoint };
  log(`azurite pid ${azurite.pid} at ${azurite.endpoint}; s3rver pid ${s3rver.pid} at ${s3rver.endpoint}`);

  const small = smallObjects(smallCount);
  const large = largeObject(largeMib);
  const smallBytes = small.reduce((n, o) => n + o.size, 0);
  log(`seeding ${small.length} small objects (${(smallBytes / MiB).toFixed(1)} MiB) and one ${largeMib} MiB object …`);
  await seed(azurite.endpoint, small, large);

  const bucket = (workload: string, copier: string, round: number) =>
    `${workload}-${copier === 'cloudexit' ? 'cx' : 'rc'}-r${round}`;
  const workloads = [
    { name: 'small' as const, container: SMALL_CONTAINER, objects: small.length, bytes: smallBytes },
    { name: 'large' as const, container: LARGE_CONTAINER, objects: 1, bytes: large.size },
  ];
  const copiers = ['cloudexit', 'rclone'] as const;
  await createBuckets(
    s3rver.endpoint,
    workloads.flatMap((w) =>
      copiers.flatMap((c) => Array.from({ length: rounds }, (_, i) => bucket(w.name, c, i + 1))),
    ),
  );

  // Module loading alone, for the notes: every cloudexit run pays it inside its wall-clock.
  // Measured on the second start: the first one of a fresh install fills the compile cache.
  const startupDir = await mkdtemp(join(workDir, 'startup-'));
  await timed([CLOUDEXIT_BIN, '--help'], cloudexitEnv(process.env), join(startupDir, 'rss'));
  const startup = await timed([CLOUDEXIT_BIN, '--help'], cloudexitEnv(process.env), join(startupDir, 'rss'));

  const s3 = s3Client(s3rver.endpoint);
  const runs: RunFigures[] = [];
  let runNumber = 0;
  for (let round = 1; round <= rounds; round++) {
    // Alternate who goes first: neither copier always meets a warmer (or more tired) server.
    const order = round % 2 === 1 ? copiers : [...copiers].reverse();
    for (const workload of workloads) {
      for (const copier of order) {
        const dir = join(workDir, `run-${++runNumber}`);
        await mkdir(dir);
        const target = bucket(workload.name, copier, round);
        const cx =
          copier === 'cloudexit'
            ? await runCloudexit(dir, endpoints, workload.name, workload.container, target)
            : undefined;
        const run = cx ?? (await runRclone(dir, endpoints, workload.container, target));
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
        const landed = await countBucket(s3, target);
        if (landed.objects !== workload.objects || landed.bytes !== workload.bytes) {
          throw broke(
            `bucket ${target} holds ${landed.objects} objects / ${landed.bytes} bytes, expected ${workload.objects} / ${workload.bytes}`,
          );
        }
        const figures: RunFigures = {
          round,
          copier,
          workload: workload.name,
          seconds: run.wallMs / 1000,
          cpuSeconds: run.cpuSeconds,
          peakRssMiB: run.peakRssKiB / 1024,
        };
        runs.push(figures);
        log(
          `${what}: ${figures.seconds.toFixed(2)} s, CPU ${figures.cpuSeconds.toFixed(2)} s, peak RSS ${figures.peakRssMiB.toFixed(0)} MiB`,
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
    loadAverage: { start: Math.round(loadAtStart * 100) / 100, end: Math.round(loadavg()[0]! * 100) / 100 },
    small: { objects: small.length, bytes: smallBytes },
    large: { bytes: large.size },
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
