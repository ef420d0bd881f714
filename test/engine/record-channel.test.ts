import { describe, expect, it } from 'vitest';
import { RecordChannel } from '../../src/engine/record-channel.ts';

const ticks = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('RecordChannel', () => {
  it('hands items over in order, and ends once closed and empty', async () => {
    const channel = new RecordChannel<number>(10);
    for (const n of [1, 2, 3]) expect(await channel.push(n)).toBe(true);
    channel.close();
    const seen: number[] = [];
    for await (const n of channel) seen.push(n);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('makes the producer wait while full, and lets it go as the consumer takes', async () => {
    const channel = new RecordChannel<number>(2);
    let pushed = 0;
    const producing = (async () => {
      for (let n = 0; n < 5; n++) {
        await channel.push(n);
        pushed++;
      }
      channel.close();
    })();
    await ticks();
    expect(pushed).toBe(2);
    const iterator = channel[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe(0);
    await ticks();
    expect(pushed).toBe(3);
    const rest: number[] = [];
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) rest.push(r.value);
    await producing;
    expect(rest).toEqual([1, 2, 3, 4]);
  });

  it('never leaves the producer waiting once the consumer stopped early', async () => {
    const channel = new RecordChannel<number>(1);
    await channel.push(1);
    const second = channel.push(2); // full: waits until 1 is taken
    let third: Promise<boolean> | undefined;
    for await (const n of channel) {
      expect(n).toBe(1);
      expect(await second).toBe(true); // 1 was taken: 2 fills the channel again
      third = channel.push(3); // full: waits
      await ticks();
      break; // the consumer gives up with 2 still held
    }
    expect(await third).toBe(false);
    expect(await channel.push(4)).toBe(false);
  });

  it('wakes a consumer waiting on an empty channel when it is closed or abandoned', async () => {
    const closed = new RecordChannel<number>(4);
    const ended = (async () => {
      for await (const _ of closed) throw new Error('nothing was pushed');
      return 'ended';
    })();
    await ticks();
    closed.close();
    expect(await ended).toBe('ended');

    const abandoned = new RecordChannel<number>(4);
    const stopped = (async () => {
      const seen: number[] = [];
      for await (const n of abandoned) seen.push(n);
      return seen;
    })();
    await ticks();
    abandoned.abandon();
    expect(await stopped).toEqual([]);
  });
});
