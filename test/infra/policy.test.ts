/**
 * Every SecNumCloud policy on one passing and one failing resource, called directly:
 * the PolicyPack itself is never constructed (its constructor starts a gRPC server).
 * Then the whole OVHcloud program, declared under mocks, against every policy.
 */
import { describe, expect, it } from 'vitest';
import { migrationPolicyDocument } from '../../src/infra/ovh-args.ts';
import { leastPrivilege } from '../../src/infra/policy/access.ts';
import { SECNUMCLOUD_POLICIES } from '../../src/infra/policy/policies.ts';
import { encryptionAtRest, noPublicNetworkAccess, tlsMinimum } from '../../src/infra/policy/protection.ts';
import { allowedRegions, backupsInEu } from '../../src/infra/policy/regions.ts';
import { auditLogging, qualificationEvidenceDeclared } from '../../src/infra/policy/stack.ts';
import { OVH_CONFIG, QUALIFICATION, runProgram } from './harness.ts';
import { allViolations, args, asPolicyResources, resource, stackViolations, violations } from './policy-harness.ts';

const BUCKET = 'ovh:CloudProject/storage:Storage';
const DATABASE = 'ovh:CloudProject/database:Database';

describe('allowed-regions', () => {
  it('passes a bucket in the Paris region (any case, zone suffixes included) and fails one in another', async () => {
    expect(await violations(allowedRegions, args(BUCKET, { regionName: 'EU-WEST-PAR' }))).toEqual([]);
    expect(await violations(allowedRegions, args('ovh:Okms/okms:Okms', { region: 'eu-west-par' }))).toEqual([]);
    expect(await violations(allowedRegions, args(BUCKET, { regionName: 'BHS' }))).toEqual([
      expect.stringMatching(/region "BHS" is not allowed/),
    ]);
  });
  it('takes its list from policy config', async () => {
    expect(
      await violations(allowedRegions, args(DATABASE, { nodes: [{ region: 'GRA9' }] }, { allowedRegions: ['GRA'] })),
    ).toEqual([]);
    expect(
      await violations(
        allowedRegions,
        args('azure-native:storage:StorageAccount', { location: 'westus' }, { allowedRegions: ['francecentral'] }),
      ),
    ).toHaveLength(1);
  });
});

describe('encryption-at-rest', () => {
  it('passes an AES256 bucket and fails a plaintext one', async () => {
    expect(
      await violations(encryptionAtRest, args(BUCKET, { name: 'b', encryption: { sseAlgorithm: 'AES256' } })),
    ).toEqual([]);
    expect(
      await violations(encryptionAtRest, args(BUCKET, { name: 'b', encryption: { sseAlgorithm: 'plaintext' } })),
    ).toHaveLength(1);
  });
  it('passes an Azure account with a customer key and infrastructure encryption, fails one without', async () => {
    const good = { encryption: { keySource: 'Microsoft.Keyvault', requireInfrastructureEncryption: true } };
    expect(await violations(encryptionAtRest, args('azure-native:storage:StorageAccount', good))).toEqual([]);
    expect(
      await violations(
        encryptionAtRest,
        args('azure-native:storage:StorageAccount', { encryption: { keySource: 'Microsoft.Storage' } }),
      ),
    ).toHaveLength(2);
  });
});

describe('no-public-network-access', () => {
  it('passes a database restricted to the private range and fails 0.0.0.0/0', async () => {
    const nodes = [{ region: 'EU-WEST-PAR', networkId: 'n', subnetId: 's' }];
    expect(
      await violations(noPublicNetworkAccess, args(DATABASE, { nodes, ipRestrictions: [{ ip: '10.40.0.0/16' }] })),
    ).toEqual([]);
    expect(
      await violations(noPublicNetworkAccess, args(DATABASE, { nodes, ipRestrictions: [{ ip: '0.0.0.0/0' }] })),
    ).toEqual([expect.stringMatching(/0\.0\.0\.0\/0 lets the internet reach/)]);
  });
  it('passes a private Azure account and fails a public one', async () => {
    expect(
      await violations(
        noPublicNetworkAccess,
        args('azure-native:storage:StorageAccount', { publicNetworkAccess: 'Disabled', allowBlobPublicAccess: false }),
      ),
    ).toEqual([]);
    expect(
      await violations(
        noPublicNetworkAccess,
        args('azure-native:storage:StorageAccount', { publicNetworkAccess: 'Enabled', allowBlobPublicAccess: true }),
      ),
    ).toHaveLength(2);
  });
});

