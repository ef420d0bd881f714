/**
 * A bounded hand-over between one producer and one consumer: the inventory pushes the
 * records it has just written to the state, the copy takes them as they come (copy.ts).
 * The producer waits while the channel is full, so memory stays bounded whatever the size
 * of the listing; once the consumer stops reading (it finished, failed or was stopped),
 * pushes return at once and report the item dropped, so the producer never waits forever.
 */
export class RecordChannel<T> implements AsyncIterable<T> {
  readonly #capacity: number;
  #items: T[] = [];
  #head = 0;
  #closed = false;
  #abandoned = false;
  #readerWaiting: (() => void) | undefined;
  #writerWaiting: (() => void) | undefined;

  /** @param capacity items held at most before `push` waits (at least 1) */
  constructor(capacity: number) {
    this.#capacity = Math.max(1, Math.floor(capacity));
  }

  /** Hands `item` over, waiting while the channel is full. `false`: the consumer is gone and the item was dropped. */
  async push(item: T): Promise<boolean> {
    while (!this.#abandoned && this.#size() >= this.#capacity) {
      await new Promise<void>((resolve) => (this.#writerWaiting = resolve));
    }
    if (this.#abandoned) return false;
    this.#items.push(item);
    this.#wake('reader');
    return true;
  }

  /** No more items: the consumer ends once it has taken those already pushed. */
  close(): void {
    this.#closed = true;
    this.#wake('reader');
  }

  /** The consumer is gone: drops what is held and lets every push return at once. */
  abandon(): void {
    this.#abandoned = true;
    this.#items = [];
    this.#head = 0;
    this.#wake('writer');
    this.#wake('reader');
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      for (;;) {
        if (this.#abandoned) return;
        if (this.#size() > 0) {
          const item = this.#items[this.#head++]!;
          if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
            this.#items = this.#items.slice(this.#head);
            this.#head = 0;
          }
          this.#wake('writer');
          yield item;
          continue;
        }
        if (this.#closed) return;
        await new Promise<void>((resolve) => (this.#readerWaiting = resolve));
      }
    } finally {
      // A consumer that stops early (break, error) must not leave the producer waiting.
      if (!this.#closed || this.#size() > 0) this.abandon();
    }
  }

  #size(): number {
    return this.#items.length - this.#head;
  }

  #wake(who: 'reader' | 'writer'): void {
    const resume = who === 'reader' ? this.#readerWaiting : this.#writerWaiting;
    if (who === 'reader') this.#readerWaiting = undefined;
    else this.#writerWaiting = undefined;
    resume?.();
  }
}
