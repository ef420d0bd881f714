/**
 * Declares the warehouse of a spec on OVHcloud Public Cloud, concern by concern (keys,
 * network, buckets, migration user, PostgreSQL, log forwarding), as children of a given
 * component. `OvhWarehouse` is the thin component around it.
 */
import * as pulumi from '@pulumi/pulumi';
import { CloudProjectStorageObjectBucketLifecycleConfiguration } from '@ovhcloud/pulumi-ovh/cloudProjectStorageObjectBucketLifecycleConfiguration.js';
import { Database } from '@ovhcloud/pulumi-ovh/cloudproject/database.js';
import { NetworkPrivate } from '@ovhcloud/pulumi-ovh/cloudproject/networkPrivate.js';
import { NetworkPrivateSubnet } from '@ovhcloud/pulumi-ovh/cloudproject/networkPrivateSubnet.js';
import { S3Credential } from '@ovhcloud/pulumi-ovh/cloudproject/s3credential.js';
import { S3Policy } from '@ovhcloud/pulumi-ovh/cloudproject/s3policy.js';
import { Storage } from '@ovhcloud/pulumi-ovh/cloudproject/storage.js';
import { User } from '@ovhcloud/pulumi-ovh/cloudproject/user.js';
import { DatabaseInstance } from '@ovhcloud/pulumi-ovh/cloudprojectdatabase/databaseInstance.js';
import { LogSubscription } from '@ovhcloud/pulumi-ovh/cloudprojectdatabase/logSubscription.js';
import { PostgresSqlUser } from '@ovhcloud/pulumi-ovh/cloudprojectdatabase/postgresSqlUser.js';
import { LogsOutputGraylogStream } from '@ovhcloud/pulumi-ovh/dbaas/logsOutputGraylogStream.js';
import { Okms } from '@ovhcloud/pulumi-ovh/okms/okms.js';
import { ServiceKey } from '@ovhcloud/pulumi-ovh/okms/serviceKey.js';
import { CloudProject as VrackCloudProject } from '@ovhcloud/pulumi-ovh/vrack/cloudProject.js';
import { bucketName, type WarehouseSpec, type WorkerFleetSpec } from '../warehouse/spec.ts';
import { bucketArgs, databaseArgs, lifecycleArgs, migrationPolicyArgs, subnetArgs } from './ovh-args.ts';
import { regionalNetworkId } from './ovh-network.ts';
import type { WarehouseOutputs } from './outputs.ts';
import type { OvhSettings, QualificationEvidence } from './settings.ts';
import { WorkerFleet } from './worker-fleet.ts';
import type { MigrationCredentials } from './migration-credentials.ts';

export interface OvhWarehouseArgs {
  /** The host-neutral warehouse description (stacks/warehouse.yaml). */
  spec: WarehouseSpec;
  /** Project, region, vRack and service names of this stack (`cloudexit:ovh` in the stack file). */
  settings: OvhSettings;
  /**
   * SecNumCloud qualification evidence from the stack config. Passed to the engine as a
   * component input so the policy pack can refuse a target that declares none.
   * @default undefined
   */
  qualification?: QualificationEvidence | undefined;
}

export type { MigrationCredentials } from './migration-credentials.ts';

/** What the OVHcloud warehouse gives its stack. */
export interface OvhWarehouseOutputs {
  /** Endpoints, names and key ids, in the shape shared with the Azure stack. */
  outputs: pulumi.Output<WarehouseOutputs>;
  /** For the copy engine; exported as secrets, never printed. */
  migrationCredentials: MigrationCredentials;
}

/** The component, names and settings every part of the warehouse is declared with. */
interface OvhScope {
  name: string;
  parent: pulumi.Resource;
  spec: WarehouseSpec;
  settings: OvhSettings;
}

/**
 * Declares every resource of the warehouse as a child of `parent`, each named
 * `${name}-purpose`, and returns the outputs in the shape shared with the Azure stack.
 */
