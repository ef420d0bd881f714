/**
 * `npm run bench:profile [-- --workload small|large] [--small N] [--large-mib N]`
 *
 * One cloudexit copy of the bench's data (Azurite → s3rver, as `npm run bench` runs it)
 * under `node --cpu-prof`, then where its CPU went: self time per package, per folder of
 * src/ and per function, per object. The profile file is kept and its path printed (open
 * it in Chrome DevTools for the call tree).
 */
import { mkdtemp, mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs, oneOf, positive } from './args.ts';
import { runCloudexit } from './copiers.ts';
import { readProfile, renderProfile, summariseProfile } from './cpu-profile.ts';
import { createBuckets, LARGE_CONTAINER, largeObject, seed, SMALL_CONTAINER, smallObjects } from './data.ts';
import { startAzurite, type Service } from './services.ts';
import { startTarget, type TargetServer } from './targets.ts';

const args = benchArgs(import.meta.url, {
  workload: { type: 'string', default: 'small' },
  small: { type: 'string', default: '1000' },
  'large-mib': { type: 'string', default: '256' },
});
const workload = oneOf('workload', args.workload, ['small', 'large']);
const count = positive('small', args.small, 100_000);
const largeMib = positive('large-mib', args['large-mib'], 100_000);

const services: (Service | TargetServer)[] = [];
const workDir = await mkdtemp(join(tmpdir(), 'cloudexit-profile-'));
try {
  const [azurite, target] = await Promise.all([startAzurite(), startTarget('s3rver', workDir)]);
  services.push(azurite, target);
  const small = smallObjects(count);
  const large = largeObject(largeMib);
  await seed(azurite.endpoint, workload === 'small' ? small : [], large);
  await createBuckets(target, ['profiled']);
  const runDir = join(workDir, 'run');
  const profileDir = join(tmpdir(), `cloudexit-cpu-prof-${process.pid}`);
  await mkdir(runDir);
  const run = await runCloudexit(
    runDir,
    { azurite: azurite.endpoint, target },
    workload,
    workload === 'small' ? SMALL_CONTAINER : LARGE_CONTAINER,
    'profiled',
    // From the sources, not the bundle: the profile then names each file of src/ and each
    // package (the bundle's chunks would mix them). Start-up costs more that way than what
    // `npm run bench` times (about 0.2 CPU-s: the modules are loaded one by one).
    { nodeFlags: ['--cpu-prof', '--cpu-prof-dir', profileDir], env: { CLOUDEXIT_FROM_SOURCE: '1' } },
  );
  if (run.code !== 0) throw new Error(`cloudexit failed (exit ${run.code}):\n${run.stderr.slice(-3000)}`);
  const [file] = (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${profileDir}`);
  const objects = workload === 'small' ? small.length : 1;
  process.stdout.write(
    `${workload}: ${objects} object(s), wall ${(run.wallMs / 1000).toFixed(2)} s, CPU ${run.cpuSeconds.toFixed(2)} s, ` +
      `peak RSS ${(run.peakRssKiB / 1024).toFixed(0)} MiB (profiling adds CPU; run from the sources, so start-up costs more than with the bundle)\n` +
      `${renderProfile(summariseProfile(await readProfile(join(profileDir, file))), objects)}\n` +
      `profile: ${join(profileDir, file)}\n`,
  );
} finally {
  await Promise.allSettled(services.map((s) => s.stop()));
  await rm(workDir, { recursive: true, force: true });
}
