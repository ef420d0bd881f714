/** Events for the audit tests: built with the real hashing, as a store would build them. */
import { GENESIS, hashEvent } from '../../src/audit/chain.ts';
import type { AuditEvent, AuditInput } from '../../src/audit/event.ts';

/** The input of the `i`-th sample event (1-based): a realistic cutover step. */
export function sampleInput(i: number, overrides: Partial<AuditInput> = {}): AuditInput {
  const steps = ['preflight', 'freeze', 'final-sync', 'verify', 'switch'];
  return {
    time: new Date(Date.UTC(2026, 10, 30, 22, 0, i)).toISOString(),
    actor: i % 3 === 0 ? 'Claire Martin (decision maker)' : 'cloudexit',
    phase: i % 4 === 0 ? undefined : 2,
    step: steps[i % steps.length]!,
    outcome: 'succeeded',
    details: { index: i, objects: 1000 + i, note: `step ${i} — données de santé`, nested: { b: [1, 'two'], a: null } },
    ...overrides,
  };
}

/** A valid chain of `count` events, linked from GENESIS. */
export function chainOf(count: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const unhashed = { ...sampleInput(seq), seq, prevHash: events.at(-1)?.hash ?? GENESIS };
    events.push({ ...unhashed, hash: hashEvent(unhashed) });
  }
  return events;
}
