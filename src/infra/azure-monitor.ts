/**
 * Pure builders for audit logging on Azure: one Log Analytics workspace and a diagnostic
 * setting on every data service (blob service, Key Vault, PostgreSQL).
 */
import type * as pulumi from '@pulumi/pulumi';
import type { DiagnosticSettingArgs } from '@pulumi/azure-native/monitor/diagnosticSetting.js';
import type { WorkspaceArgs } from '@pulumi/azure-native/operationalinsights/workspace.js';

export function workspaceArgs(
  resourceGroupName: pulumi.Input<string>,
  location: string,
  retentionDays: number,
  tags: Record<string, string>,
): WorkspaceArgs {
  return {
    resourceGroupName,
    location,
    sku: { name: 'PerGB2018' },
    retentionInDays: retentionDays,
    // Shared keys would let anything that holds one write or read logs without Entra ID.
    features: { disableLocalAuth: true },
    // Diagnostic settings deliver over Azure's backbone; nothing outside ingests.
    publicNetworkAccessForIngestion: 'Disabled',
    // Querying from the portal stays possible (Entra-authenticated); an Azure Monitor
    // private link scope, outside this stack, is needed to close it too.
    publicNetworkAccessForQuery: 'Enabled',
    tags,
  };
}

/** Which log category group each audited service sends. */
const AUDITED_SERVICES = {
  blob: { categoryGroup: 'allLogs', why: 'StorageRead, StorageWrite, StorageDelete: every data access' },
  vault: { categoryGroup: 'audit', why: 'AuditEvent: every key operation' },
  postgres: { categoryGroup: 'allLogs', why: 'PostgreSQLLogs with connections and disconnections' },
} as const;
export type AuditedService = keyof typeof AUDITED_SERVICES;

export function diagnosticSettingArgs(
  resourceUri: pulumi.Input<string>,
  workspaceId: pulumi.Input<string>,
  service: AuditedService,
): DiagnosticSettingArgs {
  return {
    name: 'cloudexit-audit',
    resourceUri,
    workspaceId,
    logAnalyticsDestinationType: 'Dedicated',
    logs: [{ categoryGroup: AUDITED_SERVICES[service].categoryGroup, enabled: true }],
  };
}