export function createOvhWarehouse(name: string, args: OvhWarehouseArgs, parent: pulumi.Resource): OvhWarehouseOutputs {
  const scope: OvhScope = { name, parent, spec: args.spec, settings: args.settings };
  const { kms, dataKey } = declareKeys(scope);
  const network = declareNetwork(scope);
  const buckets = declareBuckets(scope);
  const migrationCredentials = declareMigrationUser(scope, buckets);
  const database = declarePostgres(scope, network);
  declareLogForwarding(scope, database);
  if (args.spec.workers)
    declareWorkerFleet(scope, args.spec.workers, { kms, vrack: network.attachment, migrationCredentials });
  const outputs = pulumi.all([database.endpoints, dataKey.id]).apply(([endpoints, keyId]) => {
    const pg = endpoints?.find((e) => e.component === 'postgresql') ?? endpoints?.[0];
    return ovhOutputs(args.spec, args.settings, pg?.domain ?? '', pg?.port ?? 5432, keyId);
  });
  return { outputs, migrationCredentials };
}

/**
 * OKMS holds a customer key. Buckets cannot reference it through this provider; it is
 * there for client-side encryption and for when the provider can.
 */
function declareKeys({ name, parent, spec, settings }: OvhScope): { kms: Okms; dataKey: ServiceKey } {
  const kms = new Okms(
    `${name}-kms`,
    { ovhSubsidiary: settings.ovhSubsidiary, region: settings.okmsRegion, displayName: `${spec.name} warehouse keys` },
    { parent },
  );
  const dataKey = new ServiceKey(
    `${name}-data-key`,
    { okmsId: kms.id, name: `${spec.name}-data`, type: 'oct', size: 256, operations: ['encrypt', 'decrypt'] },
    { parent },
  );
  return { kms, dataKey };
}

/** The project in the vRack, one private network without a gateway. */
function declareNetwork({ name, parent, spec, settings }: OvhScope): {
  subnet: NetworkPrivateSubnet;
  regionalNetworkId: pulumi.Output<string>;
  attachment: VrackCloudProject;
} {
  const serviceName = settings.projectId;
  const attachment = new VrackCloudProject(
    `${name}-vrack`,
    { serviceName: settings.vrackId, projectId: serviceName },
    { parent },
  );
  const net = new NetworkPrivate(
    `${name}-network`,
    { serviceName, name: `${spec.name}-private`, vlanId: settings.vlanId, regions: [settings.region] },
    { parent, dependsOn: [attachment] },
  );
  const subnet = new NetworkPrivateSubnet(`${name}-subnet`, subnetArgs(spec, settings, net.id), { parent });
  return { subnet, regionalNetworkId: regionalNetworkId(net, settings.region), attachment };
}

/**
 * The worker fleet of issue 13 next to the target. The state password of a fleet-hosted
 * database is a Pulumi secret of the stack (`cloudexit:workerStatePassword`): the provider
 * generates one only for managed database users.
 */
function declareWorkerFleet(
  { name, parent, spec, settings }: OvhScope,
  fleet: WorkerFleetSpec,
  {
    kms,
    vrack,
    migrationCredentials,
  }: { kms: Okms; vrack: VrackCloudProject; migrationCredentials: MigrationCredentials },
): WorkerFleet {
  return new WorkerFleet(
    `${name}-workers`,
    {
      spec,
      fleet,
      settings,
      okms: { id: kms.id, restEndpoint: kms.restEndpoint, urn: kms.iam.apply((iam) => iam?.urn ?? '') },
      targetCredentials: migrationCredentials,
      statePassword: new pulumi.Config('cloudexit').getSecret('workerStatePassword'),
      vrackAttachment: vrack,
    },
    { parent },
  );
}

