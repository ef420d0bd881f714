/**
 * Declares the worker fleet as children of a component: its network and gateway, the
 * PostgreSQL state (managed, or on a machine of the fleet), OKMS access for each machine,
 * the worker environment as an OKMS secret, and the worker machines. `WorkerFleet` is the
 * thin component around it.
 */
import * as pulumi from '@pulumi/pulumi';
import { Database } from '@ovhcloud/pulumi-ovh/cloudproject/database.js';
import { Gateway } from '@ovhcloud/pulumi-ovh/cloudproject/gateway.js';
import { getFlavorsOutput } from '@ovhcloud/pulumi-ovh/cloudproject/getFlavors.js';
import { getImagesOutput } from '@ovhcloud/pulumi-ovh/cloudproject/getImages.js';
import { Instance } from '@ovhcloud/pulumi-ovh/cloudproject/instance.js';
import { NetworkPrivate } from '@ovhcloud/pulumi-ovh/cloudproject/networkPrivate.js';
import { NetworkPrivateSubnet } from '@ovhcloud/pulumi-ovh/cloudproject/networkPrivateSubnet.js';
import { DatabaseInstance } from '@ovhcloud/pulumi-ovh/cloudprojectdatabase/databaseInstance.js';
import { LogSubscription } from '@ovhcloud/pulumi-ovh/cloudprojectdatabase/logSubscription.js';
import { PostgresSqlUser } from '@ovhcloud/pulumi-ovh/cloudprojectdatabase/postgresSqlUser.js';
import { LogsOutputGraylogStream } from '@ovhcloud/pulumi-ovh/dbaas/logsOutputGraylogStream.js';
import { Policy } from '@ovhcloud/pulumi-ovh/iam/policy.js';
import { APIOAuth2Client } from '@ovhcloud/pulumi-ovh/me/apioauth2Client.js';
import { Credential } from '@ovhcloud/pulumi-ovh/okms/credential.js';
import { Secret } from '@ovhcloud/pulumi-ovh/okms/secret.js';
import { regionalNetworkId } from './ovh-network.ts';
import {
  fleetAddresses,
  fleetInstanceArgs,
  fleetSubnetArgs,
  secretPaths,
  STATE_DATABASE,
  STATE_ROLE,
  stateDatabaseArgs,
  stateUrl,
  workerEnvironment,
} from './worker-fleet-args.ts';
import { pickFlavorId, pickImageId } from './worker-fleet-catalogue.ts';
import { renderStateDatabaseUserData, renderWorkerUserData, type OkmsCoordinates } from './worker-fleet-cloud-init.ts';
import { stateDatabaseSize, statePlacement, workerFlavor, type StatePlacement } from './worker-fleet-placement.ts';
import type { WorkerFleetArgs } from './worker-fleet-args.ts';

/** What the fleet gives its stack. */
export interface WorkerFleetOutputs {
  /** Where the state runs, and the `--state` URL (no password in it). */
  state: { placement: StatePlacement; url: pulumi.Output<string> };
  /** Names of the worker machines. */
  workers: pulumi.Output<string>[];
  /**
   * OKMS access certificate and key of each machine (workers, then the state database's),
   * to install once over SSH (docs/infra.md). Secrets.
   */
  okmsAccess: pulumi.Output<{ machine: string; certificatePem: string; privateKeyPem: string }[]>;
}

interface FleetScope extends WorkerFleetArgs {
  name: string;
  parent: pulumi.Resource;
}

interface FleetNetwork {
  networkId: pulumi.Output<string>;
  subnetId: pulumi.Output<string>;
  gatewayId: pulumi.Output<string>;
}

/** Every resource of the fleet, each named `${name}-purpose`. */
export function createWorkerFleet(name: string, args: WorkerFleetArgs, parent: pulumi.Resource): WorkerFleetOutputs {
  const scope: FleetScope = { ...args, name, parent };
  const placement = statePlacement(args.fleet.stateDatabase, args.settings.region, args.qualifiedManagedRegions);
  const network = declareFleetNetwork(scope);
  const identity = declareOkmsIdentity(scope);
  const catalogue = lookUpCatalogue(scope);
  const machines = Array.from({ length: args.fleet.count }, (_, i) => `${name}-worker-${i}`);
  if (placement === 'instance') machines.push(`${name}-state-db`);
  const okmsAccess = machines.map((machine) => declareOkmsAccess(scope, identity, machine));
  const paths = secretPaths(args.spec);
  const okms = okmsCoordinates(scope, [paths.environment], [paths.source]);
  const state =
    placement === 'managed'
      ? declareManagedState(scope, network)
      : declareInstanceState(scope, network, catalogue, okmsCoordinates(scope, [paths.stateRole], []));
  declareEnvironmentSecret(scope, state.password);
  const workers = declareWorkers(scope, network, catalogue.worker, okms, state);
  return {
    state: { placement, url: state.url },
    workers,
    okmsAccess: pulumi.secret(pulumi.all(okmsAccess)),
  };
}

