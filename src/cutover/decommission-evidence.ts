/**
 * The decommission's files in the evidence folder, checkable with `jq` and `sha256sum`:
 * `decommission/<dataset>.listed-before.json` (the source as first listed, written before
 * anything is deleted, kept across a resumed run so the certificate tells what was there at
 * the start) and `decommission/<dataset>.certificate.json` (what was listed before, what was
 * deleted, what remains and until when). Files are written whole (a temporary file, then a
 * rename) and only over a file cloudexit wrote for the same migration, phase and dataset.
 */
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { makeFolder } from '../make-folder.ts';
import { UserError } from '../errors.ts';

/** What every decommission file says of itself, so a later run knows it wrote it. */
export interface EvidenceHeader {
  document: 'cloudexit source listing before decommission' | 'cloudexit deletion certificate';
  migration: string;
  phase: number;
  dataset: string;
}

/** Paths relative to the evidence folder (as the phase record and the audit log give them). */
export function listingPath(dataset: string): string {
  return join('decommission', `${dataset}.listed-before.json`);
}

export function certificatePath(dataset: string): string {
  return join('decommission', `${dataset}.certificate.json`);
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The file as cloudexit wrote it for `header`, undefined when absent; refuses one it did not write. */
export async function readOwnEvidence<T extends EvidenceHeader>(
  evidenceDir: string,
  relative: string,
  header: EvidenceHeader,
): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(join(evidenceDir, relative), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: Partial<EvidenceHeader> | undefined;
  try {
    parsed = JSON.parse(text) as Partial<EvidenceHeader>;
  } catch {
    parsed = undefined;
  }
  const ours =
    parsed?.document === header.document &&
    parsed.migration === header.migration &&
    parsed.phase === header.phase &&
    parsed.dataset === header.dataset;
  if (!ours)
    throw new UserError(`${join(evidenceDir, relative)} exists and cloudexit did not write it for this decommission`, {
      fix: 'move that file away (cloudexit never overwrites what it did not write), then run the decommission again',
    });
  return parsed as T;
}

/** Writes `document` as indented JSON, whole, and returns its SHA-256 (of the bytes written). */
export async function writeEvidence(evidenceDir: string, relative: string, document: EvidenceHeader): Promise<string> {
  const file = join(evidenceDir, relative);
  const text = `${JSON.stringify(document, null, 2)}\n`;
  makeFolder(dirname(file));
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
  return sha256Hex(text);
}
