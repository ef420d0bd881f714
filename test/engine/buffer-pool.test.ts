import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/engine/buffer-pool.ts';
import { ByteBudget } from '../../src/engine/byte-budget.ts';

describe('buffer pool', () => {
  it('hands a kept buffer, with its share of the budget, to the next part of its size', async () => {
    const budget = new ByteBudget(100);
    const pool = new BufferPool(budget);
    const first = await pool.acquire(40);
    expect(first.buffer).toBeUndefined();
    const bytes = Buffer.alloc(40);
    expect(pool.keep(bytes, first.release, 40)).toBe(true);
    expect(budget.used).toBe(40); // the spare still holds its bytes
    const second = await pool.acquire(40);
    expect(second.buffer).toBe(bytes);
    expect(budget.used).toBe(40);
    second.release();
    expect(budget.used).toBe(0);
  });

  it('keeps nothing when the next part has another size, or someone waits for the budget', async () => {
    const budget = new ByteBudget(50);
    const pool = new BufferPool(budget);
    const lease = await pool.acquire(40);
    expect(pool.keep(Buffer.alloc(40), lease.release, 30)).toBe(false);
    expect(pool.keep(Buffer.alloc(40), lease.release, undefined)).toBe(false); // no next part
    const waiting = budget.acquire(20);
    expect(budget.waiting).toBe(1);
    expect(pool.keep(Buffer.alloc(40), lease.release, 40)).toBe(false); // FIFO order of the budget first
    expect(pool.size).toBe(0);
    lease.release();
    (await waiting)();
    expect(budget.used).toBe(0);
  });

  it('gives every spare back before a part without a spare of its size waits for the budget', async () => {
    const budget = new ByteBudget(100);
    const pool = new BufferPool(budget);
    const a = await pool.acquire(60);
    pool.keep(Buffer.alloc(60), a.release, 60);
    // 50 more bytes do not fit beside the 60-byte spare: the spare goes back, so the part cannot wait on it.
    const b = await pool.acquire(50);
    expect(b.buffer).toBeUndefined();
    expect(pool.size).toBe(0);
    expect(budget.used).toBe(50);
    b.release();
  });

  it('drains every spare back into the budget', async () => {
    const budget = new ByteBudget(100);
    const pool = new BufferPool(budget);
    const a = await pool.acquire(10);
    const b = await pool.acquire(10);
    pool.keep(Buffer.alloc(10), a.release, 10);
    pool.keep(Buffer.alloc(10), b.release, 10);
    expect(pool.size).toBe(2);
    pool.drain();
    expect(pool.size).toBe(0);
    expect(budget.used).toBe(0);
  });
});
