/**
 * The records of a decommission as the use case, the CLI and the rehearsal read them: what
 * each dataset's run ended with, and the listing kept before anything is deleted.
 */
import type { EvidenceHeader } from '../cutover/decommission-evidence.ts';
import type { ListedItem } from '../cutover/decommission-objects.ts';
import type { DatasetDecommission } from '../phase-record.ts';

/** The full verify of the target that opened the way to the deletion. */
export interface VerifiedBefore {
  mode: 'full';
  /** The run (`cloudexit decommission`) that verified. */
  runId: string;
  /** ISO 8601. */
  at: string;
  /** Objects (or tables) verified. */
  verified: number;
  bytes: number;
}

/** `decommission/<dataset>.listed-before.json`. */
export interface ListingDocument extends EvidenceHeader {
  document: 'cloudexit source listing before decommission';
  source: string;
  verifiedBeforeDeletion: VerifiedBefore;
  /** ISO 8601. */
  listedAt: string;
  items: ListedItem[];
}

/** How one dataset's decommission ended in this run. */
export type DatasetOutcome =
  | {
      dataset: string;
      /** `incomplete`: live items were still listed after the last pass (or the run was interrupted). */
      outcome: 'decommissioned' | 'incomplete';
      kind: DatasetDecommission['kind'];
      /** The deletion certificate's content (written by the caller, which records its SHA-256). */
      certificate: EvidenceHeader & Record<string, unknown>;
      objectsLeftAtSource: number;
      residualUntil: string | undefined;
      goneAt: string | undefined;
    }
  | {
      dataset: string;
      /** Nothing of the dataset was deleted, for `reason`. */
      outcome: 'refused';
      reason: string;
      /** Keys (or tables) that stopped it, at most 50. */
      keys: string[];
    };