/** The worker machines, created once the state they point at exists. */
function declareWorkers(
  { name, parent, spec, fleet, settings, nodeVersion }: FleetScope,
  network: FleetNetwork,
  image: { flavorId: pulumi.Output<string>; imageId: pulumi.Output<string> },
  okms: pulumi.Output<OkmsCoordinates>,
  state: DeclaredState,
): pulumi.Output<string>[] {
  const userData = pulumi.all([state.url, okms]).apply(([url, coordinates]) =>
    renderWorkerUserData({
      okms: coordinates,
      stateUrl: url,
      plan: fleet.plan,
      cloudexitPackage: fleet.package,
      nodeVersion: nodeVersion ?? DEFAULT_NODE_VERSION,
    }),
  );
  return Array.from({ length: fleet.count }, (_, i) => {
    const instance = new Instance(
      `${name}-worker-${i}`,
      fleetInstanceArgs(settings, { name: `${spec.name}-worker-${i}`, ...image, ...network, userData }),
      { parent, dependsOn: state.ready },
    );
    return instance.name;
  });
}

/**
 * Node release the machines install (a Node 24 LTS).
 * @default "24.11.1"
 */
export const DEFAULT_NODE_VERSION = '24.11.1';
/** @default "Debian 12" */
export const DEFAULT_IMAGE = 'Debian 12';

/** Instance backups of the state machine (OVHcloud workflow backups, kept in the region). */
export const STATE_MACHINE_BACKUP = { cron: '0 */6 * * *', rotation: 28 };

/** Its own private network with a managed gateway: egress for the copy, nothing inbound. */
function declareFleetNetwork({
  name,
  parent,
  spec,
  fleet,
  settings,
  vlanId,
  vrackAttachment,
}: FleetScope): FleetNetwork {
  const net = new NetworkPrivate(
    `${name}-network`,
    {
      serviceName: settings.projectId,
      name: `${spec.name}-workers`,
      vlanId: vlanId ?? settings.vlanId + 1,
      regions: [settings.region],
    },
    { parent, dependsOn: vrackAttachment ? [vrackAttachment] : [] },
  );
  const subnet = new NetworkPrivateSubnet(`${name}-subnet`, fleetSubnetArgs(fleet, settings, net.id), { parent });
  const networkId = regionalNetworkId(net, settings.region);
  const gateway = new Gateway(
    `${name}-gateway`,
    { serviceName: settings.projectId, region: settings.region, model: 's', networkId, subnetId: subnet.id },
    { parent },
  );
  return { networkId, subnetId: subnet.id, gatewayId: gateway.id };
}

/** One service account the machines act as, allowed to read the fleet's OKMS secrets and nothing else. */
function declareOkmsIdentity({ name, parent, spec, okms }: FleetScope): pulumi.Output<string> {
  const client = new APIOAuth2Client(
    `${name}-identity`,
    {
      name: `${spec.name}-workers`,
      description: `${spec.name} cloudexit workers (OKMS read)`,
      flow: 'CLIENT_CREDENTIALS',
    },
    { parent, additionalSecretOutputs: ['clientSecret'] },
  );
  new Policy(
    `${name}-okms-read`,
    {
      name: `${spec.name}-workers-okms-read`,
      description: `${spec.name} cloudexit workers read their environment from OKMS`,
      identities: [client.identity],
      resources: [okms.urn],
      allows: ['okms:apikms:secret/get', 'okms:apikms:secret/version/getData'],
    },
    { parent },
  );
  return client.identity;
}

/** A certificate per machine, so one machine can be cut off without touching the others. */
function declareOkmsAccess(
  { parent, okms }: FleetScope,
  identity: pulumi.Output<string>,
  machine: string,
): pulumi.Output<{ machine: string; certificatePem: string; privateKeyPem: string }> {
  const credential = new Credential(
    `${machine}-okms-access`,
    { okmsId: okms.id, identityUrns: [identity], name: machine, description: `cloudexit ${machine}`, validity: 365 },
    { parent, additionalSecretOutputs: ['privateKeyPem'] },
  );
  return pulumi
    .all([credential.certificatePem, credential.privateKeyPem])
    .apply(([certificatePem, privateKeyPem]) => ({ machine, certificatePem, privateKeyPem }));
}

function lookUpCatalogue({ settings, fleet, image }: FleetScope): {
  worker: { flavorId: pulumi.Output<string>; imageId: pulumi.Output<string> };
  stateDatabase: { flavorId: pulumi.Output<string>; imageId: pulumi.Output<string> };
} {
  const { projectId: serviceName, region } = settings;
  const imageName = image ?? DEFAULT_IMAGE;
  const imageId = getImagesOutput({ serviceName, region, osType: 'linux' }).apply((r) =>
    pickImageId(r.images, imageName, region),
  );
  const flavorId = (flavor: string) =>
    getFlavorsOutput({ serviceName, region, nameFilter: flavor }).apply((r) => pickFlavorId(r.flavors, flavor, region));
  return {
    worker: { flavorId: flavorId(workerFlavor(fleet.size)), imageId },
    stateDatabase: { flavorId: flavorId(workerFlavor(stateDatabaseSize(fleet.count))), imageId },
  };
}

