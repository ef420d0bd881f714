/**
 * The OVHcloud stack under Pulumi mocks: every hardening property of issue 3, resource
 * by resource, as the program declares it from the sample spec.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { databaseArgs } from '../../src/infra/ovh-args.ts';
import { ovhSettings } from '../../src/infra/settings.ts';
import { loadWarehouseSpec } from '../../src/warehouse/load.ts';
import { OVH_CONFIG, QUALIFICATION, runProgram, SPEC_FILE, type ProgramRun } from './harness.ts';

let run: ProgramRun;
const LIFECYCLE =
  'ovh:index/cloudProjectStorageObjectBucketLifecycleConfiguration:CloudProjectStorageObjectBucketLifecycleConfiguration';

beforeAll(async () => {
  run = await runProgram('ovh-emc2', OVH_CONFIG);
});

describe('OvhWarehouse under mocks', () => {
  it('is one component carrying the qualification evidence for the policy pack; children are named <name>-<purpose>', () => {
    const component = run.one('cloudexit:warehouse:OvhWarehouse');
    expect(component.inputs).toMatchObject({ host: 'ovh', region: 'EU-WEST-PAR', qualification: QUALIFICATION });
    for (const r of run.resources.filter((x) => x.custom)) expect(r.name).toMatch(/^emc2-[a-z0-9-]+$/);
  });

  it('one encrypted, versioned bucket per dataset in the Paris region; object lock only where the spec asks', () => {
    const buckets = run.ofType('ovh:CloudProject/storage:Storage').map((b) => b.inputs);
    expect(buckets.map((b) => b.name).sort()).toEqual([
      'emc2-chru-nancy',
      'emc2-clb',
      'emc2-hcl',
      'emc2-hpsj',
      'emc2-nomenclatures',
      'emc2-snds-extracts',
    ]);
    for (const b of buckets) {
      expect(b).toMatchObject({
        serviceName: '0123456789abcdef0123456789abcdef',
        regionName: 'EU-WEST-PAR',
        encryption: { sseAlgorithm: 'AES256' },
        versioning: { status: 'enabled' },
        hideObjects: true,
      });
      expect(b.tags.dataset).toBe(b.name.replace(/^emc2-/, ''));
      if (b.name === 'emc2-snds-extracts')
        expect(b.objectLock).toEqual({ status: 'enabled', rule: { mode: 'governance', period: 'P365D' } });
      else expect(b.objectLock).toBeUndefined();
    }
    expect(buckets.find((b) => b.name === 'emc2-nomenclatures')?.tags.classification).toBe('public-reference');
  });

  it('noncurrent versions expire after the spec retention; abandoned uploads are cleaned', () => {
    const lifecycles = run.ofType(LIFECYCLE).map((l) => l.inputs);
    expect(lifecycles).toHaveLength(6);
    for (const l of lifecycles) {
      expect(l.rules).toContainEqual({
        id: 'recovery-window',
        status: 'enabled',
        noncurrentVersionExpiration: { noncurrentDays: 30 },
      });
      expect(l.rules).toContainEqual({
        id: 'abort-abandoned-uploads',
        status: 'enabled',
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      });
    }
  });

  it('migration user: S3 credentials as secrets and a policy naming only the warehouse buckets and actions', async () => {
    const user = run.one('ovh:CloudProject/user:User');
    expect(user.inputs.roleNames).toEqual(['objectstore_operator']);
    expect(run.one('ovh:CloudProject/s3Credential:S3Credential').inputs.userId).toBe(user.id);
    const policy = run.one('ovh:CloudProject/s3Policy:S3Policy').inputs;
    expect(policy.userId).toBe(user.id);
    const doc = JSON.parse(policy.policy);
    const actions = doc.Statement.flatMap((s: { Action: string[] }) => s.Action);
    const resources = doc.Statement.flatMap((s: { Resource: string[] }) => s.Resource);
    expect(actions.every((a: string) => a.startsWith('s3:') && !a.includes('*'))).toBe(true);
    expect(actions).not.toContain('s3:BypassGovernanceRetention');
    expect(resources.every((r: string) => /^arn:aws:s3:::emc2-[a-z-]+(\/\*)?$/.test(r))).toBe(true);
    expect(resources).toHaveLength(12);
    const credentials = run.stack.migrationCredentials!;
    expect(await (credentials.secretAccessKey as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
    expect(await (credentials.accessKeyId as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
  });

  it('managed PostgreSQL: version, size, two nodes on the private network, IP restriction to the private range, EU backups', () => {
    const db = run.one('ovh:CloudProject/database:Database').inputs;
    const subnet = run.one('ovh:CloudProject/networkPrivateSubnet:NetworkPrivateSubnet');
    expect(db).toMatchObject({
      engine: 'postgresql',
      version: '16',
      plan: 'business',
      flavor: 'b3-16',
      diskSize: 256,
      backupRegions: ['EU-WEST-PAR'],
      deletionProtection: true,
    });
    expect(db.ipRestrictions).toEqual([{ ip: '10.40.0.0/16', description: 'emc2 private network' }]);
    expect(db.nodes).toHaveLength(2);
    for (const n of db.nodes)
      expect(n).toEqual({
        region: 'EU-WEST-PAR',
        networkId: 'openstack-emc2-network-EU-WEST-PAR',
        subnetId: subnet.id,
      });
    const cluster = run.one('ovh:CloudProject/database:Database');
    expect(run.ofType('ovh:CloudProjectDatabase/databaseInstance:DatabaseInstance').map((d) => d.inputs)).toEqual([
      {
        serviceName: '0123456789abcdef0123456789abcdef',
        clusterId: cluster.id,
        engine: 'postgresql',
        name: 'emc2_catalog',
      },
    ]);
    expect(run.one('ovh:CloudProjectDatabase/postgresSqlUser:PostgresSqlUser').inputs).toMatchObject({
      clusterId: cluster.id,
      name: 'emc2_migration',
    });
  });

  it('refuses a one-node plan when the spec asks for high availability', () => {
    const spec = loadWarehouseSpec(SPEC_FILE);
    const settings = ovhSettings.parse({ ...OVH_CONFIG['cloudexit:ovh'], databasePlan: 'essential' });
    expect(() => databaseArgs(spec, settings, { networkId: 'n', subnetId: 's' })).toThrow(
      /high availability.*essential/,
    );
  });

  it('private network: project in the vRack, one VLAN in the region, no gateway', () => {
    expect(run.one('ovh:Vrack/cloudProject:CloudProject').inputs).toEqual({
      serviceName: 'pn-123456',
      projectId: '0123456789abcdef0123456789abcdef',
    });
    expect(run.one('ovh:CloudProject/networkPrivate:NetworkPrivate').inputs).toMatchObject({
      vlanId: 40,
      regions: ['EU-WEST-PAR'],
    });
    expect(run.one('ovh:CloudProject/networkPrivateSubnet:NetworkPrivateSubnet').inputs).toMatchObject({
      network: '10.40.0.0/16',
      noGateway: true,
      dhcp: true,
      region: 'EU-WEST-PAR',
    });
  });

  it('keys: an OKMS in the Paris region with a symmetric service key', () => {
    const kms = run.one('ovh:Okms/okms:Okms');
    expect(kms.inputs).toMatchObject({ region: 'eu-west-par', ovhSubsidiary: 'FR' });
    expect(run.one('ovh:Okms/serviceKey:ServiceKey').inputs).toMatchObject({
      okmsId: kms.id,
      type: 'oct',
      size: 256,
      operations: ['encrypt', 'decrypt'],
    });
  });

  it('log forwarding: database logs to a Logs Data Platform stream', () => {
    const stream = run.one('ovh:Dbaas/logsOutputGraylogStream:LogsOutputGraylogStream');
    expect(stream.inputs.serviceName).toBe('ldp-ab-12345');
    expect(run.one('ovh:CloudProjectDatabase/logSubscription:LogSubscription').inputs).toMatchObject({
      clusterId: run.one('ovh:CloudProject/database:Database').id,
      engine: 'postgresql',
      kind: 'customer_logs',
      streamId: 'emc2-audit-stream-stream',
    });
  });

  it('exports the shared WarehouseOutputs shape, without credentials', async () => {
    const out = await run.value(run.stack.warehouse);
    expect(out.host).toBe('ovh');
    expect(out.datasets['snds-extracts']).toEqual({
      endpoint: 'https://s3.eu-west-par.io.cloud.ovh.net',
      container: 'emc2-snds-extracts',
      prefix: '',
    });
    expect(out.database).toEqual({
      host: 'emc2-postgres.database.cloud.ovh.net',
      port: 20184,
      name: 'emc2_catalog',
      databases: ['emc2_catalog'],
    });
    expect(out.keys).toEqual({ storage: run.one('ovh:Okms/serviceKey:ServiceKey').id, database: 'provider-managed' });
    expect(JSON.stringify(out)).not.toContain('mock-secret-access-key');
  });
});
