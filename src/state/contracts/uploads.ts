/**
 * The upload log: multipart uploads in progress on the target, with the parts already
 * there, so a copy interrupted at any point resumes without sending a recorded part again.
 * Written by the engine's transfer; every implementation passes
 * `test/state/conformance/uploads.ts`.
 */

export interface UploadRecord {
  dataset: string;
  key: string;
  targetKey: string;
  uploadId: string;
  partSize: number;
  /** Source ETag when the upload started: a changed source invalidates the recorded parts. */
  sourceEtag: string;
  /** ISO 8601. */
  startedAt: string;
  /** Completed parts in part-number order. */
  parts: PartRecord[];
}

export interface PartRecord {
  partNumber: number;
  etag: string;
  /** Hex MD5 of the part's bytes. */
  md5: string;
  size: number;
}

/**
 * At most one upload per object (dataset and source key). Safe to use from many processes
 * on one storage; a promise that resolved means the change is durable.
 */
export interface UploadLog {
  /**
   * The upload in progress for this object with its recorded parts in part-number order,
   * if any. Upload and parts come from the same moment (one consistent read).
   */
  getUpload(dataset: string, key: string): Promise<UploadRecord | undefined>;
  /** Records a new upload, atomically replacing any earlier one of the same object and forgetting its parts. */
  startUpload(upload: Omit<UploadRecord, 'parts'>): Promise<void>;
  /**
   * Records one part as completed on the target; recording the same part number again
   * (a retried part) replaces it. Durable when the promise resolves. Rejects when
   * `uploadId` is not the upload in progress (it was cleared or replaced meanwhile): the
   * check and the write are one atomic step, so a stale writer can never add a part to
   * someone else's upload.
   */
  recordPart(dataset: string, key: string, uploadId: string, part: PartRecord): Promise<void>;
  /** Forgets the upload of this object and its parts (after completion or abort); nothing to forget is no error. */
  clearUpload(dataset: string, key: string): Promise<void>;
}
