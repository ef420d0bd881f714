/**
 * The hash-chained audit log, for auditors: export it as JSON Lines, and recompute its
 * chain (from the state file or from an export) naming the first broken link. Needs no
 * secret and no connection: the plan is read only to find the default state file, and not
 * at all when `state` or `file` is given, so an auditor holding just a file can run it.
 * The state is opened read-only: nothing on disk is created or changed.
 */
import { verifyChain, type ChainBreak, type ChainVerdict } from '../audit/chain.ts';
import {
  AuditFileError,
  readAuditJsonl,
  writeAuditJsonl,
  writeAuditJsonlFile,
  type ExportSummary,
} from '../audit/jsonl.ts';
import { UserError } from '../errors.ts';
import { describeStateLocation, openStateStore, type OpenedStateStore } from '../state/open.ts';
import type { AuditEvent } from '../audit/event.ts';
import type { StateStore } from '../state/state-store.ts';
import { statePathOf } from './paths.ts';
import { planOf, type PlanOptions } from './plan-state.ts';

export type { ExportSummary };

export interface AuditExportOptions extends PlanOptions {
  /** A file (replaced whole, never left half-written) or a stream to write the JSON Lines to. */
  to: string | NodeJS.WritableStream;
}

export interface AuditVerifyOptions extends PlanOptions {
  /** An exported JSON Lines file, verified instead of the state file. @default the state file */
  file?: string | undefined;
  /** A hash recorded at a sign-off (64 hex digits) that must be in the log: catches events cut from its end. @default none */
  expectHead?: string | undefined;
}

/** What `audit verify` found. */
export interface AuditVerifyReport {
  ok: boolean;
  /** Where the events came from: the state file or the exported file. */
  source: { kind: 'state' | 'file'; location: string };
  /** Events that chain correctly from the first one. */
  count: number;
  /** Hash of the last of them. */
  head: string | undefined;
  firstBroken?: ChainBreak;
  /** With `expectHead`: where that hash was found in the log, if anywhere. */
  expectedHead?: { hash: string; foundAtSeq: number | undefined };
}

/** `value` as a lower-case SHA-256 hash; `name` is how the caller's user spells the setting. */
export function anchorHashOf(value: string, name = 'expectHead'): string {
  const hash = value.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hash))
    throw new UserError(`${name} ${value} is not a SHA-256 hash`, {
      fix: 'pass the 64 hexadecimal digits recorded at the sign-off',
    });
  return hash;
}

/** Writes the audit log as JSON Lines (keys in canonical order) to a file or a stream. */
export async function auditExport(options: AuditExportOptions): Promise<ExportSummary> {
  const store = await openExistingStore(options);
  try {
    return typeof options.to === 'string'
      ? await writeAuditJsonlFile(store.iterateAudit(), options.to)
      : await writeAuditJsonl(store.iterateAudit(), options.to);
  } finally {
    await store.close();
  }
}

/** Recomputes the hash chain of the state's or an export's audit log and names the first broken link. */
export async function auditVerify(options: AuditVerifyOptions = {}): Promise<AuditVerifyReport> {
  const expected = options.expectHead === undefined ? undefined : anchorHashOf(options.expectHead);
  let foundAtSeq: number | undefined;
  // Watches the stream for the anchored hash without holding the log in memory.
  async function* watch(events: AsyncIterable<AuditEvent>): AsyncGenerator<AuditEvent> {
    for await (const event of events) {
      if (event.hash === expected) foundAtSeq = event.seq;
      yield event;
    }
  }
  const { source, verdict } =
    options.file !== undefined
      ? { source: { kind: 'file' as const, location: options.file }, verdict: await verifyFile(options.file, watch) }
      : await verifyState(options, watch);
  const report: AuditVerifyReport = { ...verdict, source };
  if (expected !== undefined) {
    // Only meaningful on a sound chain: past a break, the hash may be anywhere or nowhere.
    if (verdict.ok && foundAtSeq === undefined) report.ok = false;
    report.expectedHead = { hash: expected, foundAtSeq };
  }
  return report;
}

type Chain = ChainVerdict;
type Watch = (events: AsyncIterable<AuditEvent>) => AsyncGenerator<AuditEvent>;

async function verifyFile(file: string, watch: Watch): Promise<Chain> {
  try {
    return await verifyChain(watch(readAuditJsonl(file)));
  } catch (err) {
    if (!(err instanceof AuditFileError)) throw err;
    throw new UserError(err.message, {
      where: err.line === undefined ? err.file : `${err.file}:${err.line}`,
      fix: 'pass a file written by `cloudexit audit export`; a line that was edited by hand must be restored from the original',
    });
  }
}

async function verifyState(
  options: PlanOptions,
  watch: Watch,
): Promise<{ source: AuditVerifyReport['source']; verdict: Chain }> {
  const store = await openExistingStore(options);
  try {
    return {
      source: { kind: 'state', location: store.location },
      verdict: await verifyChain(watch(store.iterateAudit())),
    };
  } finally {
    await store.close();
  }
}

/**
 * Opens the state file read-only, which must exist: an empty view of a missing state would
 * "verify" as an intact log of 0 events. Nothing on disk is created or changed, and the
 * binding is not checked: an auditor may hold the state file without its plan.
 */
async function openExistingStore(options: PlanOptions): Promise<StateStore> {
  const path = options.state ?? statePathOf(await planOf(options.plan), undefined);
  let store: OpenedStateStore;
  try {
    store = await openStateStore(path, { readOnly: true });
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError((err as Error).message, { where: describeStateLocation(path) });
  }
  if (!store.exists) {
    await store.close();
    throw new UserError(
      `there is no state ${store.kind === 'postgres' ? 'in' : 'file at'} ${describeStateLocation(path)}`,
      {
        fix:
          options.state === undefined
            ? 'pass the plan the migration ran with (its state is next to it, in .cloudexit/), or pass --state with its state file'
            : 'check the path given to --state, or pass --file with an exported audit log',
      },
    );
  }
  return store;
}
