/**
 * Shared by the example hooks: reading the CLOUDEXIT_* variables cloudexit sets (see
 * docs/hooks.md) and writing the small JSON files that stand in for real infrastructure.
 */
import { writeSync } from 'node:fs';
import { fs, path } from 'zx';

/**
 * The named variables, or exit 2 naming every missing one: a hook run by hand without
 * them must say so instead of writing `phase-undefined.json`.
 */
export function need(hook, ...names) {
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    // writeSync: the line must be out before process.exit, even on a pipe that buffers.
    writeSync(
      2,
      `${hook}: error: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set — ` +
        `cloudexit cutover sets ${missing.length === 1 ? 'it' : 'them'}; to run this hook by hand, export the variables listed in docs/hooks.md\n`,
    );
    process.exit(2);
  }
  return Object.fromEntries(names.map((name) => [name, process.env[name]]));
}

/** The phase's datasets from CLOUDEXIT_DATASETS_JSON, or exit 2 if it is not the documented shape. */
export function datasets(hook) {
  const { CLOUDEXIT_DATASETS_JSON: json } = need(hook, 'CLOUDEXIT_DATASETS_JSON');
  try {
    const list = JSON.parse(json);
    if (Array.isArray(list) && list.every((d) => d && typeof d.name === 'string' && d.source && d.target)) return list;
  } catch {
    // reported below
  }
  writeSync(
    2,
    `${hook}: error: CLOUDEXIT_DATASETS_JSON is not a JSON array of {name, source, target} (see docs/hooks.md)\n`,
  );
  process.exit(2);
}

/** `$CLOUDEXIT_STATE_DIR/<migration>/phase-<id>.<kind>.json` */
export function phaseFile(hook, kind) {
  const env = need(hook, 'CLOUDEXIT_STATE_DIR', 'CLOUDEXIT_MIGRATION', 'CLOUDEXIT_PHASE');
  return path.join(env.CLOUDEXIT_STATE_DIR, env.CLOUDEXIT_MIGRATION, `phase-${env.CLOUDEXIT_PHASE}.${kind}.json`);
}

/** Writes through a temporary file and a rename, so a reader never sees half a pointer. */
export async function writeJson(file, data) {
  await fs.mkdirp(path.dirname(file));
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, `${JSON.stringify(data, null, 2)}\n`);
  await fs.rename(temporary, file);
}

/** The parsed file, or undefined when it does not exist. */
export async function readJson(file) {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The pointer's entry for one side of one dataset. */
export function endpointOf(dataset, side) {
  const end = dataset[side];
  if (dataset.kind === 'postgres') return { host: end.host, port: end.port, database: end.database };
  return side === 'target'
    ? { endpoint: end.endpoint, bucket: end.bucket, prefix: end.prefix }
    : { endpoint: end.endpoint, container: end.container, prefix: end.prefix };
}
