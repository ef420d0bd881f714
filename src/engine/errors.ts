/**
 * Failures of one object that retrying the same request cannot fix. They name the
 * dataset and key and say what the operator can do; they never carry a secret because
 * they are built from keys, sizes and hashes only.
 */
export class IntegrityError extends Error {
  override name = 'IntegrityError';
  /**
   * The ETag of the object cloudexit wrote before the check failed, when it did: recorded, so
   * the next copy may replace that object (overwrite-guard.ts).
   */
  readonly writtenEtag: string | undefined;
  constructor(message: string, options: { writtenEtag?: string } = {}) {
    super(message);
    this.writtenEtag = options.writtenEtag;
  }
}

/** The source object changed (or vanished) since it was listed; the copy restarts from a fresh listing. */
export class SourceChangedError extends Error {
  override name = 'SourceChangedError';
  readonly gone: boolean;
  constructor(message: string, gone: boolean) {
    super(message);
    this.gone = gone;
  }
}

/**
 * The multipart upload recorded for an object no longer exists at the target (aborted, or
 * expired by a lifecycle rule): it is forgotten, and a new one starts.
 */
export class UploadVanishedError extends Error {
  override name = 'UploadVanishedError';
}
