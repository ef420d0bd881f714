/**
 * Stack-wide rules: every data service has audit logging, and the target stack declares
 * its SecNumCloud qualification evidence. Qualification itself cannot be checked by
 * code; the rule only refuses a target whose stack does not say where it is proven.
 */
import type { PolicyResource, StackValidationPolicy } from '@pulumi/policy';
import { qualificationEvidence } from '../settings.ts';
import { str } from './helpers.ts';

/** Resource types whose data access must be logged, and the log resource that covers them. */
const AUDITED: readonly { type: string; label: string; logType: string; link: string }[] = [
  {
    type: 'azure-native:storage:StorageAccount',
    label: 'storage account',
    logType: 'azure-native:monitor:DiagnosticSetting',
    link: 'resourceUri',
  },
  {
    type: 'azure-native:keyvault:Vault',
    label: 'Key Vault',
    logType: 'azure-native:monitor:DiagnosticSetting',
    link: 'resourceUri',
  },
  {
    type: 'azure-native:dbforpostgresql:Server',
    label: 'PostgreSQL server',
    logType: 'azure-native:monitor:DiagnosticSetting',
    link: 'resourceUri',
  },
  {
    type: 'ovh:CloudProject/database:Database',
    label: 'managed database',
    logType: 'ovh:CloudProjectDatabase/logSubscription:LogSubscription',
    link: 'clusterId',
  },
];

/**
 * True when a log resource points at `target`: through the dependency Pulumi recorded for
 * its link property (preview, where ids are unknown), or through the id itself.
 */
function logs(log: PolicyResource, target: PolicyResource, link: string): boolean {
  if ((log.propertyDependencies?.[link] ?? []).some((d) => d.urn === target.urn)) return true;
  const value = str(log.props, link);
  const id = str(target.props, 'id');
  return value !== undefined && id !== undefined && value.startsWith(id);
}

export const auditLogging: StackValidationPolicy = {
  name: 'audit-logging-present',
  description:
    'Every storage account, key vault and database ships its logs (diagnostic setting on Azure, log subscription on OVHcloud).',
  enforcementLevel: 'mandatory',
  validateStack: (args, report) => {
    for (const rule of AUDITED) {
      const logs_ = args.resources.filter((r) => r.type === rule.logType);
      for (const target of args.resources.filter((r) => r.type === rule.type)) {
        if (!logs_.some((l) => logs(l, target, rule.link)))
          report(
            `${rule.label} "${target.name}" has no audit logging (add a ${rule.logType.split(':').at(-1)} pointing at it)`,
            target.urn,
          );
      }
    }
  },
};

const WAREHOUSE_TYPES = new Set(['cloudexit:warehouse:OvhWarehouse', 'cloudexit:warehouse:AzureWarehouse']);

/** Problems with the qualification evidence a warehouse component carries; empty when it is complete. */
function qualificationProblems(evidence: unknown, today: string): string[] {
  if (evidence === undefined || evidence === null) {
    return [
      "the stack declares no SecNumCloud qualification evidence: set cloudexit:qualification (offer, anssiReference, date) in its stack file, from ANSSI's list of qualified products",
    ];
  }
  const parsed = qualificationEvidence.safeParse(evidence);
  if (!parsed.success)
    return parsed.error.issues.map((i) => `cloudexit:qualification.${i.path.join('.') || '(value)'}: ${i.message}`);
  if (parsed.data.date > today) return [`cloudexit:qualification.date ${parsed.data.date} is in the future`];
  return [];
}

export const qualificationEvidenceDeclared: StackValidationPolicy = {
  name: 'secnumcloud-qualification-evidence',
  description:
    'The target stack declares its SecNumCloud qualification evidence (offer, ANSSI reference, date). Code cannot verify a qualification; people must, from the evidence named here.',
  enforcementLevel: 'mandatory',
  validateStack: (args, report) => {
    const warehouses = args.resources.filter((r) => WAREHOUSE_TYPES.has(r.type));
    if (warehouses.length === 0) {
      report(
        'no cloudexit warehouse component in this stack: the pack applies to stacks built by src/infra/program.ts',
      );
      return;
    }
    const today = new Date().toISOString().slice(0, 10);
    for (const w of warehouses)
      for (const problem of qualificationProblems(w.props['qualification'], today)) report(problem, w.urn);
  },
};
