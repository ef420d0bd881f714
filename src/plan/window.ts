/**
 * The authorisation window: the CNIL authorised the Azure hosting from `authorisedOn`
 * for `years` years; every phase must be committed by the deadline, `safetyMarginDays`
 * before the window closes, so that a failed cutover still has room for a second try.
 */
import { addDays, daysBetween, parisDay, type Clock } from './clock.ts';

export interface WindowSettings {
  authorisedOn: string;
  years: number;
  safetyMarginDays: number;
}

export interface AuthorisationWindow {
  opensOn: string;
  /** Last day of the authorisation is the day before; on this day it no longer holds. */
  closesOn: string;
  /** Last day a phase may be planned for. */
  deadline: string;
  safetyMarginDays: number;
}

/** 2023-12-21 + 3 years → closes 2026-12-21. A 29 February start closes on 28 February. */
export function authorisationWindow(settings: WindowSettings): AuthorisationWindow {
  const [y, m, d] = settings.authorisedOn.split('-').map(Number) as [number, number, number];
  const close = new Date(Date.UTC(y + settings.years, m - 1, d));
  if (close.getUTCMonth() !== m - 1) close.setUTCDate(0); // 29 Feb → last day of February
  const closesOn = close.toISOString().slice(0, 10);
  return {
    opensOn: settings.authorisedOn,
    closesOn,
    deadline: addDays(closesOn, -settings.safetyMarginDays),
    safetyMarginDays: settings.safetyMarginDays,
  };
}

/** Why a planned cutover day does not fit the window, or `undefined` when it does. */
export function cutoverOutsideWindow(window: AuthorisationWindow, plannedCutover: string): string | undefined {
  if (plannedCutover < window.opensOn) return `before the authorisation began (${window.opensOn})`;
  if (plannedCutover > window.deadline) {
    return `after the deadline ${window.deadline} (the window closes on ${window.closesOn}, minus a safety margin of ${window.safetyMarginDays} days)`;
  }
  return undefined;
}

export interface WindowStatus extends AuthorisationWindow {
  today: string;
  /** Calendar days until the window closes (0 on the closing day, negative after). */
  daysLeft: number;
  /** Calendar days until the deadline. */
  daysToDeadline: number;
}

export function windowStatus(window: AuthorisationWindow, clock: Clock): WindowStatus {
  const today = parisDay(clock.now());
  return {
    ...window,
    today,
    daysLeft: daysBetween(today, window.closesOn),
    daysToDeadline: daysBetween(today, window.deadline),
  };
}
