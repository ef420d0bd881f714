/**
 * Everything the runbooks say, gathered once from the plan, the state store and the
 * evidence folder: the migration status as of the runbook's instant, and per dataset the
 * counts, the first and last copy, the manifest on disk with its SHA-256 (and the one the
 * audit log recorded), and the last verification. Rendering (overview.ts, phase.ts) only
 * reads these facts.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { fixedClock } from '../../plan/clock.ts';
import type { LoadedPlan } from '../../plan/load.ts';
import type { Phase } from '../../plan/schema.ts';
import type { AuditEvent } from '../../audit/event.ts';
import type { PhaseRecord } from '../../phase-record.ts';
import type { StateStore } from '../../state/state-store.ts';
import { migrationStatus, type MigrationStatus, type PhaseStatus } from '../status.ts';
import type { AsOf } from './as-of.ts';
import { gatherBurndown, type Burndown } from './burndown.ts';
import { messagesFor, type Messages } from '../i18n/catalog.ts';
import type { Lang } from '../i18n/lang.ts';
import { wordsFor, type Words } from '../i18n/words.ts';

interface ManifestFact {
  /** The manifest file, relative to the runbook folder, `/`-separated. */
  path: string;
  sha256: string;
  entries: number;
  /** The manifest SHA-256 the audit log recorded last for this dataset, and when. */
  recorded: { sha256: string; at: string } | undefined;
}

interface VerifyFact {
  mode: 'quick' | 'full';
  at: string;
  verified: number;
  mismatches: number;
}

export interface DatasetFacts {
  name: string;
  title: string;
  kind: 'objects' | 'postgres';
  /** Whether the source was ever listed (objects) or the database ever inventoried or copied. */
  inventoried: boolean;
  /** Tables of a PostgreSQL dataset (undefined for object datasets). */
  tables: number | undefined;
  /** Tables whose fingerprints matched at the last verification (PostgreSQL). */
  tablesVerified: number | undefined;
  /** Per-table fingerprint file of a PostgreSQL dataset, as the verification recorded it. */
  fingerprints: { file: string | undefined; sha256: string | undefined; at: string; ok: boolean } | undefined;
  /** `container/prefix` (or `host/database`) at the source, `bucket/prefix` (or `host/database`) at the target. */
  source: string;
  target: string;
  objects: number;
  bytes: number;
  copiedObjects: number;
  verifiedObjects: number;
  /** Objects whose last verification re-read them on the target. */
  verifiedFull: number;
  verifiedFullBytes: number;
  notCopiedObjects: number;
  notCopiedBytes: number;
  /** Objects no longer at the source (reported, never deleted at the target). */
  deletedAtSource: number;
  firstCopiedAt: string | undefined;
  /** The last copy before the freeze: the end of the bulk copy. */
  lastBulkCopiedAt: string | undefined;
  lastFullVerifiedAt: string | undefined;
  manifest: ManifestFact | undefined;
  /** The last verify command the audit log recorded for this dataset. */
  lastVerify: VerifyFact | undefined;
}

export interface PhaseFacts {
  plan: Phase;
  status: PhaseStatus;
  datasets: DatasetFacts[];
  /** Audit events about this phase, in order. */
  events: AuditEvent[];
}

export interface RunbookFacts {
  plan: LoadedPlan;
  /** The language the runbooks are written in, its catalog (`t`) and its way with dates and numbers (`w`). */
  lang: Lang;
  t: Messages;
  w: Words;
  asOf: AsOf;
  status: MigrationStatus;
  auditHead: { seq: number; hash: string; time: string } | undefined;
  phases: PhaseFacts[];
  /** Still to move and to verify, day by day. */
  burndown: Burndown;
}

export interface GatherOptions {
  plan: LoadedPlan;
  state: StateStore;
  asOf: AsOf;
  /** The saved parity report for the parity gate, if any. */
  parity: Parameters<typeof migrationStatus>[3];
  /** Folder holding `<dataset>/manifest.sha256`. */
  evidenceDir: string;
  /** Folder the runbooks are written to (manifest paths are given relative to it). */
  outDir: string;
  /** @default "en" */
  lang?: Lang;
}

export async function gatherFacts(options: GatherOptions): Promise<RunbookFacts> {
  const { plan, state, asOf } = options;
  // Without any activity the window arithmetic needs some instant; nothing dated is shown then.
  const clock = fixedClock(asOf.at ?? plan.window.authorisedOn);
  const status = await migrationStatus(plan, state, clock, options.parity);
  const events: AuditEvent[] = [];
  for await (const event of state.iterateAudit()) events.push(event);
  const head = events.at(-1);
  const phases: PhaseFacts[] = [];
  for (const phase of plan.phases) {
    const phaseStatus = status.phases.find((p) => p.id === phase.id)!;
    const datasets: DatasetFacts[] = [];
    for (const name of phase.datasets) datasets.push(await datasetFacts(options, name, phaseStatus.record, events));
    phases.push({ plan: phase, status: phaseStatus, datasets, events: events.filter((e) => e.phase === phase.id) });
  }
  const lang = options.lang ?? 'en';
  return {
    plan,
    lang,
    t: messagesFor(lang),
    w: wordsFor(lang),
    asOf,
    status,
    auditHead: head ? { seq: head.seq, hash: head.hash, time: head.time } : undefined,
    phases,
    burndown: await gatherBurndown(plan, state, asOf.at, status.window.closesOn),
  };
}