/** One bucket per dataset, with its lifecycle rules. */
function declareBuckets({ name, parent, spec, settings }: OvhScope): Storage[] {
  return spec.datasets.map((dataset) => {
    const bucket = new Storage(`${name}-bucket-${dataset.name}`, bucketArgs(spec, dataset, settings), { parent });
    new CloudProjectStorageObjectBucketLifecycleConfiguration(
      `${name}-lifecycle-${dataset.name}`,
      lifecycleArgs(spec, dataset, settings),
      { parent, dependsOn: [bucket] },
    );
    return bucket;
  });
}

/** The migration user: S3 access to these buckets only. */
function declareMigrationUser({ name, parent, spec, settings }: OvhScope, buckets: Storage[]): MigrationCredentials {
  const serviceName = settings.projectId;
  const user = new User(
    `${name}-migration-user`,
    { serviceName, description: `${spec.name} migration (cloudexit)`, roleNames: ['objectstore_operator'] },
    { parent, additionalSecretOutputs: ['password', 'openstackRc'] },
  );
  const credential = new S3Credential(
    `${name}-migration-s3-credential`,
    { serviceName, userId: user.id },
    { parent, additionalSecretOutputs: ['secretAccessKey'] },
  );
  new S3Policy(`${name}-migration-s3-policy`, migrationPolicyArgs(spec, settings, user.id), {
    parent,
    dependsOn: buckets,
  });
  return {
    accessKeyId: pulumi.secret(credential.accessKeyId),
    secretAccessKey: pulumi.secret(credential.secretAccessKey),
  };
}

/** PostgreSQL on the private network only, with the spec's databases and a migration user. */
function declarePostgres(
  { name, parent, spec, settings }: OvhScope,
  network: { subnet: NetworkPrivateSubnet; regionalNetworkId: pulumi.Output<string> },
): Database {
  const serviceName = settings.projectId;
  const database = new Database(
    `${name}-postgres`,
    databaseArgs(spec, settings, { networkId: network.regionalNetworkId, subnetId: network.subnet.id }),
    { parent },
  );
  for (const db of spec.postgres.databases) {
    new DatabaseInstance(
      `${name}-db-${db.name.replaceAll('_', '-')}`,
      { serviceName, clusterId: database.id, engine: 'postgresql', name: db.name },
      { parent },
    );
  }
  new PostgresSqlUser(
    `${name}-postgres-migration-user`,
    { serviceName, clusterId: database.id, name: `${spec.name}_migration` },
    { parent, additionalSecretOutputs: ['password'] },
  );
  return database;
}

/**
 * Database logs to Logs Data Platform. The provider offers no access logging for
 * buckets; parity reports it.
 */
function declareLogForwarding({ name, parent, spec, settings }: OvhScope, database: Database): void {
  const stream = new LogsOutputGraylogStream(
    `${name}-audit-stream`,
    {
      serviceName: settings.logsServiceName,
      title: `${spec.name}-audit`,
      description: `${spec.name} warehouse audit logs (cloudexit)`,
    },
    { parent },
  );
  new LogSubscription(
    `${name}-audit-postgres`,
    {
      serviceName: settings.projectId,
      clusterId: database.id,
      engine: 'postgresql',
      kind: 'customer_logs',
      streamId: stream.streamId,
    },
    { parent },
  );
}

/** The shared output shape, from the values only known after deployment. */
function ovhOutputs(
  spec: WarehouseSpec,
  settings: Pick<OvhSettings, 'region' | 's3Endpoint'>,
  postgresHost: string,
  postgresPort: number,
  keyId: string,
): WarehouseOutputs {
  const databases = spec.postgres.databases.map((d) => d.name);
  return {
    host: 'ovh',
    region: settings.region,
    datasets: Object.fromEntries(
      spec.datasets.map((d) => [
        d.name,
        { endpoint: settings.s3Endpoint, container: bucketName(spec, d), prefix: d.prefix },
      ]),
    ),
    database: { host: postgresHost, port: postgresPort, name: databases[0] ?? '', databases },
    // The managed database offers no customer key through this provider.
    keys: { storage: keyId, database: 'provider-managed' },
  };
}
