/**
 * The Azure warehouse's private network: no service is reachable but through a private
 * endpoint or a delegated subnet, and private DNS zones make their usual names resolve
 * to private addresses inside the network.
 */
import type * as pulumi from '@pulumi/pulumi';
import { PrivateDnsZoneGroup } from '@pulumi/azure-native/network/privateDnsZoneGroup.js';
import { PrivateEndpoint } from '@pulumi/azure-native/network/privateEndpoint.js';
import { Subnet } from '@pulumi/azure-native/network/subnet.js';
import { VirtualNetwork } from '@pulumi/azure-native/network/virtualNetwork.js';
import { PrivateZone } from '@pulumi/azure-native/privatedns/privateZone.js';
import { VirtualNetworkLink } from '@pulumi/azure-native/privatedns/virtualNetworkLink.js';
import {
  endpointSubnetArgs,
  PRIVATE_LINK_ZONES,
  postgresSubnetArgs,
  privateEndpointArgs,
  virtualNetworkArgs,
  type PrivateLinkGroup,
} from './azure-network.ts';
import type { AzureScope } from './azure-scope.ts';

export interface AzureNetwork {
  /** The subnet delegated to PostgreSQL. */
  postgresSubnet: Subnet;
  /** A private DNS zone linked to the network, named `${name}-zone-${purpose}`. */
  zone(purpose: string, zoneName: string): PrivateZone;
  /** A private endpoint for `serviceId` in the endpoints subnet, with its DNS zone. */
  privateEndpoint(group: PrivateLinkGroup, serviceId: pulumi.Input<string>): void;
}

export function declareNetwork(scope: AzureScope): AzureNetwork {
  const { name, settings, resourceGroupName: rg, location, tags } = scope;
  const parent = { parent: scope.parent };
  const vnet = new VirtualNetwork(
    `${name}-vnet`,
    virtualNetworkArgs(rg, location, scope.spec.network.cidr, tags),
    parent,
  );
  const endpointSubnet = new Subnet(
    `${name}-endpoints-subnet`,
    endpointSubnetArgs(rg, vnet.name, settings.privateEndpointSubnet),
    parent,
  );
  const postgresSubnet = new Subnet(
    `${name}-postgres-subnet`,
    postgresSubnetArgs(rg, vnet.name, settings.postgresSubnet),
    { ...parent, dependsOn: [endpointSubnet] },
  );
  const zone = (purpose: string, zoneName: string) => {
    const z = new PrivateZone(
      `${name}-zone-${purpose}`,
      { resourceGroupName: rg, privateZoneName: zoneName, location: 'Global', tags },
      parent,
    );
    new VirtualNetworkLink(
      `${name}-zone-link-${purpose}`,
      {
        resourceGroupName: rg,
        privateZoneName: z.name,
        location: 'Global',
        registrationEnabled: false,
        virtualNetwork: { id: vnet.id },
        tags,
      },
      parent,
    );
    return z;
  };
  const privateEndpoint = (group: PrivateLinkGroup, serviceId: pulumi.Input<string>) => {
    const z = zone(group, PRIVATE_LINK_ZONES[group]);
    const pe = new PrivateEndpoint(
      `${name}-endpoint-${group}`,
      privateEndpointArgs(rg, location, endpointSubnet.id, serviceId, group, tags),
      parent,
    );
    new PrivateDnsZoneGroup(
      `${name}-endpoint-${group}-dns`,
      {
        resourceGroupName: rg,
        privateEndpointName: pe.name,
        privateDnsZoneGroupName: 'default',
        privateDnsZoneConfigs: [{ name: group, privateDnsZoneId: z.id }],
      },
      parent,
    );
  };
  return { postgresSubnet, zone, privateEndpoint };
}
