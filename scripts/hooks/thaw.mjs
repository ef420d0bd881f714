/**
 * Example thaw hook: marks the phase's freeze file as thawed. Safe to run when nothing
 * was frozen (a rollback may run it after a freeze that failed halfway).
 */
import { echo } from 'zx';
import { need, phaseFile, readJson, writeJson } from './lib.mjs';

const env = need(
  'thaw',
  'CLOUDEXIT_MIGRATION',
  'CLOUDEXIT_PHASE',
  'CLOUDEXIT_RUN_ID',
  'CLOUDEXIT_DATASETS',
  'CLOUDEXIT_STATE_DIR',
);
const file = phaseFile('thaw', 'freeze');
const before = await readJson(file);
const thawedAt = new Date().toISOString();

await writeJson(file, {
  frozen: false,
  at: before?.at ?? null,
  thawedAt,
  datasets: env.CLOUDEXIT_DATASETS.split(','),
  runId: env.CLOUDEXIT_RUN_ID,
});
echo(
  `thaw: phase ${env.CLOUDEXIT_PHASE} ${before?.frozen ? 'thawed' : 'was not frozen; marked thawed'} at ${thawedAt}; example only, wrote ${file}`,
);
echo('thaw: a real hook would restore the write SAS / application write access at the source');
