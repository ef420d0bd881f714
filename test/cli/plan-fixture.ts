/**
 * A plan file pointing at the test suite's Azurite and s3rver, built from the sample
 * EMC2 plan so that it goes through the same schema, plus the environment holding its
 * secrets: what an operator would have, with emulators in place of Azure and OVHcloud.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inject } from 'vitest';
import { parseDocument } from 'yaml';
import { createContainer } from '../../src/embedded/azurite.ts';
import { createBucket } from '../../src/embedded/s3rver.ts';
import { uniqueName } from '../support/stores.ts';

export interface PlanFixture {
  file: string;
  env: NodeJS.ProcessEnv;
  /** Container and bucket of each dataset. */
  names: Map<string, { container: string; bucket: string }>;
  secrets: string[];
}

/** Where the fixture's target lives, and what the plan says of it. */
export interface TargetChoice {
  /** The suite's s3rver (a fake) or Ceph RGW (a real S3 implementation). @default 's3rver' */
  server?: 's3rver' | 'rgw';
  /** The endpoint written in the plan, e.g. a fault proxy in front of the server. @default the server's */
  endpoint?: string;
  /** `target.etagIsMd5` in the plan. @default absent (true) */
  etagIsMd5?: boolean;
}

export async function writeTestPlan(
  dir: string,
  datasets: string[],
  limits: Record<string, unknown> = {},
  target: TargetChoice = {},
): Promise<PlanFixture> {
  const azurite = inject('azurite');
  const s3rver = inject(target.server ?? 's3rver');
  const doc = parseDocument(await readFile('runbooks/emc2/plan.yaml', 'utf8'));
  doc.setIn(
    ['source'],
    doc.createNode({
      kind: 'azure-blob',
      endpoint: azurite.endpoint,
      auth: { method: 'key', accountName: azurite.accountName, accountKeyEnv: 'TEST_SOURCE_KEY' },
    }),
  );
  doc.setIn(
    ['target'],
    doc.createNode({
      kind: 's3',
      endpoint: target.endpoint ?? s3rver.endpoint,
      region: s3rver.region,
      forcePathStyle: true,
      ...(target.etagIsMd5 === undefined ? {} : { etagIsMd5: target.etagIsMd5 }),
      auth: { accessKeyIdEnv: 'TEST_TARGET_KEY_ID', secretAccessKeyEnv: 'TEST_TARGET_SECRET' },
    }),
  );
  const names = new Map<string, { container: string; bucket: string }>();
  const entries = [];
  for (const name of datasets) {
    const container = uniqueName('src');
    const bucket = uniqueName('dst');
    await createContainer(azurite, container);
    await createBucket(s3rver, bucket);
    names.set(name, { container, bucket });
    entries.push({
      name,
      title: `Test dataset ${name}`,
      source: { container, prefix: '' },
      target: { bucket, prefix: '' },
    });
  }
  doc.setIn(['datasets'], doc.createNode(entries));
  // The sample's communication plan names its own phases, which this fixture replaces.
  doc.deleteIn(['communication']);
  doc.setIn(
    ['phases'],
    doc.createNode([
      {
        id: 1,
        name: 'Everything',
        datasets,
        plannedCutover: '2026-12-01',
        owners: { decisionMaker: 'A', opsLead: 'B', dataOwner: 'C', dpo: 'D' },
      },
    ]),
  );
  for (const [key, value] of Object.entries(limits)) doc.setIn(['limits', key], value);
  const file = join(dir, 'plan.yaml');
  await writeFile(file, doc.toString());
  return {
    file,
    names,
    env: {
      ...process.env,
      TEST_SOURCE_KEY: azurite.accountKey,
      TEST_TARGET_KEY_ID: s3rver.accessKeyId,
      TEST_TARGET_SECRET: s3rver.secretAccessKey,
    },
    secrets: [azurite.accountKey, s3rver.secretAccessKey],
  };
}