describe('tls-1-2-minimum', () => {
  it('passes TLS1_2 and fails TLS1_0', async () => {
    expect(
      await violations(tlsMinimum, args('azure-native:storage:StorageAccount', { minimumTlsVersion: 'TLS1_2' })),
    ).toEqual([]);
    expect(
      await violations(tlsMinimum, args('azure-native:storage:StorageAccount', { minimumTlsVersion: 'TLS1_0' })),
    ).toHaveLength(1);
  });
  it('checks the PostgreSQL server parameter', async () => {
    const param = (value: string) =>
      args('azure-native:dbforpostgresql:Configuration', { configurationName: 'ssl_min_protocol_version', value });
    expect(await violations(tlsMinimum, param('TLSv1.2'))).toEqual([]);
    expect(await violations(tlsMinimum, param('TLSv1'))).toHaveLength(1);
  });
});

describe('least-privilege', () => {
  it('passes the migration policy and fails "*" actions or resources', async () => {
    const type = 'ovh:CloudProject/s3Policy:S3Policy';
    expect(await violations(leastPrivilege, args(type, { policy: migrationPolicyDocument(['emc2-hcl']) }))).toEqual([]);
    const wide = JSON.stringify({ Statement: [{ Sid: 'All', Effect: 'Allow', Action: ['s3:*'], Resource: ['*'] }] });
    expect(await violations(leastPrivilege, args(type, { policy: wide }))).toEqual([
      'All allows every action ("s3:*")',
      'All applies to every bucket ("*")',
    ]);
  });
  it('fails an Owner role assignment', async () => {
    const type = 'azure-native:authorization:RoleAssignment';
    expect(
      await violations(
        leastPrivilege,
        args(type, {
          roleDefinitionId:
            '/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
        }),
      ),
    ).toEqual([]);
    expect(
      await violations(
        leastPrivilege,
        args(type, {
          roleDefinitionId:
            '/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
        }),
      ),
    ).toHaveLength(1);
  });
});

describe('backups-in-eu', () => {
  it('passes EU backup regions and fails a non-EU one', async () => {
    expect(await violations(backupsInEu, args(DATABASE, { backupRegions: ['EU-WEST-PAR', 'GRA'] }))).toEqual([]);
    expect(await violations(backupsInEu, args(DATABASE, { backupRegions: ['EU-WEST-PAR', 'BHS'] }))).toEqual([
      expect.stringMatching(/"BHS", which is not an EU region/),
    ]);
  });
});

describe('audit-logging-present', () => {
  it('passes a database with a log subscription and fails one without', async () => {
    const db = resource(DATABASE, 'db', {});
    const sub = resource('ovh:CloudProjectDatabase/logSubscription:LogSubscription', 'logs', {}, { clusterId: [db] });
    expect(await stackViolations(auditLogging, [db, sub])).toEqual([]);
    expect(await stackViolations(auditLogging, [db])).toEqual([
      expect.stringMatching(/managed database "db" has no audit logging/),
    ]);
  });
});

describe('secnumcloud-qualification-evidence', () => {
  it('passes a warehouse declaring its evidence and fails one without', async () => {
    const type = 'cloudexit:warehouse:OvhWarehouse';
    expect(
      await stackViolations(qualificationEvidenceDeclared, [resource(type, 'emc2', { qualification: QUALIFICATION })]),
    ).toEqual([]);
    expect(await stackViolations(qualificationEvidenceDeclared, [resource(type, 'emc2', {})])).toEqual([
      expect.stringMatching(/declares no SecNumCloud qualification evidence/),
    ]);
    expect(
      await stackViolations(qualificationEvidenceDeclared, [resource(type, 'emc2', { qualification: { offer: 'x' } })]),
    ).toHaveLength(2);
  });
});

describe('the OVHcloud program against the whole pack', () => {
  it('passes every policy with evidence declared, and is refused without it', async () => {
    const run = await runProgram('ovh-emc2', OVH_CONFIG);
    const asPolicy = asPolicyResources(run);
    const found = await allViolations(SECNUMCLOUD_POLICIES, asPolicy);
    expect(found).toEqual([]);
    const withoutEvidence = asPolicy.map((p) =>
      p.type === 'cloudexit:warehouse:OvhWarehouse' ? { ...p, props: { ...p.props, qualification: undefined } } : p,
    );
    expect(await stackViolations(qualificationEvidenceDeclared, withoutEvidence)).toHaveLength(1);
  });
});
