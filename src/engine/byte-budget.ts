/**
 * A semaphore counted in bytes: every part or small object buffered for upload takes
 * its size from the budget first, which is what keeps the copier's memory bounded
 * whatever the object sizes and concurrency. A request larger than the whole budget is
 * granted alone (when nothing else is held), so it cannot wait forever.
 */
export class ByteBudget {
  readonly capacity: number;
  #used = 0;
  readonly #queue: { bytes: number; grant: () => void }[] = [];

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get used(): number {
    return this.#used;
  }

  /** Requests waiting for bytes to be given back. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Waits until `bytes` fit, takes them, and returns the function that gives them back. */
  async acquire(bytes: number): Promise<() => void> {
    if (this.#queue.length === 0 && this.#fits(bytes)) {
      this.#used += bytes;
    } else {
      // FIFO: a large request is not starved by a stream of small ones.
      await new Promise<void>((grant) => this.#queue.push({ bytes, grant }));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#used -= bytes;
      this.#drain();
    };
  }

  #fits(bytes: number): boolean {
    return this.#used + bytes <= this.capacity || this.#used === 0;
  }

  #drain(): void {
    while (this.#queue.length > 0 && this.#fits(this.#queue[0]!.bytes)) {
      const next = this.#queue.shift()!;
      this.#used += next.bytes;
      next.grant();
    }
  }
}
