/**
 * Runs the real Pulumi program (src/infra/program.ts) under `pulumi.runtime.setMocks`
 * with a given stack configuration, and records every resource it declares. The mocks
 * are installed before the program module is imported (dynamic import), as the Pulumi
 * runtime requires.
 */
import * as pulumi from '@pulumi/pulumi';
import { mockCall, mockOutputs } from '../../src/infra/mocks.ts';
import type { WarehouseStack } from '../../src/infra/program.ts';

export const SPEC_FILE = new URL('../../stacks/warehouse.yaml', import.meta.url).pathname;

export interface Recorded {
  type: string;
  name: string;
  id: string;
  custom: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read provider inputs deep, shape by shape
  inputs: Record<string, any>;
}

export interface ProgramRun {
  resources: Recorded[];
  stack: WarehouseStack;
  /** Resolves an output to its value. */
  value<T>(output: pulumi.Output<T>): Promise<T>;
  ofType(type: string): Recorded[];
  one(type: string, name?: string): Recorded;
}

export async function runProgram(stack: string, config: Record<string, unknown>): Promise<ProgramRun> {
  const resources: Recorded[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const state = {
          ...args.inputs,
          ...mockOutputs(args.type, args.name, args.inputs),
          ...fleetMockOutputs(args.type, args.name),
        };
        const id = typeof state.id === 'string' ? state.id : `${args.name}-id`;
        resources.push({ type: args.type, name: args.name, id, custom: args.custom ?? true, inputs: args.inputs });
        return { id, state };
      },
      call: (args) => mockCall(args.token, args.inputs),
    },
    'cloudexit-warehouse',
    stack,
    false,
  );
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
  );
  const { default: main } = await import('../../src/infra/program.ts');
  const result = await main();
  const value = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply((v) => resolve(v)));
  await value(result.warehouse);
  const wait = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
  if (wait) await wait();
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  const one = (type: string, name?: string) => {
    const found = ofType(type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1)
      throw new Error(`expected one ${type}${name ? ` named ${name}` : ''}, found ${found.length}`);
    return found[0]!;
  };
  return { resources, stack: result, value, ofType, one };
}

/** Secret values the worker fleet's resources compute; each contains "mock-secret" so a test can look for it. */
export const FLEET_SECRET_MARK = 'mock-secret';

/** Computed outputs the worker fleet reads that src/infra/mocks.ts does not invent. */
function fleetMockOutputs(type: string, name: string): Record<string, unknown> {
  switch (type) {
    case 'ovh:CloudProjectDatabase/postgresSqlUser:PostgresSqlUser':
      return { password: `${FLEET_SECRET_MARK}-password-${name}` };
    case 'ovh:Okms/credential:Credential':
      return {
        certificatePem: `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----`,
        privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${FLEET_SECRET_MARK}-${name}\n-----END PRIVATE KEY-----`,
      };
    case 'ovh:Me/aPIOAuth2Client:APIOAuth2Client':
      return { identity: `urn:v1:eu:identity:credential:xx1111-ovh/oauth2-${name}`, clientSecret: FLEET_SECRET_MARK };
    case 'ovh:Okms/okms:Okms':
      return { iam: { urn: `urn:v1:eu:resource:okms:${name}` }, restEndpoint: 'https://eu-west-par.okms.ovh.net' };
    default:
      return {};
  }
}

export const AZURE_CONFIG = {
  'cloudexit:host': 'azure',
  'cloudexit:spec': SPEC_FILE,
  'cloudexit:azure': {
    location: 'francecentral',
    resourceGroupName: 'rg-emc2-prod',
    storageAccountName: 'hdhemc2prod',
    storageSku: 'Standard_ZRS',
    hierarchicalNamespace: true,
    privateEndpointSubnet: '10.40.1.0/24',
    postgresSubnet: '10.40.2.0/24',
    migrationPrincipalId: '66666666-6666-6666-6666-666666666666',
  },
};

export const QUALIFICATION = {
  offer: 'Example qualified offer (test fixture)',
  anssiReference: 'TEST-0000',
  date: '2025-01-15',
};

export const OVH_CONFIG = {
  'cloudexit:host': 'ovh',
  'cloudexit:spec': SPEC_FILE,
  'cloudexit:ovh': {
    projectId: '0123456789abcdef0123456789abcdef',
    vrackId: 'pn-123456',
    region: 'EU-WEST-PAR',
    s3Endpoint: 'https://s3.eu-west-par.io.cloud.ovh.net',
    vlanId: 40,
    dhcpStart: '10.40.0.10',
    dhcpEnd: '10.40.255.250',
    okmsRegion: 'eu-west-par',
    databasePlan: 'business',
    backupRegions: ['EU-WEST-PAR'],
    logsServiceName: 'ldp-ab-12345',
  },
  'cloudexit:qualification': QUALIFICATION,
};
