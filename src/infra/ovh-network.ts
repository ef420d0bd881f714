/**
 * Private-network helpers shared by the warehouse and the worker fleet on OVHcloud.
 */
import * as pulumi from '@pulumi/pulumi';
import type { NetworkPrivate } from '@ovhcloud/pulumi-ovh/cloudproject/networkPrivate.js';

/** The OpenStack id of a private network in one region: what database nodes and instances attach to. */
export function regionalNetworkId(net: NetworkPrivate, region: string): pulumi.Output<string> {
  return pulumi.all([net.regionsAttributes, net.name]).apply(([attrs, netName]) => {
    const match = attrs?.find((a) => a.region.toUpperCase().startsWith(region.toUpperCase()));
    if (!match) throw new Error(`private network ${netName} has no attachment in ${region}`);
    return match.openstackid;
  });
}
