/**
 * Pure builders for the Azure private network: one virtual network, a subnet for private
 * endpoints, a subnet delegated to PostgreSQL, and the private DNS zones that make the
 * services' usual names resolve to private addresses inside the network.
 */
import type * as pulumi from '@pulumi/pulumi';
import type { PrivateEndpointArgs } from '@pulumi/azure-native/network/privateEndpoint.js';
import type { SubnetArgs } from '@pulumi/azure-native/network/subnet.js';
import type { VirtualNetworkArgs } from '@pulumi/azure-native/network/virtualNetwork.js';

/** Private DNS zone of each private-link service the warehouse uses. */
export const PRIVATE_LINK_ZONES = {
  blob: 'privatelink.blob.core.windows.net',
  dfs: 'privatelink.dfs.core.windows.net',
  vault: 'privatelink.vaultcore.azure.net',
} as const;
export type PrivateLinkGroup = keyof typeof PRIVATE_LINK_ZONES;

/** PostgreSQL flexible server with private access needs a zone ending in this suffix. */
export function postgresPrivateZone(warehouseName: string): string {
  return `${warehouseName}.private.postgres.database.azure.com`;
}

export function virtualNetworkArgs(
  resourceGroupName: pulumi.Input<string>,
  location: string,
  cidr: string,
  tags: Record<string, string>,
): VirtualNetworkArgs {
  return { resourceGroupName, location, addressSpace: { addressPrefixes: [cidr] }, tags };
}

export function endpointSubnetArgs(
  resourceGroupName: pulumi.Input<string>,
  virtualNetworkName: pulumi.Input<string>,
  cidr: string,
): SubnetArgs {
  return {
    resourceGroupName,
    virtualNetworkName,
    subnetName: 'private-endpoints',
    addressPrefix: cidr,
    // No implicit internet egress from the data subnets.
    defaultOutboundAccess: false,
    privateEndpointNetworkPolicies: 'Enabled',
  };
}

export function postgresSubnetArgs(
  resourceGroupName: pulumi.Input<string>,
  virtualNetworkName: pulumi.Input<string>,
  cidr: string,
): SubnetArgs {
  return {
    resourceGroupName,
    virtualNetworkName,
    subnetName: 'postgres',
    addressPrefix: cidr,
    defaultOutboundAccess: false,
    delegations: [{ name: 'postgres-flexible', serviceName: 'Microsoft.DBforPostgreSQL/flexibleServers' }],
  };
}

export function privateEndpointArgs(
  resourceGroupName: pulumi.Input<string>,
  location: string,
  subnetId: pulumi.Input<string>,
  serviceId: pulumi.Input<string>,
  group: PrivateLinkGroup,
  tags: Record<string, string>,
): PrivateEndpointArgs {
  return {
    resourceGroupName,
    location,
    subnet: { id: subnetId },
    privateLinkServiceConnections: [{ name: group, privateLinkServiceId: serviceId, groupIds: [group] }],
    tags,
  };
}
