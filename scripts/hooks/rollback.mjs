/**
 * Example rollback hook: rewrites the pointer file so readers are served from the
 * source again. Safe to run when the switch never happened.
 */
import { echo } from 'zx';
import { datasets, endpointOf, need, phaseFile, readJson, writeJson } from './lib.mjs';

const env = need('rollback', 'CLOUDEXIT_MIGRATION', 'CLOUDEXIT_PHASE', 'CLOUDEXIT_RUN_ID', 'CLOUDEXIT_STATE_DIR');
const list = datasets('rollback');
const file = phaseFile('rollback', 'pointer');
const before = await readJson(file);
const rolledBackAt = new Date().toISOString();

await writeJson(file, {
  serving: 'source',
  datasets: Object.fromEntries(list.map((d) => [d.name, endpointOf(d, 'source')])),
  switchedAt: before?.switchedAt ?? null,
  rolledBackAt,
  runId: env.CLOUDEXIT_RUN_ID,
});
echo(
  `rollback: phase ${env.CLOUDEXIT_PHASE} readers pointed back at the source${before ? '' : ' (no switch had been recorded)'}; example only, wrote ${file}`,
);
