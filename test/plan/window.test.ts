import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { addDays, daysBetween, fixedClock, parisDay } from '../../src/plan/clock.ts';
import { parsePlan } from '../../src/plan/load.ts';
import { authorisationWindow, windowStatus } from '../../src/plan/window.ts';

const EMC2 = { authorisedOn: '2023-12-21', years: 3, safetyMarginDays: 5 };

describe('authorisation window', () => {
  it('2023-12-21 + 3 years closes on 2026-12-21; the deadline keeps the safety margin', () => {
    expect(authorisationWindow(EMC2)).toEqual({
      opensOn: '2023-12-21',
      closesOn: '2026-12-21',
      deadline: '2026-12-16',
      safetyMarginDays: 5,
    });
    expect(authorisationWindow({ authorisedOn: '2024-02-29', years: 1, safetyMarginDays: 0 }).closesOn).toBe(
      '2025-02-28',
    );
  });

  it('counts days left in Paris, whatever the machine time zone', () => {
    const window = authorisationWindow(EMC2);
    expect(windowStatus(window, fixedClock('2026-11-22'))).toMatchObject({
      today: '2026-11-22',
      daysLeft: 29,
      daysToDeadline: 24,
    });
    // 23:30 UTC on 20 Dec is already 21 Dec in Paris: the window has closed.
    expect(windowStatus(window, fixedClock('2026-12-20T23:30:00Z'))).toMatchObject({
      today: '2026-12-21',
      daysLeft: 0,
    });
    expect(windowStatus(window, fixedClock('2027-01-05')).daysLeft).toBe(-15);
  });

  it('has date helpers that agree with each other', () => {
    expect(addDays('2026-12-21', -5)).toBe('2026-12-16');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(daysBetween('2026-11-22', '2026-12-21')).toBe(29);
    expect(parisDay(new Date('2026-07-01T22:30:00Z'))).toBe('2026-07-02'); // summer time, UTC+2
  });
});

describe('a plan whose phases do not fit the window', () => {
  const sample = () => readFile('runbooks/emc2/plan.yaml', 'utf8');

  it('is rejected with the dates involved', async () => {
    const doc = parseDocument(await sample());
    doc.setIn(['phases', 2, 'plannedCutover'], '2026-12-18');
    expect(() => parsePlan(doc.toString(), 'plan.yaml')).toThrow(
      /phases\[2\]\.plannedCutover: phase 3 is planned for 2026-12-18, after the deadline 2026-12-16 \(the window closes on 2026-12-21, minus a safety margin of 5 days\)/,
    );
  });

  it('is accepted once the margin allows it, and refused before the authorisation', async () => {
    const doc = parseDocument(await sample());
    doc.setIn(['phases', 2, 'plannedCutover'], '2026-12-18');
    doc.setIn(['window', 'safetyMarginDays'], 2);
    expect(parsePlan(doc.toString(), 'plan.yaml').phases[2]!.plannedCutover).toBe('2026-12-18');
    doc.setIn(['phases', 0, 'plannedCutover'], '2023-01-01');
    expect(() => parsePlan(doc.toString(), 'plan.yaml')).toThrow(/before the authorisation began \(2023-12-21\)/);
  });
});
