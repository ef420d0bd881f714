/**
 * Example smoke check: reads the pointer file the switch hook wrote and checks that it
 * serves the target for every dataset of the phase. Exits 1 with the reason otherwise.
 * A real one queries the application through its public name (see docs/hooks.md).
 */
import { writeSync } from 'node:fs';
import { echo } from 'zx';
import { datasets, need, phaseFile, readJson } from './lib.mjs';

const env = need('smoke-check', 'CLOUDEXIT_MIGRATION', 'CLOUDEXIT_PHASE', 'CLOUDEXIT_STATE_DIR');
const list = datasets('smoke-check');
const file = phaseFile('smoke-check', 'pointer');

function fail(reason) {
  writeSync(2, `smoke-check: FAILED for phase ${env.CLOUDEXIT_PHASE}: ${reason}\n`);
  process.exit(1);
}

const pointer = await readJson(file).catch((error) => fail(`${file} is not readable JSON (${error.message})`));
if (!pointer) fail(`no pointer file at ${file} — did the switch hook run?`);
if (pointer.serving !== 'target') fail(`the pointer serves "${pointer.serving}", not "target"`);
const wrong = list.filter((d) => {
  const entry = pointer.datasets?.[d.name];
  return (
    !entry ||
    entry.endpoint !== d.target.endpoint ||
    entry.bucket !== d.target.bucket ||
    entry.prefix !== d.target.prefix
  );
});
if (wrong.length > 0) fail(`the pointer does not send ${wrong.map((d) => d.name).join(', ')} to its target bucket`);

echo(
  `smoke-check: phase ${env.CLOUDEXIT_PHASE} OK — the pointer serves the target for ${list.map((d) => d.name).join(', ')}`,
);
