/** What copying one object proves: the hashes of the bytes read and what the target reported. */
export interface TransferResult {
  sha256: string;
  /** Hex MD5 of the whole object: always for a one-shot PUT, for parts only where a check used it. */
  md5: string | undefined;
  targetEtag: string;
  expectedEtag: string | undefined;
  /** Canonical JSON of the headers and metadata written (target-meta.ts). */
  targetMeta: string;
  /** Where the target holds the SHA-256. */
  sha256Carrier: 'metadata' | 'tag' | 'none';
  /** Parts sent in this run (1 for a one-shot upload). */
  partsUploaded: number;
  /** Parts found already on the target from an earlier run. */
  partsResumed: number;
}