/** What a machine reads from OKMS: `required` before it starts, `optional` when present. */
function okmsCoordinates(
  { settings, okms }: FleetScope,
  required: string[],
  optional: string[],
): pulumi.Output<OkmsCoordinates> {
  return pulumi.all([okms.id, okms.restEndpoint]).apply(([okmsId, endpoint]) => ({
    // The provider reports the endpoint after creation; under mocks it is the region's.
    endpoint: endpoint || `https://${settings.okmsRegion}.okms.ovh.net`,
    okmsId,
    secretPaths: required,
    optionalSecretPaths: optional,
  }));
}

interface DeclaredState {
  url: pulumi.Output<string>;
  password: pulumi.Output<string>;
  /** What the workers wait for before they are created. */
  ready: pulumi.Resource[];
}

function declareManagedState(
  { name, parent, spec, fleet, settings }: FleetScope,
  network: FleetNetwork,
): DeclaredState {
  const serviceName = settings.projectId;
  const cluster = new Database(`${name}-state-postgres`, stateDatabaseArgs(spec, fleet, settings, network), { parent });
  const database = new DatabaseInstance(
    `${name}-state-database`,
    { serviceName, clusterId: cluster.id, engine: 'postgresql', name: STATE_DATABASE },
    { parent },
  );
  const user = new PostgresSqlUser(
    `${name}-state-user`,
    { serviceName, clusterId: cluster.id, name: STATE_ROLE },
    { parent, additionalSecretOutputs: ['password'] },
  );
  const stream = new LogsOutputGraylogStream(
    `${name}-state-audit-stream`,
    {
      serviceName: settings.logsServiceName,
      title: `${spec.name}-workers-state`,
      description: `${spec.name} worker state database logs (cloudexit)`,
    },
    { parent },
  );
  new LogSubscription(
    `${name}-state-audit`,
    { serviceName, clusterId: cluster.id, engine: 'postgresql', kind: 'customer_logs', streamId: stream.streamId },
    { parent },
  );
  const url = cluster.endpoints.apply((endpoints) => {
    const pg = endpoints?.find((e) => e.component === 'postgresql') ?? endpoints?.[0];
    return stateUrl(pg?.domain ?? '', pg?.port ?? 5432);
  });
  return { url, password: pulumi.secret(user.password), ready: [database, user] };
}

function declareInstanceState(
  scope: FleetScope,
  network: FleetNetwork,
  catalogue: ReturnType<typeof lookUpCatalogue>,
  okms: pulumi.Output<OkmsCoordinates>,
): DeclaredState {
  const { parent, spec, fleet, settings, statePassword } = scope;
  if (statePassword === undefined)
    throw new Error(
      `the worker state runs on a fleet machine in ${settings.region} ` +
        '(no qualified managed PostgreSQL there) and needs a password: ' +
        'pulumi config set --secret cloudexit:workerStatePassword "$(openssl rand -base64 32)"',
    );
  const address = fleetAddresses(fleet.cidr).stateDatabase;
  const userData = okms.apply((coordinates) =>
    renderStateDatabaseUserData({
      okms: coordinates,
      fleetCidr: fleet.cidr,
      listenAddress: address,
      role: STATE_ROLE,
      database: STATE_DATABASE,
      maxConnections: stateDatabaseSize(fleet.count).maxConnections,
    }),
  );
  const machine = new Instance(
    `${scope.name}-state-db`,
    {
      ...fleetInstanceArgs(settings, {
        name: `${spec.name}-workers-state-db`,
        ...catalogue.stateDatabase,
        ...network,
        userData,
        ip: address,
      }),
      // The ledger is the proof of what was copied: a snapshot every 6 hours, a week of them kept.
      autoBackup: STATE_MACHINE_BACKUP,
    },
    { parent },
  );
  const password = pulumi.secret(statePassword);
  new Secret(
    `${scope.name}-state-role`,
    {
      okmsId: scope.okms.id,
      path: secretPaths(spec).stateRole,
      version: { data: pulumi.secret(pulumi.output(password).apply((pw) => JSON.stringify({ PGPASSWORD: pw }))) },
    },
    { parent, additionalSecretOutputs: ['version'] },
  );
  return { url: pulumi.output(stateUrl(address, 5432)), password, ready: [machine] };
}

/** The environment the machines fetch at boot; Pulumi keeps it encrypted in the state. */
function declareEnvironmentSecret(
  { name, parent, spec, okms, targetCredentials }: FleetScope,
  password: pulumi.Output<string>,
): Secret {
  const data = pulumi
    .all([password, targetCredentials.accessKeyId, targetCredentials.secretAccessKey])
    .apply(([statePassword, targetAccessKeyId, targetSecretAccessKey]) =>
      workerEnvironment({ statePassword, targetAccessKeyId, targetSecretAccessKey }),
    );
  return new Secret(
    `${name}-environment`,
    { okmsId: okms.id, path: secretPaths(spec).environment, version: { data: pulumi.secret(data) } },
    { parent, additionalSecretOutputs: ['version'] },
  );
}
