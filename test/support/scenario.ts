/**
 * A story told on dates that cannot go stale. Tests that stamp events with a fixed clock
 * (approvals, cutover steps, a rollback) while real servers stamp what they store with the
 * real time break the day their fixed dates fall into the past: the quiescence check then
 * sees every seeded object as "written after the freeze". A scenario keeps the story's
 * shape — the same hours of the day, the same gaps, the same days left in the window — but
 * moves it by whole days so that its first event comes after the servers' stamps, whatever
 * today's date is. Expected texts are derived from the same shift, never written as dates.
 */
import { authorisationWindow } from '../../src/plan/window.ts';
import { addDays } from '../../src/plan/clock.ts';
import type { LoadedPlan } from '../../src/plan/load.ts';
import { parisDate, parisDateTime } from '../../src/report/runbook/format.ts';

const DAY_MS = 86_400_000;

export interface Scenario {
  /** Whole days the story was moved by. */
  readonly days: number;
  /** The moved instant of `iso` (a reference instant of the story), as ISO 8601. */
  at(iso: string): string;
  /** The moved calendar day of `day` (`YYYY-MM-DD`). */
  day(day: string): string;
  /** `at(iso)` as the runbooks print it: `YYYY-MM-DD HH:MM (Europe/Paris)`. */
  paris(iso: string): string;
  /** The Paris day of `at(iso)` as the runbooks print it: `YYYY-MM-DD (Europe/Paris)`. */
  parisDay(iso: string): string;
  /** The plan with its window and every planned cutover moved by the same days. */
  plan(plan: LoadedPlan): LoadedPlan;
}

/**
 * Moves a story whose earliest event is `earliest` so that it starts at least
 * `marginMs` from now, and so that the window of `plan` closes exactly `days` later too
 * (a 29 February on the way can make "authorised on + N years" one day off otherwise).
 */
export function scenarioAfterNow(earliest: string, window: LoadedPlan['window'], marginMs = 3_600_000): Scenario {
  let days = Math.max(0, Math.ceil((Date.now() + marginMs - Date.parse(earliest)) / DAY_MS));
  const closes = authorisationWindow(window).closesOn;
  const shifted = (d: number) => ({ ...window, authorisedOn: addDays(window.authorisedOn, d) });
  while (authorisationWindow(shifted(days)).closesOn !== addDays(closes, days)) days++;
  const at = (iso: string) => new Date(Date.parse(iso) + days * DAY_MS).toISOString();
  return {
    days,
    at,
    day: (day) => addDays(day, days),
    paris: (iso) => parisDateTime(at(iso)),
    parisDay: (iso) => parisDate(at(iso)),
    plan: (plan) => ({
      ...plan,
      window: shifted(days),
      phases: plan.phases.map((p) => ({ ...p, plannedCutover: addDays(p.plannedCutover, days) })),
    }),
  };
}
