/**
 * The worker-fleet policies on violating and passing resources, called directly. That they
 * pass on what the real program declares is shown in worker-fleet.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  stateDatabaseLocation,
  stateDatabasePlacement,
  stateDatabasePrivate,
  userDataWithoutSecrets,
  WORKER_FLEET_TYPE,
  workerFleetRegions,
} from '../../src/infra/policy/workers.ts';
import { renderWorkerUserData } from '../../src/infra/worker-fleet-cloud-init.ts';
import { args, resource, stackViolations, violations } from './policy-harness.ts';

const INSTANCE = 'ovh:CloudProject/instance:Instance';
const DATABASE = 'ovh:CloudProject/database:Database';
const PRIVATE_NETWORK = { public: false, private: { network: { id: 'net', subnetId: 'sub' } } };

function fleet(props: Record<string, unknown> = {}) {
  return resource(WORKER_FLEET_TYPE, 'emc2-workers', {
    region: 'EU-WEST-PAR',
    count: 2,
    networkCidr: '10.41.0.0/24',
    stateDatabase: 'instance',
    ...props,
  });
}

function stateDb(props: Record<string, unknown> = {}) {
  return resource(DATABASE, 'emc2-workers-state-postgres', {
    nodes: [{ region: 'EU-WEST-PAR', networkId: 'net', subnetId: 'sub' }],
    ipRestrictions: [{ ip: '10.41.0.0/24' }],
    ...props,
  });
}

describe('worker-fleet-regions', () => {
  it('passes machines and the fleet in the qualified region (zones included) and fails any other', async () => {
    expect(await violations(workerFleetRegions, args(INSTANCE, { region: 'EU-WEST-PAR-A' }))).toEqual([]);
    expect(await violations(workerFleetRegions, args(WORKER_FLEET_TYPE, { region: 'EU-WEST-PAR' }))).toEqual([]);
    expect(
      await violations(workerFleetRegions, args(INSTANCE, { region: 'GRA11' }, {}, 'emc2-workers-worker-0')),
    ).toEqual([expect.stringMatching(/emc2-workers-worker-0 is in "GRA11", not a qualified region \(EU-WEST-PAR\)/)]);
    expect(await violations(workerFleetRegions, args(WORKER_FLEET_TYPE, { region: 'BHS' }))).toHaveLength(1);
    expect(
      await violations(workerFleetRegions, args('ovh:CloudProject/gateway:Gateway', { region: 'SBG' })),
    ).toHaveLength(1);
  });

  it('fails a machine with no region, and takes its list from policy config', async () => {
    expect(await violations(workerFleetRegions, args(INSTANCE, {}))).toEqual([
      expect.stringMatching(/declares no region/),
    ]);
    expect(
      await violations(workerFleetRegions, args(INSTANCE, { region: 'GRA11' }, { qualifiedRegions: ['GRA'] })),
    ).toEqual([]);
  });
});

describe('user-data-without-secrets', () => {
  it('fails user data holding a password, naming the kind and never the value', async () => {
    const found = await violations(
      userDataWithoutSecrets,
      args(INSTANCE, { userData: '#cloud-config\nruncmd:\n  - echo PGPASSWORD=Tr0ub4dor3 > /etc/env\n' }, {}, 'w0'),
    );
    expect(found).toEqual([
      "the user data of w0 holds a password, secret or key assignment; put it in the fleet's OKMS secret instead",
    ]);
    expect(found.join()).not.toContain('Tr0ub4dor3');
  });

  it('passes what the fleet renders, and user data still unknown during preview', async () => {
    const userData = renderWorkerUserData({
      okms: { endpoint: 'https://eu-west-par.okms.ovh.net', okmsId: 'id', secretPaths: ['p'] },
      stateUrl: 'postgresql://cloudexit_worker@10.41.0.5:5432/cloudexit_state?sslmode=require',
      plan: '/etc/cloudexit/plan.yaml',
      cloudexitPackage: 'cloudexit',
      nodeVersion: '24.11.1',
    });
    expect(await violations(userDataWithoutSecrets, args(INSTANCE, { userData }))).toEqual([]);
    expect(await violations(userDataWithoutSecrets, args(INSTANCE, {}))).toEqual([]);
  });
});

describe('worker-state-database-private', () => {
  it('passes a state database admitting the fleet network only, and private machines', async () => {
    const machine = resource(INSTANCE, 'emc2-workers-worker-0', { network: PRIVATE_NETWORK });
    expect(await stackViolations(stateDatabasePrivate, [fleet(), stateDb(), machine])).toEqual([]);
  });

  it('fails the internet, the warehouse range, no restriction, and a node off the private network', async () => {
    expect(
      await stackViolations(stateDatabasePrivate, [fleet(), stateDb({ ipRestrictions: [{ ip: '0.0.0.0/0' }] })]),
    ).toEqual([expect.stringMatching(/admits 0\.0\.0\.0\/0, outside the fleet network 10\.41\.0\.0\/24/)]);
    expect(
      await stackViolations(stateDatabasePrivate, [fleet(), stateDb({ ipRestrictions: [{ ip: '10.40.0.0/16' }] })]),
    ).toHaveLength(1);
    expect(await stackViolations(stateDatabasePrivate, [fleet(), stateDb({ ipRestrictions: [] })])).toEqual([
      expect.stringMatching(/declares no IP restriction/),
    ]);
    expect(
      await stackViolations(stateDatabasePrivate, [fleet(), stateDb({ nodes: [{ region: 'EU-WEST-PAR' }] })]),
    ).toEqual([expect.stringMatching(/node outside the fleet's private network/)]);
  });

  it('fails a machine of the fleet with a public interface or without the private network', async () => {
    const open = resource(INSTANCE, 'emc2-workers-state-db', { network: { ...PRIVATE_NETWORK, public: true } });
    const off = resource(INSTANCE, 'emc2-workers-worker-1', { network: { public: false } });
    expect(await stackViolations(stateDatabasePrivate, [fleet(), open, off])).toEqual([
      expect.stringMatching(/emc2-workers-state-db has a public interface/),
      expect.stringMatching(/emc2-workers-worker-1 is not on the fleet's private network/),
    ]);
  });
});

describe('worker-state-database-placement', () => {
  it('fails a managed state where the managed offer is not listed as qualified, naming the region', async () => {
    expect(await stackViolations(stateDatabasePlacement, [fleet({ stateDatabase: 'managed' }), stateDb()])).toEqual([
      expect.stringMatching(
        /^no SecNumCloud-qualified managed PostgreSQL is listed for region EU-WEST-PAR: run the worker state/,
      ),
    ]);
    // A managed database under a fleet that claims to host the state itself is caught too.
    expect(await stackViolations(stateDatabasePlacement, [fleet(), stateDb()])).toHaveLength(1);
  });

  it('passes the state on a fleet machine, and the managed offer where config lists the region', async () => {
    expect(await stackViolations(stateDatabasePlacement, [fleet()])).toEqual([]);
    expect(
      await stackViolations(stateDatabasePlacement, [fleet({ stateDatabase: 'managed' }), stateDb()], {
        qualifiedManagedPostgresRegions: ['EU-WEST-PAR'],
      }),
    ).toEqual([]);
  });
});

describe('worker-state-database-location (advisory)', () => {
  it('says where the state runs and why', async () => {
    expect(stateDatabaseLocation.enforcementLevel).toBe('advisory');
    expect(await stackViolations(stateDatabaseLocation, [fleet()])).toEqual([
      'emc2-workers: the worker state runs on a fleet machine in EU-WEST-PAR: ' +
        'no SecNumCloud-qualified managed PostgreSQL is listed there',
    ]);
    expect(
      await stackViolations(stateDatabaseLocation, [fleet({ stateDatabase: 'managed', region: 'GRA' })], {
        qualifiedManagedPostgresRegions: ['GRA'],
      }),
    ).toEqual(['emc2-workers: the worker state runs on the managed PostgreSQL in GRA, listed as qualified']);
  });
});
