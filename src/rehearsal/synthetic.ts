/**
 * A deterministic, synthetic EMC2-like warehouse: pseudonymised CSV extracts and
 * Parquet-like binaries per hospital, SNDS extracts with one object over 64 MiB so that
 * multipart uploads are exercised, and reference nomenclatures with a 0-byte file.
 * Keys are deeply nested and use accents and CJK characters, as real French exports do.
 *
 * Deterministic so that two rehearsals (or rehearsal and benchmark) move the same bytes:
 * binary content is AES-128-CTR keystream under a key derived from the object's key,
 * and CSV rows come from a seeded PRNG. Nothing here is real data.
 */
import { createCipheriv, createHash } from 'node:crypto';

export interface SyntheticObject {
  key: string;
  size: number;
  contentType: string;
  contentLanguage?: string;
  metadata: Record<string, string>;
  /** `length` bytes of the content from `offset` (a multiple of 16 unless 0). */
  bytes(offset: number, length: number): Buffer;
}

const MiB = 2 ** 20;
const KiB = 2 ** 10;

/** mulberry32: small, fast, good enough to vary sizes and rows. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32LE(0);
}

/** AES-CTR keystream: any window of a large object can be produced without the rest. */
function binaryBytes(key: string, size: number): (offset: number, length: number) => Buffer {
  const aesKey = createHash('sha256').update(`cloudexit-synthetic:${key}`).digest().subarray(0, 16);
  return (offset, length) => {
    const end = Math.min(size, offset + length);
    const counter = Buffer.alloc(16);
    counter.writeBigUInt64BE(BigInt(Math.floor(offset / 16)), 8);
    const out = createCipheriv('aes-128-ctr', aesKey, counter).update(Buffer.alloc(end - offset));
    // Parquet files start and end with the magic "PAR1"; tools that sniff files see one.
    if (size >= 8) {
      if (offset === 0) out.write('PAR1', 0, 'latin1');
      if (end === size) out.write('PAR1', end - offset - 4, 'latin1');
    }
    return out;
  };
}

const CIM10 = ['I21.0', 'I50.9', 'C50.9', 'C34.1', 'E11.9', 'J18.9', 'N18.5', 'K35.8', 'S72.0', 'F32.1'];

/** A pseudonymised CSV of about `size` bytes, cut to exactly `size`. */
function csvBytes(key: string, size: number): (offset: number, length: number) => Buffer {
  let whole: Buffer | undefined;
  return (offset, length) => {
    if (!whole) {
      const random = prng(seedOf(key));
      const rows = ['id_patient_pseudo;age;sexe;cim10;date_entree;duree_sejour_jours;unite_medicale'];
      let bytes = rows[0]!.length + 1;
      while (bytes < size) {
        const id = Math.floor(random() * 2 ** 48)
          .toString(16)
          .padStart(12, '0');
        const day = 1 + Math.floor(random() * 28);
        const row = `${id};${18 + Math.floor(random() * 80)};${random() < 0.5 ? 'F' : 'M'};${CIM10[Math.floor(random() * CIM10.length)]};2024-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(day).padStart(2, '0')};${Math.floor(random() * 30)};médecine-${Math.floor(random() * 9)}`;
        rows.push(row);
        bytes += Buffer.byteLength(row) + 1;
      }
      whole = Buffer.from(`${rows.join('\n')}\n`).subarray(0, size);
    }
    return whole.subarray(offset, offset + length);
  };
}

function csv(key: string, size: number, metadata: Record<string, string>): SyntheticObject {
  return {
    key,
    size,
    contentType: 'text/csv; charset=utf-8',
    contentLanguage: 'fr',
    metadata,
    bytes: csvBytes(key, size),
  };
}

function parquet(key: string, size: number, metadata: Record<string, string>): SyntheticObject {
  return { key, size, contentType: 'application/vnd.apache.parquet', metadata, bytes: binaryBytes(key, size) };
}

const HOSPITAL_UNITS = ['cardiologie', 'oncologie', 'réanimation', 'néphrologie', 'pédiatrie', 'gériatrie'];

