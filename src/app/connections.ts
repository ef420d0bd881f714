/**
 * The edge where concrete adapters meet the engine: plan endpoints plus secrets from the
 * environment become `ObjectStore`s. This is the only module that imports an adapter
 * (`stores/azure-blob.ts`, `stores/s3.ts`); nothing else in cloudexit names a cloud SDK.
 */
import { UserError } from '../errors.ts';
import type { AzureBlobEndpoint, ObjectDataset, S3Endpoint } from '../plan/schema.ts';
import type { EngineDataset } from '../engine/context.ts';
import { registerSecret } from '../secrets/redact.ts';
import type { AzureCredential } from '../stores/azure-blob.ts';

/** How to reach the source and the target, secrets included; built from a plan or by the rehearsal. */
export interface Connections {
  source: { endpoint: string; credential: AzureCredential };
  target: {
    endpoint: string;
    region: string;
    forcePathStyle: boolean;
    flexibleChecksums: boolean;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
}

/** Reads the secrets a plan names from `env`, failing with the variable to set. */
export function connectionsFromPlan(
  source: AzureBlobEndpoint,
  target: S3Endpoint,
  env: NodeJS.ProcessEnv = process.env,
): Connections {
  const secret = (name: string, what: string): string => {
    const value = env[name];
    if (!value) {
      throw new UserError(`the environment variable ${name} is not set; it must hold ${what}`, {
        fix: `export ${name}=… (or run \`npm start\` for a rehearsal that needs no account)`,
      });
    }
    registerSecret(value);
    return value;
  };
  const auth = source.auth;
  const credential: AzureCredential =
    auth.method === 'sas'
      ? { kind: 'sas', sasToken: secret(auth.sasTokenEnv, 'the SAS token of the source storage account') }
      : auth.method === 'key'
        ? {
            kind: 'key',
            accountName: auth.accountName,
            accountKey: secret(auth.accountKeyEnv, 'the source storage account key'),
          }
        : { kind: 'entra' };
  return {
    source: { endpoint: source.endpoint, credential },
    target: {
      endpoint: target.endpoint,
      region: target.region,
      forcePathStyle: target.forcePathStyle,
      flexibleChecksums: target.flexibleChecksums,
      credentials: {
        accessKeyId: secret(target.auth.accessKeyIdEnv, 'the access key id of the target S3 user'),
        secretAccessKey: secret(target.auth.secretAccessKeyEnv, 'the secret access key of the target S3 user'),
      },
    },
  };
}

/**
 * The engine's view of plan datasets: each with its own source container and target bucket.
 * The SDKs are loaded here, on first use, because they take seconds to import and
 * `--help` or a plan error should not wait for them.
 */
export async function engineDatasets(
  datasets: readonly ObjectDataset[],
  connections: Connections,
): Promise<EngineDataset[]> {
  const [{ createAzureBlobStore }, { createS3Store }] = await Promise.all([
    import('../stores/azure-blob.ts'),
    import('../stores/s3.ts'),
  ]);
  return datasets.map((dataset) => ({
    name: dataset.name,
    sourcePrefix: dataset.source.prefix,
    targetPrefix: dataset.target.prefix,
    source: createAzureBlobStore({ ...connections.source, container: dataset.source.container }),
    // The capabilities the adapter declares; the session replaces them with the probed ones
    // and the plan's word (target-capabilities.ts).
    target: createS3Store({ ...connections.target, bucket: dataset.target.bucket }),
  }));
}
