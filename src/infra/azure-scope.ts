/**
 * What every part of the Azure warehouse is declared in: the component it belongs to, the
 * resource group and region, the tags and the deploying client's tenant and subscription.
 */
import type * as pulumi from '@pulumi/pulumi';
import type { GetClientConfigResult } from '@pulumi/azure-native/authorization/getClientConfig.js';
import type { WarehouseSpec } from '../warehouse/spec.ts';
import type { AzureSettings } from './settings.ts';

export interface AzureScope {
  /** The component's name: every child is named `${name}-purpose`. */
  name: string;
  /** The component every resource is a child of. */
  parent: pulumi.Resource;
  spec: WarehouseSpec;
  settings: AzureSettings;
  resourceGroupName: pulumi.Output<string>;
  location: string;
  tags: Record<string, string>;
  client: pulumi.Output<GetClientConfigResult>;
}
