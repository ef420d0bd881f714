/**
 * The Azure warehouse's PostgreSQL flexible server: in its delegated subnet with a
 * private DNS zone, encrypted with the customer key, hardened by server parameters, with
 * the spec's databases and, when the stack names one, a Microsoft Entra administrator.
 */
import type * as pulumi from '@pulumi/pulumi';
import { AdministratorsMicrosoftEntra } from '@pulumi/azure-native/dbforpostgresql/administratorsMicrosoftEntra.js';
import { Configuration } from '@pulumi/azure-native/dbforpostgresql/configuration.js';
import { Database } from '@pulumi/azure-native/dbforpostgresql/database.js';
import { Server } from '@pulumi/azure-native/dbforpostgresql/server.js';
import { postgresPrivateZone } from './azure-network.ts';
import type { AzureNetwork } from './azure-network-resources.ts';
import { configurationArgs, databaseArgs, postgresIdentity, SERVER_PARAMETERS, serverArgs } from './azure-postgres.ts';
import type { AzureScope } from './azure-scope.ts';
import type { AzureKeys } from './azure-security-resources.ts';

export function declarePostgres(scope: AzureScope, keys: AzureKeys, network: AzureNetwork): Server {
  const { name, spec, resourceGroupName: rg, location, tags, client } = scope;
  const parent = { parent: scope.parent };
  const pgZone = network.zone('postgres', postgresPrivateZone(spec.name));
  const server = new Server(
    `${name}-postgres`,
    serverArgs(
      spec.postgres,
      {
        resourceGroupName: rg,
        location,
        delegatedSubnetId: network.postgresSubnet.id,
        privateDnsZoneId: pgZone.id,
        identityId: keys.identity.id,
        keyUriWithVersion: keys.databaseKey.keyUriWithVersion,
        tenantId: client.tenantId,
        tags,
      },
      keys.identity.id.apply(postgresIdentity),
    ),
    { ...parent, dependsOn: [keys.keyUser] },
  );
  // One parameter at a time: the server rejects concurrent configuration changes.
  let previous: pulumi.Resource = server;
  for (const p of SERVER_PARAMETERS) {
    previous = new Configuration(
      `${name}-postgres-param-${p.name.replaceAll('_', '-')}`,
      configurationArgs(rg, server.name, p.name, p.value),
      { ...parent, dependsOn: [previous] },
    );
  }
  for (const db of spec.postgres.databases) {
    new Database(`${name}-db-${db.name.replaceAll('_', '-')}`, databaseArgs(rg, server.name, db.name), {
      ...parent,
      dependsOn: [previous],
    });
  }
  const admin = scope.settings.postgresEntraAdmin;
  if (admin) {
    new AdministratorsMicrosoftEntra(
      `${name}-postgres-admin`,
      {
        resourceGroupName: rg,
        serverName: server.name,
        objectId: admin.objectId,
        principalName: admin.principalName,
        principalType: admin.principalType,
        tenantId: client.tenantId,
      },
      parent,
    );
  }
  return server;
}
