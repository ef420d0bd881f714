/**
 * What a rehearsal reports: per dataset, per database and per phase, assembled from the
 * reports of the use cases it ran (the same a migration's commands print).
 */
import { INSTALL_HINT } from '../databases/binaries.ts';
import type { ManifestSummary } from '../engine/manifest.ts';
import type { LoadedPlan } from '../plan/load.ts';
import { isObjectDataset, type Dataset } from '../plan/schema.ts';
import type { CopyReport } from './copy.ts';
import type { InventoryReport } from './inventory.ts';
import type { RehearsalTarget } from './rehearsal-stage.ts';
import type { VerifyReport } from './verify.ts';
import type { DatasetDecommission } from '../phase-record.ts';

export interface DatasetRehearsal {
  name: string;
  objects: number;
  bytes: number;
  copied: number;
  partsResumed: number;
  failed: number;
  verifiedQuick: number;
  verifiedFull: number;
  mismatches: number;
  manifest: ManifestSummary | undefined;
}

export interface DatabaseRehearsal {
  name: string;
  method: string;
  status: string;
  tables: number;
  bytes: number;
}

export interface RehearsalDecommission {
  /** Every dataset certified, as its phase record keeps it. */
  datasets: DatasetDecommission[];
  /** Live items still at the source across the rehearsed phases: 0 when every phase was decommissioned. */
  objectsLeftAtSource: number;
  /** When the last provider-held residue expires (PITR backups of the databases); undefined when none. */
  residualUntil: string | undefined;
  /** Every committed phase decommissioned, with no dataset refused. */
  ok: boolean;
}

export interface PhaseRehearsal {
  id: number;
  name: string;
  /** Final cutover state: `committed` when the rehearsal went all the way. */
  state: string;
  stoppedAt: { step: string; error: string } | undefined;
}

export interface RehearsalReport {
  ok: boolean;
  plan: string;
  datasets: DatasetRehearsal[];
  objects: number;
  bytes: number;
  copied: number;
  verified: number;
  mismatches: number;
  failed: number;
  /** PostgreSQL tables across the rehearsed databases. */
  tables: { count: number; verified: number; mismatches: number };
  /** PostgreSQL datasets, or why they were left out. */
  databases: DatabaseRehearsal[];
  /** Set when PostgreSQL is not installed: the object datasets were rehearsed alone. */
  databasesSkipped: string | undefined;
  /** Each phase of the plan whose datasets were all rehearsed, taken through cutover to commit. */
  phases: PhaseRehearsal[];
  /** The committed phases' sources decommissioned: `objectsLeftAtSource` 0 when every one is gone. */
  decommission: Omit<RehearsalDecommission, 'ok'>;
  /** Hash of the last audit event: the head of the hash chain of this rehearsal. */
  auditHead: string | undefined;
  seconds: number;
  outDir: string;
  /** Where the temporary data was (only with `keep`). */
  kept: string | undefined;
  /** The S3 server the rehearsal wrote to (Ceph RGW or s3rver), and why that one. */
  target: RehearsalTarget;
  /** Folder of the runbooks of the rehearsed migration (README.md, phase-N.md, overview.html). */
  runbooks?: string;
}

/** The reports of the use cases that moved the data. */
export interface Moved {
  inventory: InventoryReport;
  copy: CopyReport;
  quick: VerifyReport | undefined;
  full: VerifyReport;
}

/** One row per dataset that went through every step. */
export function datasetRows(moved: Moved): DatasetRehearsal[] {
  const rows: DatasetRehearsal[] = [];
  for (const listed of moved.inventory.datasets) {
    const copy = moved.copy.datasets.find((d) => d.dataset === listed.dataset);
    const quick = moved.quick?.datasets.find((d) => d.dataset === listed.dataset);
    const full = moved.full.datasets.find((d) => d.dataset === listed.dataset);
    if (!copy || !quick || !full) continue;
    rows.push({
      name: listed.dataset,
      objects: listed.objects,
      bytes: listed.bytes,
      copied: copy.copied,
      partsResumed: copy.partsResumed,
      failed: copy.failed.length,
      verifiedQuick: quick.verified,
      verifiedFull: full.verified,
      mismatches: quick.mismatches.length + full.mismatches.length,
      manifest: full.manifest,
    });
  }
  return rows;
}

export function databaseRows(moved: Moved): DatabaseRehearsal[] {
  return moved.full.databases.map((d) => ({
    name: d.dataset,
    method: d.method,
    status: d.status,
    tables: d.tables,
    bytes: d.bytes,
  }));
}

export function tableCounts(moved: Moved): RehearsalReport['tables'] {
  const tables = { count: 0, verified: 0, mismatches: 0 };
  for (const record of moved.full.databases) {
    tables.count += record.tables;
    tables.verified += record.verification?.tablesVerified ?? 0;
    tables.mismatches +=
      (record.verification?.mismatches.length ?? 0) + (record.verification?.schemaDifferences.length ?? 0);
  }
  return tables;
}

/** Whether every dataset and database moved clean: the condition for cutting phases over. */
export function movedClean(moved: Moved): boolean {
  return (
    datasetRows(moved).every((d) => d.failed + d.mismatches === 0) &&
    databaseRows(moved).every((d) => d.status === 'verified')
  );
}

/** What the rehearsal did, before its audit head, runbooks and duration are known. */
export interface RehearsalFacts {
  plan: LoadedPlan;
  moved: Moved;
  /** The datasets rehearsed (selected, and not skipped). */
  rehearsed: readonly Dataset[];
  skipped: readonly string[];
  phases: PhaseRehearsal[];
  decommission: RehearsalDecommission;
  outDir: string;
  kept: string | undefined;
  target: RehearsalTarget;
}

export function rehearsalReport(facts: RehearsalFacts): RehearsalReport {
  const datasets = datasetRows(facts.moved);
  const databases = databaseRows(facts.moved);
  const sum = (f: (d: DatasetRehearsal) => number) => datasets.reduce((n, d) => n + f(d), 0);
  return {
    ok:
      datasets.length === facts.rehearsed.filter(isObjectDataset).length &&
      sum((d) => d.failed + d.mismatches) === 0 &&
      sum((d) => d.objects - d.verifiedFull) === 0 &&
      databases.every((d) => d.status === 'verified') &&
      facts.phases.every((p) => p.state === 'committed') &&
      facts.decommission.ok,
    plan: facts.plan.file,
    datasets,
    objects: sum((d) => d.objects),
    bytes: sum((d) => d.bytes),
    copied: sum((d) => d.copied),
    verified: sum((d) => d.verifiedFull),
    mismatches: sum((d) => d.mismatches),
    failed: sum((d) => d.failed),
    tables: tableCounts(facts.moved),
    databases,
    databasesSkipped:
      facts.skipped.length > 0
        ? `PostgreSQL is not installed: ${INSTALL_HINT}. Rehearsed without ${facts.skipped.join(', ')}.`
        : undefined,
    phases: facts.phases,
    decommission: {
      datasets: facts.decommission.datasets,
      objectsLeftAtSource: facts.decommission.objectsLeftAtSource,
      residualUntil: facts.decommission.residualUntil,
    },
    auditHead: undefined,
    seconds: 0,
    outDir: facts.outDir,
    kept: facts.kept,
    target: facts.target,
  };
}
