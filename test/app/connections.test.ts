import { describe, expect, it } from 'vitest';
import { connectionsFromPlan, engineDatasets } from '../../src/app/connections.ts';
import { md5 } from '../../src/engine/hashing.ts';
import { loadPlan } from '../../src/plan/load.ts';
import { isObjectDataset } from '../../src/plan/schema.ts';

const env = { CLOUDEXIT_SOURCE_SAS: 'sv=x&sig=test-signature-value', CLOUDEXIT_TARGET_ACCESS_KEY_ID: 'AKIDTEST', CLOUDEXIT_TARGET_SECRET_ACCESS_KEY: 'test-secret-value-123' };

describe('wiring the plan to the adapters', () => {
  it('gives the engine a locally computable ETag unless the plan says the bucket\'s ETags are not MD5s', async () => {
    const plan = await loadPlan('runbooks/emc2/plan.yaml');
    const datasets = plan.datasets.filter(isObjectDataset).slice(0, 1);
    const part = [md5(Buffer.from('x'))];
    const [md5Etags] = await engineDatasets(datasets, connectionsFromPlan(plan.source, plan.target, env));
    expect(md5Etags!.target.expectedEtag(part, false)).toBe(md5(Buffer.from('x')).toString('hex'));
    const [opaque] = await engineDatasets(datasets, connectionsFromPlan(plan.source, { ...plan.target, etagIsMd5: false }, env));
    expect(opaque!.target.expectedEtag(part, false)).toBeUndefined();
    expect(opaque!.target.description).toBe(md5Etags!.target.description);
  });
});
