/** The Azure warehouse's audit logging: every data service sends its logs to one workspace. */
import * as pulumi from '@pulumi/pulumi';
import { DiagnosticSetting } from '@pulumi/azure-native/monitor/diagnosticSetting.js';
import { Workspace } from '@pulumi/azure-native/operationalinsights/workspace.js';
import { diagnosticSettingArgs, workspaceArgs, type AuditedService } from './azure-monitor.ts';
import type { AzureScope } from './azure-scope.ts';

/** The audited services, by the id of the resource whose logs are collected. */
export interface AuditedResources {
  storageAccountId: pulumi.Input<string>;
  vaultId: pulumi.Input<string>;
  postgresServerId: pulumi.Input<string>;
}

export function declareAuditLogs(scope: AzureScope, audited: AuditedResources): void {
  const { name, resourceGroupName: rg, location, tags } = scope;
  const parent = { parent: scope.parent };
  const workspace = new Workspace(
    `${name}-logs`,
    workspaceArgs(rg, location, scope.spec.audit.retentionDays, tags),
    parent,
  );
  const audit = (service: AuditedService, resourceUri: pulumi.Input<string>) =>
    new DiagnosticSetting(
      `${name}-audit-${service}`,
      diagnosticSettingArgs(resourceUri, workspace.id, service),
      parent,
    );
  audit('blob', pulumi.interpolate`${audited.storageAccountId}/blobServices/default`);
  audit('vault', audited.vaultId);
  audit('postgres', audited.postgresServerId);
}