async function datasetFacts(
  options: GatherOptions,
  name: string,
  record: PhaseRecord | undefined,
  events: readonly AuditEvent[],
): Promise<DatasetFacts> {
  const spec = options.plan.datasets.find((d) => d.name === name)!;
  const frozenAt = record?.frozenAt;
  const facts: DatasetFacts = {
    name,
    title: spec.title,
    kind: spec.kind,
    inventoried: false,
    tables: undefined,
    tablesVerified: undefined,
    fingerprints: undefined,
    source:
      spec.kind === 'postgres'
        ? `${spec.source.host}/${spec.source.database}`
        : `${spec.source.container}/${spec.source.prefix}`,
    target:
      spec.kind === 'postgres'
        ? `${spec.target.host}/${spec.target.database}`
        : `${spec.target.bucket}/${spec.target.prefix}`,
    objects: 0,
    bytes: 0,
    copiedObjects: 0,
    verifiedObjects: 0,
    verifiedFull: 0,
    verifiedFullBytes: 0,
    notCopiedObjects: 0,
    notCopiedBytes: 0,
    deletedAtSource: 0,
    firstCopiedAt: undefined,
    lastBulkCopiedAt: undefined,
    lastFullVerifiedAt: undefined,
    manifest: undefined,
    lastVerify: undefined,
  };
  if (spec.kind === 'postgres') return databaseFacts(options, facts);
  const later = (a: string | undefined, b: string) => (a === undefined || Date.parse(b) > Date.parse(a) ? b : a);
  for await (const object of options.state.iterateObjects(name)) {
    if (object.status === 'deleted-at-source') {
      facts.deletedAtSource++;
      continue;
    }
    facts.objects++;
    facts.bytes += object.size;
    if (object.status === 'pending' || object.status === 'failed') {
      facts.notCopiedObjects++;
      facts.notCopiedBytes += object.size;
    } else facts.copiedObjects++;
    if (object.status === 'verified') facts.verifiedObjects++;
    if (object.status === 'verified' && object.verifiedMode === 'full') {
      facts.verifiedFull++;
      facts.verifiedFullBytes += object.size;
      if (object.verifiedAt) facts.lastFullVerifiedAt = later(facts.lastFullVerifiedAt, object.verifiedAt);
    }
    if (object.copiedAt) {
      if (!facts.firstCopiedAt || Date.parse(object.copiedAt) < Date.parse(facts.firstCopiedAt))
        facts.firstCopiedAt = object.copiedAt;
      if (!frozenAt || Date.parse(object.copiedAt) < Date.parse(frozenAt))
        facts.lastBulkCopiedAt = later(facts.lastBulkCopiedAt, object.copiedAt);
    }
  }
  facts.inventoried = facts.objects + facts.deletedAtSource > 0;
  facts.lastVerify = lastVerify(events, name);
  // A manifest on disk for a dataset the state shows nothing copied of is not evidence of this state.
  if (facts.copiedObjects > 0) facts.manifest = await manifestFact(options, name, events);
  return facts;
}

/** A PostgreSQL dataset moves as a whole: one record in the state instead of one per object. */
async function databaseFacts(options: GatherOptions, facts: DatasetFacts): Promise<DatasetFacts> {
  const db = await options.state.getDatabase(facts.name);
  if (!db) return facts;
  const v = db.verification;
  const evidence = v?.evidenceFile
    ? relative(resolve(options.outDir), resolve(v.evidenceFile)).split(sep).join('/')
    : undefined;
  return {
    ...facts,
    inventoried: true,
    tables: db.tables,
    bytes: db.bytes,
    notCopiedBytes: db.status === 'pending' || db.status === 'failed' ? db.bytes : 0,
    firstCopiedAt: db.copiedAt,
    lastBulkCopiedAt: db.copiedAt,
    tablesVerified: v?.tablesVerified,
    lastFullVerifiedAt: v?.ok ? v.at : undefined,
    fingerprints: v ? { file: evidence, sha256: v.evidenceSha256, at: v.at, ok: v.ok } : undefined,
  };
}

type DatasetDetail = { dataset?: unknown; verified?: unknown; mismatches?: unknown; manifestSha256?: unknown };

function datasetDetails(event: AuditEvent, name: string): DatasetDetail | undefined {
  const list = event.details['datasets'];
  return Array.isArray(list) ? (list as DatasetDetail[]).find((d) => d?.dataset === name) : undefined;
}

function lastVerify(events: readonly AuditEvent[], name: string): VerifyFact | undefined {
  for (const event of [...events].reverse()) {
    if (event.step !== 'verify-quick' && event.step !== 'verify-full') continue;
    const detail = datasetDetails(event, name);
    if (!detail) continue;
    return {
      mode: event.step === 'verify-full' ? 'full' : 'quick',
      at: event.time,
      verified: typeof detail.verified === 'number' ? detail.verified : 0,
      mismatches: Array.isArray(detail.mismatches) ? detail.mismatches.length : 0,
    };
  }
  return undefined;
}

async function manifestFact(
  options: GatherOptions,
  name: string,
  events: readonly AuditEvent[],
): Promise<ManifestFact | undefined> {
  const file = join(options.evidenceDir, name, 'manifest.sha256');
  if (!existsSync(file)) return undefined;
  const bytes = await readFile(file);
  let recorded: ManifestFact['recorded'];
  for (const event of events) {
    const sha = datasetDetails(event, name)?.manifestSha256;
    if (typeof sha === 'string') recorded = { sha256: sha, at: event.time };
  }
  return {
    path: relative(resolve(options.outDir), resolve(file)).split(sep).join('/'),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    entries: bytes
      .toString('utf8')
      .split('\n')
      .filter((line) => line.length > 0).length,
    recorded,
  };
}