function hospital(dataset: string, objects: number, withLargeFile: boolean): SyntheticObject[] {
  const random = prng(seedOf(dataset));
  const meta = { source_system: `dpi-${dataset}`, pseudonymisation: 'hdh-v2', classification: 'health-data' };
  const list: SyntheticObject[] = [];
  for (let i = 0; i < objects; i++) {
    const unit = HOSPITAL_UNITS[i % HOSPITAL_UNITS.length]!;
    const quarter = 1 + (i % 4);
    const lot = String(Math.floor(i / 24)).padStart(3, '0');
    if (i % 12 === 11) {
      const size = 64 * KiB + Math.floor(random() * 1.5 * MiB);
      list.push(
        parquet(
          `biologie/2024/T${quarter}/${unit}/lot-${lot}/résultats-${String(i).padStart(5, '0')}.parquet`,
          size,
          meta,
        ),
      );
    } else {
      const size = 200 + Math.floor(random() * 24 * KiB);
      list.push(
        csv(
          `extractions/2024/trimestre-${quarter}/séjours/unité-médicale/${unit}/lot-${lot}/patients-pseudonymisés-${String(i).padStart(5, '0')}.csv`,
          size,
          meta,
        ),
      );
    }
  }
  if (withLargeFile) list.push(parquet('imagerie/2024/comptes-rendus-agrégés-2024.parquet', 20 * MiB + 12_345, meta));
  return list;
}

function snds(objects: number): SyntheticObject[] {
  const random = prng(seedOf('snds'));
  const meta = { source_system: 'snds', pseudonymisation: 'cnam-fpe', classification: 'health-data' };
  const tables = ['dcir', 'pmsi-mco', 'pmsi-ssr', 'cepidc', 'ir-ben'];
  const list: SyntheticObject[] = [];
  for (let i = 0; i < objects; i++) {
    const table = tables[i % tables.length]!;
    const month = String(1 + (i % 12)).padStart(2, '0');
    const size = i % 5 === 0 ? 1 * MiB + Math.floor(random() * 2 * MiB) : 2 * KiB + Math.floor(random() * 60 * KiB);
    list.push(parquet(`${table}/année=2024/mois=${month}/partie-${String(i).padStart(5, '0')}.parquet`, size, meta));
  }
  // Over 64 MiB: the multipart path, part layout and resumption are exercised on every rehearsal.
  list.push(parquet('dcir/année=2024/dcir-prestations-consolidées-2024.parquet', 72 * MiB + 4_321, meta));
  return list;
}

function nomenclatures(): SyntheticObject[] {
  const meta = { source_system: 'referentiels', classification: 'public' };
  const list: SyntheticObject[] = [];
  const families = ['cim-10', 'ccam', 'atc', 'ucd', 'ngap'];
  for (let i = 0; i < 95; i++) {
    const family = families[i % families.length]!;
    list.push(
      csv(
        `${family}/version-2025/chapitre-${String(i % 22).padStart(2, '0')}/codes-${String(i).padStart(3, '0')}.csv`,
        300 + ((i * 977) % 9000),
        meta,
      ),
    );
  }
  list.push(csv('LISEZ-MOI.txt', 0, meta));
  list.push({ ...csv('médicaments/libellés-été-中文-ü.csv', 4096, meta) });
  list.push(csv('très/profond/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/fichier-imbriqué.csv', 1234, meta));
  list.push(csv('vide/aucune-donnée.csv', 0, meta));
  list.push(csv('espaces et symboles/fichier (copie) #1 + 50%.csv', 777, meta));
  return list;
}

/** The synthetic content of each EMC2 dataset, by dataset name (at least 2,000 objects in all). */
export function syntheticWarehouse(): Map<string, SyntheticObject[]> {
  return new Map([
    ['nomenclatures', nomenclatures()],
    ['clb', hospital('clb', 430, false)],
    ['hcl', hospital('hcl', 430, true)],
    ['chru-nancy', hospital('chru-nancy', 430, false)],
    ['hpsj', hospital('hpsj', 430, false)],
    ['snds-extracts', snds(220)],
  ]);
}
