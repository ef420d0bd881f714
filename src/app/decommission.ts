/**
 * Decommissioning a committed phase's source, the end of the exit: the data is on the
 * qualified host, proven, and then no longer on Azure. Behind its own go (decision maker and
 * DPO), after the plan's hypercare days since the commit, each dataset of the phase is
 * verified in full on the target, listed at the source (kept as evidence), erased, listed
 * again, and certified: `decommission/<dataset>.certificate.json` in the evidence folder, its
 * SHA-256 in the audit log and the phase record.
 *
 * Resumable and idempotent: a dataset already certified gone is not touched again; a run cut
 * short (Ctrl-C, SIGKILL) resumes from the listing it kept, and deleting what is already gone
 * counts as done. One dataset refused (its target failed verification, or its source holds
 * something cloudexit did not copy and verify) stops only that dataset: nothing of it is
 * deleted, and the command exits 1.
 */
import { hostname, userInfo } from 'node:os';
import { approverOf } from '../cutover/approve.ts';
import { recordDecommissionApproval } from '../cutover/decommission-approve.ts';
import { certificatePath, writeEvidence } from '../cutover/decommission-evidence.ts';
import { DECOMMISSION_ROLES, evaluateDecommissionGates, type DecommissionGate } from '../cutover/decommission-gates.ts';
import { UserError } from '../errors.ts';
import { isObjectDataset } from '../plan/schema.ts';
import { clockFromEnv } from '../plan/clock.ts';
import type { DatasetDecommission, PhaseRecord } from '../phase-record.ts';
import { sessionDatabases } from './databases.ts';
import { decommissionDatabase } from './decommission-databases.ts';
import { decommissionObjects, eraserOf } from './decommission-objects.ts';
import type { DatasetOutcome } from './decommission-types.ts';
import { currentActor } from './hooks.ts';
import { planOf, withPlanAndState } from './plan-state.ts';
import { phaseOf } from './selection.ts';
import { withPhaseLock } from './phase-leader.ts';
import { stopped, withSession, type Session, type SessionOptions } from './session.ts';
import type { ApproveOptions } from './approve.ts';

export interface DecommissionOptions extends Omit<SessionOptions, 'dataset' | 'phase'> {
  /** The phase whose source is decommissioned (its id). */
  phase: string | number;
}

/** One dataset in the report: what the phase record keeps, plus how this run ended for it. */
export type DatasetReport =
  | (DatasetDecommission & { outcome: 'decommissioned' | 'already-decommissioned' | 'incomplete' })
  | { dataset: string; outcome: 'refused'; reason: string; keys: string[] };

export interface DecommissionReport {
  phase: number;
  /** `no-go`: a gate is closed and nothing ran; `done`: every dataset's last live copy at the source is gone. */
  outcome: 'done' | 'no-go' | 'refused' | 'incomplete';
  gates: DecommissionGate[];
  datasets: DatasetReport[];
  /** Live items still listed at the source, over the phase's datasets: 0 when done. */
  objectsLeftAtSource: number;
  /** When the last provider-held residue (soft-deleted blobs, PITR backups) expires; undefined when none. */
  residualUntil: string | undefined;
}

/** Runs (or resumes) the decommission of one committed phase. */
export async function decommission(options: DecommissionOptions): Promise<DecommissionReport> {
  return withSession(
    { ...options, dataset: [], phaseLeader: true },
    `decommission ${options.phase}`,
    (session) => decommissionInSession(session),
    (report) => ({
      outcome: report.outcome === 'done' ? 'succeeded' : 'failed',
      totals: {
        objects: 0,
        bytes: 0,
        failed: report.datasets.filter((d) => d.outcome === 'refused' || d.outcome === 'incomplete').length,
      },
    }),
  );
}

async function decommissionInSession(session: Session): Promise<DecommissionReport> {
  const phase = session.phase!;
  const record = await session.state.getPhase(phase.id);
  const gates = evaluateDecommissionGates({
    phase,
    record,
    hypercareDays: session.plan.hypercareDays,
    now: session.clock.now(),
  });
  if (gates.some((g) => !g.ok)) {
    await session.audit('decommission', 'no-go', { gates: gates.filter((g) => !g.ok).map((g) => g.detail) });
    return { phase: phase.id, outcome: 'no-go', gates, datasets: [], objectsLeftAtSource: 0, residualUntil: undefined };
  }
  const datasets: DatasetReport[] = [];
  const opened = await sessionDatabases(session);
  for (const name of phase.datasets) {
    if (stopped(session)) break;
    const done = (await session.state.getPhase(phase.id))?.decommissioned?.find((d) => d.dataset === name);
    if (done?.goneAt) {
      datasets.push({ ...done, outcome: 'already-decommissioned' });
      continue;
    }
    const outcome = await decommissionDataset(session, name, opened);
    datasets.push(outcome.outcome === 'refused' ? outcome : await certify(session, outcome));
  }
  return reportOf(phase.id, gates, datasets, phase.datasets.length);
}

