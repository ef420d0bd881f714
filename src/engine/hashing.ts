/**
 * Hashes computed while bytes stream from the source, and only those that prove something:
 * SHA-256 of every byte always (the proof kept in the manifests); MD5 of every part (the
 * Content-MD5 the target checks, and the multipart ETag); the whole object's MD5 only where
 * a check uses it (see {@link needsWholeMd5}): each hash is one more pass over every byte.
 */
import { createHash, type Hash } from 'node:crypto';

export function md5(bytes: Uint8Array): Buffer {
  return createHash('md5').update(bytes).digest();
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Whether copying an object in parts must also hash the whole object with MD5: only when
 * the source declares a Content-MD5 (the bytes read must agree with it). Part MD5s cover
 * Content-MD5 and the S3 multipart ETag; the SHA-256 proves the bytes. A target whose
 * multipart ETag is the whole MD5 (s3rver) then gets no expected ETag, as an opaque one: one
 * pass of MD5 over every byte (0.38 CPU-s per 256 MiB here) bought only a second proof of
 * what the SHA-256 and each part's Content-MD5 already prove.
 */
export function needsWholeMd5(declaredMd5: string | undefined): boolean {
  return declaredMd5 !== undefined;
}

/** What hashing a whole object gave: the whole MD5 only when it was asked for. */
export interface ObjectDigest {
  sha256: string;
  /** Hex MD5 of the whole object, when computed. */
  md5: string | undefined;
  md5Bytes: Buffer | undefined;
}

/** SHA-256, and MD5 when asked, of a whole object, fed in order. */
export class ObjectHasher {
  readonly #sha256: Hash = createHash('sha256');
  readonly #md5: Hash | undefined;
  #bytes = 0;

  /** @param options.wholeMd5 also hash with MD5. @default true */
  constructor(options: { wholeMd5?: boolean } = {}) {
    this.#md5 = options.wholeMd5 === false ? undefined : createHash('md5');
  }

  update(chunk: Uint8Array): void {
    this.#sha256.update(chunk);
    this.#md5?.update(chunk);
    this.#bytes += chunk.byteLength;
  }

  get bytes(): number {
    return this.#bytes;
  }

  digest(): ObjectDigest {
    const md5Bytes = this.#md5?.digest();
    return { sha256: this.#sha256.digest('hex'), md5: md5Bytes?.toString('hex'), md5Bytes };
  }
}

/**
 * Feeds part buffers to an `ObjectHasher` in part order although parts finish in any
 * order: part n waits until parts before it have been fed. Parts are started in order
 * and the lowest unfinished part never waits, so a bounded window cannot deadlock.
 */
export class OrderedHasher {
  readonly hasher: ObjectHasher;
  #next = 0;
  readonly #waiting = new Map<number, { resolve: () => void; reject: (reason: unknown) => void }>();

  /** @param options.wholeMd5 also hash the whole object with MD5. @default true */
  constructor(options: { wholeMd5?: boolean } = {}) {
    this.hasher = new ObjectHasher(options);
  }

  #aborted: { reason: unknown } | undefined;

  /**
   * Feeds part `index` (0-based) once every earlier part has been fed. Rejects with the
   * reason given to `abort`, at once or while waiting: an earlier part that failed will never
   * be fed, and a later one must not wait for it forever (it holds a buffer of the budget).
   */
  async feed(index: number, bytes: Uint8Array): Promise<void> {
    if (this.#aborted) throw this.#aborted.reason;
    if (index !== this.#next)
      await new Promise<void>((resolve, reject) => this.#waiting.set(index, { resolve, reject }));
    this.hasher.update(bytes);
    this.#next = index + 1;
    const wake = this.#waiting.get(this.#next);
    if (wake) {
      this.#waiting.delete(this.#next);
      wake.resolve();
    }
  }

  /** Stops the ordering after a part failed: every waiting and later `feed` rejects with `reason`. */
  abort(reason: unknown): void {
    this.#aborted ??= { reason };
    for (const waiter of this.#waiting.values()) waiter.reject(reason);
    this.#waiting.clear();
  }
}
