/**
 * Example freeze hook: records that the phase's datasets are frozen in
 * `$CLOUDEXIT_STATE_DIR/<migration>/phase-<id>.freeze.json`. A real one stops writes at the
 * source — see docs/hooks.md for an Azure sketch.
 */
import { echo } from 'zx';
import { datasets, need, phaseFile, writeJson } from './lib.mjs';

const env = need(
  'freeze',
  'CLOUDEXIT_MIGRATION',
  'CLOUDEXIT_PHASE',
  'CLOUDEXIT_RUN_ID',
  'CLOUDEXIT_DATASETS',
  'CLOUDEXIT_STATE_DIR',
);
const list = datasets('freeze');
const file = phaseFile('freeze', 'freeze');
const at = process.env.CLOUDEXIT_FROZEN_AT ?? new Date().toISOString();

await writeJson(file, { frozen: true, at, datasets: list.map((d) => d.name), runId: env.CLOUDEXIT_RUN_ID });
echo(`freeze: phase ${env.CLOUDEXIT_PHASE} frozen at ${at} (${env.CLOUDEXIT_DATASETS}); example only, wrote ${file}`);
echo(
  `freeze: a real hook would revoke the write SAS of ${list.map((d) => d.source.container).join(', ')} and set the application read-only`,
);
