/**
 * Values the cloud would compute (ids, endpoints, key URIs), invented for runs under
 * `pulumi.runtime.setMocks`: the offline parity check and the tests. They only need to
 * be well-formed; nothing here is ever sent anywhere. The shapes follow the providers'
 * output types.
 */

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
const TENANT = '11111111-1111-1111-1111-111111111111';

/** Result of the provider functions the programs call (`args`: the call's inputs). */
export function mockCall(token: string, args: Record<string, unknown> = {}): Record<string, unknown> {
  const catalogue = catalogueMockCall(token, args);
  if (catalogue) return catalogue;
  if (token === 'azure-native:authorization:getClientConfig') {
    return {
      subscriptionId: SUBSCRIPTION,
      tenantId: TENANT,
      clientId: '22222222-2222-2222-2222-222222222222',
      objectId: '33333333-3333-3333-3333-333333333333',
    };
  }
  return {};
}

function str(inputs: Record<string, unknown>, key: string, fallback: string): string {
  const v = inputs[key];
  return typeof v === 'string' && v !== '' ? v : fallback;
}

/** Computed outputs of a resource, merged over its inputs by the mock monitor. */
export function mockOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  if (type.startsWith('azure-native:')) return azureOutputs(type, name, inputs);
  if (type.startsWith('ovh:')) return ovhOutputs(type, name, inputs);
  return {};
}

function azureOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const [, module, kind] = type.split(':');
  const id = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/${module}/${kind}/${name}`;
  switch (type) {
    case 'azure-native:resources:ResourceGroup':
      return {
        id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${str(inputs, 'resourceGroupName', name)}`,
        name: str(inputs, 'resourceGroupName', name),
      };
    case 'azure-native:storage:StorageAccount': {
      const account = str(inputs, 'accountName', 'mockaccount');
      return {
        id,
        name: account,
        primaryEndpoints: {
          blob: `https://${account}.blob.core.windows.net/`,
          dfs: `https://${account}.dfs.core.windows.net/`,
        },
      };
    }
    case 'azure-native:keyvault:Vault':
      return {
        id,
        name,
        properties: { ...(inputs['properties'] as object), vaultUri: `https://${name}.vault.azure.net/` },
      };
    case 'azure-native:keyvault:Key': {
      const uri = `https://vault.vault.azure.net/keys/${str(inputs, 'keyName', name)}`;
      return {
        id,
        name: str(inputs, 'keyName', name),
        keyUri: uri,
        keyUriWithVersion: `${uri}/00000000000000000000000000000000`,
      };
    }
    case 'azure-native:managedidentity:UserAssignedIdentity':
      return {
        id,
        name,
        principalId: '44444444-4444-4444-4444-444444444444',
        clientId: '55555555-5555-5555-5555-555555555555',
      };
    case 'azure-native:dbforpostgresql:Server':
      return { id, name, fullyQualifiedDomainName: `${name}.postgres.database.azure.com` };
    default:
      return { id, name: str(inputs, 'name', name) };
  }
}

function ovhOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case 'ovh:CloudProject/database:Database':
      return {
        endpoints: [
          {
            component: 'postgresql',
            domain: `${name}.database.cloud.ovh.net`,
            port: 20184,
            scheme: 'postgresql',
            ssl: true,
            sslMode: 'require',
            path: '',
            uri: '',
          },
        ],
      };
    case 'ovh:CloudProject/networkPrivate:NetworkPrivate': {
      const regions = Array.isArray(inputs['regions']) ? (inputs['regions'] as string[]) : [];
      return {
        regionsAttributes: regions.map((region) => ({
          region,
          openstackid: `openstack-${name}-${region}`,
          status: 'ACTIVE',
        })),
      };
    }
    case 'ovh:CloudProject/s3Credential:S3Credential':
      return { accessKeyId: 'MOCKACCESSKEYID', secretAccessKey: 'mock-secret-access-key-never-real' };
    case 'ovh:Dbaas/logsOutputGraylogStream:LogsOutputGraylogStream':
      return { streamId: `${name}-stream` };
    default:
      return {};
  }
}

/**
 * What `pulumi.runtime.setMocks` answers for the two look-ups, so the fleet can be declared
 * offline (tests, and `cloudexit parity` through `mockCall`).
 */
function catalogueMockCall(token: string, args: Record<string, unknown>): Record<string, unknown> | undefined {
  const region = typeof args['region'] === 'string' ? args['region'] : 'REGION';
  if (token === 'ovh:CloudProject/getFlavors:getFlavors') {
    const name = typeof args['nameFilter'] === 'string' ? args['nameFilter'] : 'b3-16';
    return { flavors: [{ id: `flavor-${name}-${region}`, name, available: true }] };
  }
  if (token === 'ovh:CloudProject/getImages:getImages')
    return {
      images: [
        { id: `image-debian-12-old-${region}`, name: 'Debian 12', status: 'active', creationDate: '2025-01-01' },
        { id: `image-debian-12-${region}`, name: 'Debian 12', status: 'active', creationDate: '2026-06-01' },
      ],
    };
  return undefined;
}
