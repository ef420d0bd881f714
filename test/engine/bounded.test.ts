import { describe, expect, it } from 'vitest';
import { forEachBounded } from '../../src/engine/bounded.ts';

/** A piece of work the test finishes by hand, so no timing decides anything. */
function gate() {
  let open!: () => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const ticks = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('forEachBounded', () => {
  it('never runs more than `concurrency` at once and takes items only as slots free', async () => {
    const gates = Array.from({ length: 7 }, gate);
    let taken = 0;
    function* items() {
      for (let i = 0; i < gates.length; i++) {
        taken++;
        yield i;
      }
    }
    let running = 0;
    let peak = 0;
    const done = forEachBounded(
      items(),
      async (i) => {
        running++;
        peak = Math.max(peak, running);
        await gates[i]!.promise;
        running--;
      },
      { concurrency: 3 },
    );
    await ticks();
    expect(running).toBe(3);
    // The fourth item is pulled and waits for a slot; nothing beyond it is read.
    expect(taken).toBe(4);
    gates[1]!.open();
    await ticks();
    expect(running).toBe(3);
    expect(taken).toBe(5);
    for (const g of gates) g.open();
    await done;
    expect(peak).toBe(3);
    expect(taken).toBe(7);
  });

  it('reads an async iterable and passes each item its index', async () => {
    async function* items() {
      yield 'a';
      yield 'b';
      yield 'c';
    }
    const seen: string[] = [];
    await forEachBounded(items(), async (item, index) => void seen.push(`${index}:${item}`), { concurrency: 2 });
    expect(seen.sort()).toEqual(['0:a', '1:b', '2:c']);
  });

  it('stops taking items when asked, and lets the work running finish', async () => {
    const gates = Array.from({ length: 5 }, gate);
    let stop = false;
    const started: number[] = [];
    const finished: number[] = [];
    const done = forEachBounded(
      [0, 1, 2, 3, 4],
      async (i) => {
        started.push(i);
        await gates[i]!.promise;
        finished.push(i);
      },
      { concurrency: 2, stop: () => stop },
    );
    await ticks();
    stop = true;
    gates[0]!.open();
    gates[1]!.open();
    await done;
    expect(started).toEqual([0, 1]);
    expect(finished.sort()).toEqual([0, 1]);
  });

  it('throws the first failure once the running work is done, and takes nothing after it', async () => {
    const gates = Array.from({ length: 4 }, gate);
    const started: number[] = [];
    let secondFinished = false;
    const done = forEachBounded(
      [0, 1, 2, 3],
      async (i) => {
        started.push(i);
        await gates[i]!.promise;
        if (i === 1) secondFinished = true;
      },
      { concurrency: 2 },
    );
    const outcome = done.then(
      () => undefined,
      (error: unknown) => error,
    );
    await ticks();
    gates[0]!.fail(new Error('part 0 failed'));
    await ticks();
    expect(secondFinished).toBe(false);
    gates[1]!.open();
    const error = await outcome;
    expect((error as Error).message).toBe('part 0 failed');
    expect(secondFinished).toBe(true);
    expect(started).toEqual([0, 1]);
  });

  it('does nothing for no items', async () => {
    let calls = 0;
    await forEachBounded([], async () => void calls++, { concurrency: 4 });
    expect(calls).toBe(0);
  });
});
