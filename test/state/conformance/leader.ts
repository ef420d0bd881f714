/**
 * Conformance of a `PhaseLeader` (src/state/contracts/leader.ts): every implementation runs
 * this suite unchanged, with a fresh storage per test. A holder in another process
 * (`fixtures/leader-child.ts`) shows what one machine's test can show of many: it is
 * refused while another holds the lock, and a holder killed with SIGKILL does not keep it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import {
  isRefusal,
  type HeldPhaseLock,
  type LockHolder,
  type PhaseLeader,
  type PhaseLockRefusal,
} from '../../../src/state/contracts/leader.ts';
import type { StateHandle } from '../../../src/state/state-store.ts';
import { useStorage, type CreateStorage } from './storage.ts';

/** How the child process reaches the storage. */
export interface LeaderSuiteOptions {
  /**
   * The environment the child needs beside the store's `location` (a password), once the server runs.
   * @default process.env
   */
  childEnv?: () => NodeJS.ProcessEnv;
}

const me = (command: string): LockHolder => ({ host: hostname(), pid: process.pid, command });

function held(outcome: HeldPhaseLock | PhaseLockRefusal): HeldPhaseLock {
  if (isRefusal(outcome)) throw new Error(`expected the lock, refused: held by ${JSON.stringify(outcome.heldBy)}`);
  return outcome;
}

function refused(outcome: HeldPhaseLock | PhaseLockRefusal): PhaseLockRefusal {
  if (!isRefusal(outcome)) throw new Error('expected a refusal, got the lock');
  return outcome;
}

export function describePhaseLeaderConformance(
  name: string,
  create: CreateStorage<PhaseLeader & StateHandle>,
  options: LeaderSuiteOptions = {},
): void {
  describe(`${name}: single-leader phases`, () => {
    const fixture = useStorage(create);
    const children: ChildProcess[] = [];
    afterEach(() => {
      for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    });

    /** A process that asks for the lock of `phase`; resolves with its answer once it has one. */
    function childAsks(phase: number): Promise<{ child: ChildProcess; answer: Record<string, unknown> }> {
      const child = spawn(
        process.execPath,
        ['test/state/fixtures/leader-child.ts', fixture.store.location, String(phase)],
        { env: options.childEnv?.() ?? process.env, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      children.push(child);
      return new Promise((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`the child exited (${code}) before answering`)));
        createInterface({ input: child.stdout! }).once('line', (line) => resolve({ child, answer: JSON.parse(line) }));
      });
    }

    it('grants a free phase, refuses a second caller naming the holder, and keeps phases apart', async () => {
      const first = held(await fixture.store.acquirePhaseLock(1, me('cutover 1')));
      expect(first.holder).toEqual(me('cutover 1'));
      expect(Number.isNaN(Date.parse(first.since))).toBe(false);
      const other = await fixture.connect();
      const refusal = refused(await other.acquirePhaseLock(1, me('rollback 1')));
      expect(refusal).toEqual({ heldBy: me('cutover 1'), since: first.since });
      const phase2 = held(await other.acquirePhaseLock(2, me('cutover 2')));
      await Promise.all([first.release(), phase2.release()]);
    });

    it('grants the lock again once released; releasing twice is no error', async () => {
      const first = held(await fixture.store.acquirePhaseLock(3, me('cutover 3')));
      await first.release();
      await first.release();
      const other = await fixture.connect();
      const second = held(await other.acquirePhaseLock(3, me('rollback 3')));
      refused(await fixture.store.acquirePhaseLock(3, me('cutover 3')));
      await second.release();
    });

    it('grants one of five handles asking at the same moment', async () => {
      const handles = [fixture.store, ...(await Promise.all([1, 2, 3, 4].map(() => fixture.connect())))];
      const outcomes = await Promise.all(handles.map((h, i) => h.acquirePhaseLock(4, me(`cutover 4 #${i}`))));
      const granted = outcomes.filter((o) => !isRefusal(o)) as HeldPhaseLock[];
      expect(granted).toHaveLength(1);
      for (const o of outcomes.filter(isRefusal)) expect(o.heldBy).toEqual(granted[0]!.holder);
      await granted[0]!.release();
    });

    it('refuses while another process holds it, and grants it once that process was killed', async () => {
      const { child, answer } = await childAsks(5);
      expect(answer).toMatchObject({ held: true });
      const refusal = refused(await fixture.store.acquirePhaseLock(5, me('cutover 5')));
      expect(refusal.heldBy).toEqual({ host: hostname(), pid: child.pid, command: 'child 5' });
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
      // The server notices the closed connection, or the pid is gone, without anyone releasing.
      const taken = await eventually(() => fixture.store.acquirePhaseLock(5, me('cutover 5')));
      expect(taken.holder).toEqual(me('cutover 5'));
      // And the next process is refused, naming us.
      const { answer: second } = await childAsks(5);
      expect(second).toMatchObject({ heldBy: me('cutover 5') });
      await taken.release();
    });
  });
}

/**
 * Asks until granted: a killed holder's connection ends on the server a moment after the
 * process (the kernel closes the socket, the backend sees it). Bounded, not timed: fails after 100 tries.
 */
async function eventually(ask: () => Promise<HeldPhaseLock | PhaseLockRefusal>): Promise<HeldPhaseLock> {
  for (let i = 0; ; i++) {
    const outcome = await ask();
    if (!isRefusal(outcome)) return outcome;
    if (i >= 100) throw new Error(`still held by ${JSON.stringify(outcome.heldBy)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