async function decommissionDataset(
  session: Session,
  name: string,
  opened: Awaited<ReturnType<typeof sessionDatabases>>,
): Promise<DatasetOutcome> {
  const objects = session.datasets.find((d) => d.name === name);
  if (objects) {
    const planned = session.plan.datasets.find((d) => d.name === name);
    if (!planned || !isObjectDataset(planned)) throw new Error(`dataset ${name} is not an object dataset`);
    const outcome = await decommissionObjects(session, objects, await eraserOf(session, planned));
    if (outcome.outcome === 'refused') await session.audit('decommission', 'refused', { ...outcome });
    return outcome;
  }
  const handle = opened?.handles.find((h) => h.dataset.name === name);
  if (!handle || !opened) throw new Error(`dataset ${name} of the phase was not opened`);
  const outcome = await decommissionDatabase(session, opened, handle);
  if (outcome.outcome === 'refused') await session.audit('decommission', 'refused', { ...outcome });
  return outcome;
}

/** Writes the certificate, records its SHA-256 in the audit log and the phase record. */
async function certify(
  session: Session,
  outcome: Exclude<DatasetOutcome, { outcome: 'refused' }>,
): Promise<DatasetReport> {
  const relative = certificatePath(outcome.dataset);
  const sha256 = await writeEvidence(session.evidenceDir, relative, outcome.certificate);
  const entry: DatasetDecommission = {
    dataset: outcome.dataset,
    kind: outcome.kind,
    goneAt: outcome.goneAt,
    residualUntil: outcome.residualUntil,
    objectsLeftAtSource: outcome.objectsLeftAtSource,
    certificate: relative,
    certificateSha256: sha256,
  };
  await session.audit('decommission', outcome.goneAt ? 'succeeded' : 'incomplete', { ...entry });
  const phaseId = session.phase!.id;
  const record = (await session.state.getPhase(phaseId))!;
  const updated: PhaseRecord = {
    ...record,
    decommissioned: [...(record.decommissioned ?? []).filter((d) => d.dataset !== entry.dataset), entry],
    updatedAt: session.clock.now().toISOString(),
  };
  await session.state.putPhase(updated);
  return { ...entry, outcome: outcome.outcome };
}

function reportOf(phase: number, gates: DecommissionGate[], datasets: DatasetReport[], planned: number) {
  const gone = datasets.filter((d) => d.outcome === 'decommissioned' || d.outcome === 'already-decommissioned');
  const residues = gone.map((d) => ('residualUntil' in d ? d.residualUntil : undefined)).filter(Boolean) as string[];
  const left = datasets.reduce((n, d) => n + ('objectsLeftAtSource' in d ? d.objectsLeftAtSource : 0), 0);
  const outcome: DecommissionReport['outcome'] = datasets.some((d) => d.outcome === 'refused')
    ? 'refused'
    : gone.length === planned
      ? 'done'
      : 'incomplete';
  return { phase, outcome, gates, datasets, objectsLeftAtSource: left, residualUntil: residues.sort().at(-1) };
}

export interface DecommissionApproveOptions extends Omit<ApproveOptions, 'owner'> {
  /** `decisionMaker` or `dpo` (or their name in the plan). */
  owner: string;
}

/** Records the decommission go of the decision maker or the DPO; says whose go is still missing. */
export async function approveDecommission(
  options: DecommissionApproveOptions,
): Promise<{ phase: number; approvals: NonNullable<PhaseRecord['decommissionApprovals']>; missing: string[] }> {
  const loaded = await planOf(options.plan);
  const phase = phaseOf(loaded, options.phase);
  approverOf(phase, options.owner);
  // No state yet: nothing was ever committed, and a refusal must leave nothing behind (no
  // file, no PostgreSQL schema): asked read-only first, whichever kind of state it is.
  const started = await withPlanAndState({ ...options, plan: loaded }, { create: false }, async (o) => o.stateExists);
  if (!started)
    throw new UserError(`phase ${phase.id} is not committed: there is no state for it yet`, {
      fix: `copy, verify and cut the phase over first (\`cloudexit cutover --phase ${phase.id} --commit\`), or point --state at its state`,
    });
  return withPlanAndState({ ...options, plan: loaded }, { create: true }, ({ state }) =>
    // The phase record is written whole: a go recorded during another process's run of the phase could be lost.
    withPhaseLock(state, phase.id, `decommission --approve ${phase.id}`, async () => {
      const deps = { state, phase, clock: options.clock ?? clockFromEnv(), actor: options.actor ?? currentActor() };
      const record = await recordDecommissionApproval(deps, options.owner, {
        person: options.as,
        osUser: osUser(),
        host: hostname(),
        allowSeveralRoles: options.allowSeveralRoles,
      });
      const approvals = record.decommissionApprovals ?? [];
      return {
        phase: phase.id,
        approvals,
        missing: DECOMMISSION_ROLES.filter((r) => !approvals.some((a) => a.role === r)),
      };
    }),
  );
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
