/**
 * Example switch hook: writes the "pointer file" that stands for a DNS record or an
 * application setting, `$CLOUDEXIT_STATE_DIR/<migration>/phase-<id>.pointer.json`, saying
 * readers are served from the target. A real one changes a CNAME — see docs/hooks.md.
 */
import { echo } from 'zx';
import { datasets, endpointOf, need, phaseFile, writeJson } from './lib.mjs';

const env = need('switch', 'CLOUDEXIT_MIGRATION', 'CLOUDEXIT_PHASE', 'CLOUDEXIT_RUN_ID', 'CLOUDEXIT_STATE_DIR');
const list = datasets('switch');
const file = phaseFile('switch', 'pointer');
const switchedAt = new Date().toISOString();

await writeJson(file, {
  serving: 'target',
  datasets: Object.fromEntries(list.map((d) => [d.name, endpointOf(d, 'target')])),
  switchedAt,
  runId: env.CLOUDEXIT_RUN_ID,
});
echo(
  `switch: phase ${env.CLOUDEXIT_PHASE} readers now pointed at the target (${list.map((d) => d.name).join(', ')}); example only, wrote ${file}`,
);
