/**
 * Hashes computed while bytes stream from the source: SHA-256 is the proof kept in the
 * manifests; MD5 is what Azure's Content-MD5 and S3's ETags and Content-MD5 speak.
 */
import { createHash, type Hash } from 'node:crypto';

export function md5(bytes: Uint8Array): Buffer {
  return createHash('md5').update(bytes).digest();
}

/** SHA-256 and MD5 of a whole object, fed in order. */
export class ObjectHasher {
  readonly #sha256: Hash = createHash('sha256');
  readonly #md5: Hash = createHash('md5');
  #bytes = 0;

  update(chunk: Uint8Array): void {
    this.#sha256.update(chunk);
    this.#md5.update(chunk);
    this.#bytes += chunk.byteLength;
  }

  get bytes(): number {
    return this.#bytes;
  }

  digest(): { sha256: string; md5: string; md5Bytes: Buffer } {
    const md5Bytes = this.#md5.digest();
    return { sha256: this.#sha256.digest('hex'), md5: md5Bytes.toString('hex'), md5Bytes };
  }
}

/**
 * Feeds part buffers to an `ObjectHasher` in part order although parts finish in any
 * order: part n waits until parts before it have been fed. Parts are started in order
 * and the lowest unfinished part never waits, so a bounded window cannot deadlock.
 */
export class OrderedHasher {
  readonly hasher = new ObjectHasher();
  #next = 0;
  readonly #waiting = new Map<number, () => void>();

  /** Feeds part `index` (0-based) once every earlier part has been fed. */
  async feed(index: number, bytes: Uint8Array): Promise<void> {
    if (index !== this.#next) await new Promise<void>((resolve) => this.#waiting.set(index, resolve));
    this.hasher.update(bytes);
    this.#next = index + 1;
    const wake = this.#waiting.get(this.#next);
    if (wake) {
      this.#waiting.delete(this.#next);
      wake();
    }
  }
}
