/**
 * "Now" and "today" for everything date-related (window, days left, projections,
 * runbooks), replaceable so tests and rehearsals can fix the date. Days are calendar days
 * in Europe/Paris, the time zone of the authorisation and of the people who sign.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock stopped at `iso` (a date `YYYY-MM-DD`, taken at noon Paris time, or a full ISO datetime). */
export function fixedClock(iso: string): Clock {
  const at = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T12:00:00+01:00`) : new Date(iso);
  if (Number.isNaN(at.getTime())) throw new RangeError(`not a date: ${iso}`);
  return { now: () => new Date(at) };
}

/**
 * The system clock, unless `CLOUDEXIT_NOW` fixes it (for rehearsals of a given day and
 * for tests that run the CLI in a child process).
 */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): Clock {
  return env['CLOUDEXIT_NOW'] ? fixedClock(env['CLOUDEXIT_NOW']) : systemClock;
}

// Built on first use: the first Europe/Paris formatter loads ICU's time-zone data (~20 ms
// of CPU), which only the reports need, not a copy.
let parisDayFormat: Intl.DateTimeFormat | undefined;
let parisMinuteFormat: Intl.DateTimeFormat | undefined;

/** The calendar day (`YYYY-MM-DD`) of `at` in Europe/Paris. */
export function parisDay(at: Date): string {
  parisDayFormat ??= new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Paris',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  return parisDayFormat.format(at);
}

/** Year, month, day, hour and minute (two digits each but the year, 24-hour) of `iso` in Europe/Paris. */
export function parisParts(iso: string): { year: string; month: string; day: string; hour: string; minute: string } {
  parisMinuteFormat ??= new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Paris',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const p: Record<string, string> = {};
  for (const part of parisMinuteFormat.formatToParts(new Date(iso))) p[part.type] = part.value;
  return { year: p['year']!, month: p['month']!, day: p['day']!, hour: p['hour']!, minute: p['minute']! };
}

/** Whole days from day `from` to day `to` (both `YYYY-MM-DD`); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Day `day` plus `days` calendar days. */
export function addDays(day: string, days: number): string {
  const at = new Date(`${day}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}
