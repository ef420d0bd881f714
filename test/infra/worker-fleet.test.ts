/**
 * The worker fleet declared by the real OVHcloud program under Pulumi mocks, from a spec
 * with a `workers` block: machines, network, OKMS access, the state database on a fleet
 * machine (no qualified managed offer in the region) or managed, and no secret in any
 * machine's user data. Then the policy pack against what was declared.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateDatabasePlacement, stateDatabasePrivate } from '../../src/infra/policy/workers.ts';
import { SECNUMCLOUD_POLICIES } from '../../src/infra/policy/policies.ts';
import { ovhSettings } from '../../src/infra/settings.ts';
import { WorkerFleet } from '../../src/infra/worker-fleet.ts';
import { userDataSecretFindings } from '../../src/infra/worker-fleet-cloud-init.ts';
import { loadWarehouseSpec } from '../../src/warehouse/load.ts';
import { FLEET_SECRET_MARK, OVH_CONFIG, runProgram, SPEC_FILE, type ProgramRun } from './harness.ts';
import { allViolations, asPolicyResources, stackViolations } from './policy-harness.ts';

const INSTANCE = 'ovh:CloudProject/instance:Instance';
const DATABASE = 'ovh:CloudProject/database:Database';
const OKMS_SECRET = 'ovh:Okms/secret:Secret';
const STATE_PASSWORD = `${FLEET_SECRET_MARK}-state-password-from-config`;
/** What the mocks hand out as the migration user's S3 secret (src/infra/mocks.ts). */
const TARGET_SECRET = 'mock-secret-access-key-never-real';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudexit-fleet-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The sample spec with a workers block appended. */
function specWithWorkers(block: string): string {
  const file = join(dir, `warehouse-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `${readFileSync(SPEC_FILE, 'utf8')}\nworkers:\n${block}`);
  return file;
}

function config(spec: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...OVH_CONFIG, 'cloudexit:spec': spec, ...extra };
}

/** User data of every machine; a secret flowing into it would make the engine receive it wrapped as one. */
function userDataOf(run: ProgramRun): string[] {
  return run.ofType(INSTANCE).map((i) => {
    const userData = unwrap(i.inputs.userData);
    expect(userData.secret).toBe(false);
    return userData.value as string;
  });
}

/** An input as the engine receives it: secrets arrive wrapped under Pulumi's secret signature. */
function unwrap(input: unknown): { secret: boolean; value: unknown } {
  const wrapped = input as Record<string, unknown> | null;
  if (wrapped?.[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig)
    return { secret: true, value: wrapped['value'] };
  return { secret: false, value: input };
}

/** The worker environment in OKMS, which the engine must receive as a secret. */
function environmentOf(run: ProgramRun, name = 'emc2-workers-environment'): Record<string, string> {
  const secret = run.one(OKMS_SECRET, name);
  const version = unwrap(secret.inputs.version);
  expect(version.secret).toBe(true);
  return JSON.parse((version.value as { data: string }).data);
}

describe('WorkerFleet where no qualified managed PostgreSQL exists (the state on a fleet machine)', () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(
      'ovh-emc2',
      config(specWithWorkers('  count: 3\n  package: cloudexit@0.1.0\n'), {
        'cloudexit:workerStatePassword': STATE_PASSWORD,
      }),
    );
  });

  it('is a component next to the warehouse, telling the policy pack its region, network and placement', () => {
    expect(run.one('cloudexit:workers:WorkerFleet', 'emc2-workers').inputs).toEqual({
      region: 'EU-WEST-PAR',
      count: 3,
      networkCidr: '10.41.0.0/24',
      stateDatabase: 'instance',
    });
    expect(run.ofType(DATABASE).map((d) => d.name)).toEqual(['emc2-postgres']);
  });

  it('declares three workers and one state machine, private only, egress through the fleet gateway', () => {
    const instances = run.ofType(INSTANCE);
    expect(instances.map((i) => i.name)).toEqual([
      'emc2-workers-state-db',
      'emc2-workers-worker-0',
      'emc2-workers-worker-1',
      'emc2-workers-worker-2',
    ]);
    const gateway = run.one('ovh:CloudProject/gateway:Gateway');
    const subnet = run.one('ovh:CloudProject/networkPrivateSubnet:NetworkPrivateSubnet', 'emc2-workers-subnet');
    expect(subnet.inputs).toMatchObject({ network: '10.41.0.0/24', noGateway: false, start: '10.41.0.10' });
    expect(run.one('ovh:CloudProject/networkPrivate:NetworkPrivate', 'emc2-workers-network').inputs).toMatchObject({
      vlanId: 41,
      regions: ['EU-WEST-PAR'],
    });
    for (const i of instances) {
      expect(i.inputs).toMatchObject({
        region: 'EU-WEST-PAR',
        billingPeriod: 'hourly',
        bootFrom: { imageId: 'image-debian-12-EU-WEST-PAR' },
      });
      expect(i.inputs.network).toMatchObject({
        public: false,
        private: {
          network: { id: 'openstack-emc2-workers-network-EU-WEST-PAR', subnetId: subnet.id },
          gateway: { id: gateway.id },
        },
      });
    }
    expect(instances[1]!.inputs.flavor).toEqual({ flavorId: 'flavor-b3-16-EU-WEST-PAR' });
    expect(instances[0]!.inputs.network.private.ip).toBe('10.41.0.5');
    expect(instances[0]!.inputs.autoBackup).toEqual({ cron: '0 */6 * * *', rotation: 28 });
    expect(instances[1]!.inputs.autoBackup).toBeUndefined();
  });

  it('user data holds no secret: not the state password, not the S3 secret, not an OKMS key', () => {
    const env = environmentOf(run);
    // The secrets exist in the program: they went to OKMS, and nowhere else.
    expect(env).toEqual({
      PGPASSWORD: STATE_PASSWORD,
      CLOUDEXIT_TARGET_ACCESS_KEY_ID: 'MOCKACCESSKEYID',
      CLOUDEXIT_TARGET_SECRET_ACCESS_KEY: TARGET_SECRET,
    });
    const userData = userDataOf(run);
    expect(userData).toHaveLength(4);
    for (const text of userData) {
      expect(text).not.toContain(FLEET_SECRET_MARK);
      expect(text).not.toContain(TARGET_SECRET);
      expect(text).not.toContain('MOCKACCESSKEYID');
      expect(userDataSecretFindings(text)).toEqual([]);
    }
    // The state machine reads its role password only; workers read their environment.
    expect(environmentOf(run, 'emc2-workers-state-role')).toEqual({ PGPASSWORD: STATE_PASSWORD });
    expect(run.one(OKMS_SECRET, 'emc2-workers-state-role').inputs.path).toBe('cloudexit/emc2/workers/state-role');
    expect(run.one(OKMS_SECRET, 'emc2-workers-environment').inputs.path).toBe('cloudexit/emc2/workers/environment');
    expect(userData[0]).toContain("OKMS_SECRET_PATHS='cloudexit/emc2/workers/state-role'");
    expect(userData[0]).toContain("OKMS_OPTIONAL_SECRET_PATHS=''");
    const workerUnit = userData[1]!;
    expect(workerUnit).toContain("OKMS_SECRET_PATHS='cloudexit/emc2/workers/environment'");
    expect(workerUnit).toContain(
      'ExecStart=/usr/local/bin/cloudexit worker ' +
        '--state "postgresql://cloudexit_worker@10.41.0.5:5432/cloudexit_state?sslmode=require" ' +
        '--plan "/etc/cloudexit/plan.yaml"',
    );
    expect(workerUnit).toContain("OKMS_ENDPOINT='https://eu-west-par.okms.ovh.net'");
  });

  it('each machine gets its own OKMS access certificate, for one identity allowed to read OKMS secrets only', () => {
    const client = run.one('ovh:Me/aPIOAuth2Client:APIOAuth2Client');
    expect(client.inputs.flow).toBe('CLIENT_CREDENTIALS');
    const identity = 'urn:v1:eu:identity:credential:xx1111-ovh/oauth2-emc2-workers-identity';
    const credentials = run.ofType('ovh:Okms/credential:Credential');
    expect(credentials.map((c) => c.inputs.name).sort()).toEqual([
      'emc2-workers-state-db',
      'emc2-workers-worker-0',
      'emc2-workers-worker-1',
      'emc2-workers-worker-2',
    ]);
    for (const c of credentials) expect(c.inputs.identityUrns).toEqual([identity]);
    expect(run.one('ovh:Iam/policy:Policy').inputs).toMatchObject({
      identities: [identity],
      resources: ['urn:v1:eu:resource:okms:emc2-kms'],
      allows: ['okms:apikms:secret/get', 'okms:apikms:secret/version/getData'],
    });
  });

  it('passes the whole policy pack; the advisory note names where the state runs and why', async () => {
    const found = await allViolations(SECNUMCLOUD_POLICIES, asPolicyResources(run));
    expect(found).toEqual([
      'emc2-workers: the worker state runs on a fleet machine in EU-WEST-PAR: ' +
        'no SecNumCloud-qualified managed PostgreSQL is listed there',
    ]);
  });
});

describe('WorkerFleet asked for the managed offer', () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(
      'ovh-emc2',
      config(specWithWorkers('  count: 2\n  package: cloudexit@0.1.0\n  stateDatabase: managed\n')),
    );
  });

  it('declares a managed PostgreSQL on the fleet network, restricted to its range, with database, user, logs', () => {
    const db = run.one(DATABASE, 'emc2-workers-state-postgres');
    expect(db.inputs).toMatchObject({
      engine: 'postgresql',
      ipRestrictions: [{ ip: '10.41.0.0/24', description: 'emc2 worker fleet' }],
      backupRegions: ['EU-WEST-PAR'],
      deletionProtection: true,
      flavor: 'b3-8',
    });
    for (const n of db.inputs.nodes) expect(n.networkId).toBe('openstack-emc2-workers-network-EU-WEST-PAR');
    expect(
      run.one('ovh:CloudProjectDatabase/databaseInstance:DatabaseInstance', 'emc2-workers-state-database').inputs.name,
    ).toBe('cloudexit_state');
    expect(run.ofType('ovh:CloudProjectDatabase/logSubscription:LogSubscription').map((l) => l.name)).toContain(
      'emc2-workers-state-audit',
    );
    expect(run.ofType(INSTANCE)).toHaveLength(2);
  });

  it('the generated password goes to OKMS, never into user data; workers reach the managed endpoint', () => {
    const password = `${FLEET_SECRET_MARK}-password-emc2-workers-state-user`;
    expect(environmentOf(run).PGPASSWORD).toBe(password);
    for (const text of userDataOf(run)) {
      expect(text).not.toContain(password);
      expect(text).toContain(
        '--state "postgresql://cloudexit_worker@emc2-workers-state-postgres.database.cloud.ovh.net:20184/' +
          'cloudexit_state?sslmode=require"',
      );
    }
  });

  it('is refused by the placement rule, naming the region, until the region is listed as qualified', async () => {
    const resources = asPolicyResources(run);
    expect(await stackViolations(stateDatabasePlacement, resources)).toEqual([
      expect.stringMatching(/no SecNumCloud-qualified managed PostgreSQL is listed for region EU-WEST-PAR/),
    ]);
    expect(
      await stackViolations(stateDatabasePlacement, resources, { qualifiedManagedPostgresRegions: ['EU-WEST-PAR'] }),
    ).toEqual([]);
    expect(await stackViolations(stateDatabasePrivate, resources)).toEqual([]);
  });
});

describe('WorkerFleet outputs', () => {
  it('marks the machines’ OKMS access secret; the state URL carries no password and is not secret', async () => {
    await runProgram('ovh-emc2', config(SPEC_FILE));
    const spec = loadWarehouseSpec(specWithWorkers('  count: 1\n  package: cloudexit@0.1.0\n'));
    const fleet = new WorkerFleet('probe', {
      spec,
      fleet: spec.workers!,
      settings: ovhSettings.parse(OVH_CONFIG['cloudexit:ovh']),
      okms: { id: 'okms-id', restEndpoint: 'https://eu-west-par.okms.ovh.net', urn: 'urn:okms' },
      targetCredentials: { accessKeyId: pulumi.secret('AK'), secretAccessKey: pulumi.secret('SK') },
      statePassword: pulumi.secret('pw'),
    });
    const isSecret = (o: pulumi.Output<unknown>) => (o as unknown as { isSecret: Promise<boolean> }).isSecret;
    expect(await isSecret(fleet.outputs.okmsAccess)).toBe(true);
    expect(await isSecret(fleet.outputs.state.url)).toBe(false);
    const url = await new Promise<string>((resolve) => fleet.outputs.state.url.apply(resolve));
    expect(url).toBe('postgresql://cloudexit_worker@10.41.0.5:5432/cloudexit_state?sslmode=require');
    // Let the component's registrations finish before the next test installs new mocks.
    await (pulumi.runtime as unknown as { waitForRPCs: () => Promise<void> }).waitForRPCs();
  });

  it('refuses a fleet-hosted state without a password, and says how to set one', async () => {
    await expect(
      runProgram('ovh-emc2', config(specWithWorkers('  count: 1\n  package: cloudexit@0.1.0\n'))),
    ).rejects.toThrow(/pulumi config set --secret cloudexit:workerStatePassword/);
  });
});
