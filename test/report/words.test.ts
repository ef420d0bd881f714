/**
 * Words for project managers (Paris dates and times, durations in hours and days, plan text
 * kept literal in Markdown) and the plan's communication section that the runbooks list.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parsePlan } from '../../src/plan/load.ts';
import { renderRunbooks } from '../../src/report/runbook.ts';
import { humanDuration, parisDate, parisDateTime, plain } from '../../src/report/runbook/format.ts';
import { inlineHtml } from '../../src/report/html.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import { SAMPLE_PLAN } from './fixture.ts';

describe('dates, times and durations', () => {
  it('writes instants in Europe/Paris, winter and summer time alike', () => {
    expect(parisDateTime('2026-12-07T20:30:00Z')).toBe('2026-12-07 21:30 (Europe/Paris)');
    expect(parisDateTime('2026-07-01T22:15:00Z')).toBe('2026-07-02 00:15 (Europe/Paris)');
    expect(parisDate('2026-12-31T23:30:00Z')).toBe('2027-01-01 (Europe/Paris)');
    expect(parisDate('2026-12-21')).toBe('2026-12-21 (Europe/Paris)');
  });

  it('writes durations in minutes, hours and days', () => {
    expect(humanDuration(10)).toBe('under 1 min');
    expect(humanDuration(12 * 60)).toBe('12 min');
    expect(humanDuration(3 * 3600 + 20 * 60)).toBe('3 h 20 min');
    expect(humanDuration(2 * 3600)).toBe('2 h');
    expect(humanDuration(86_400)).toBe('1 day');
    expect(humanDuration(2.5 * 86_400)).toBe('2.5 days');
    expect(humanDuration(Infinity)).toBe('longer than can be estimated');
  });

  it('keeps plan text literal in Markdown and HTML: no accidental emphasis, table breaks or bare links', () => {
    const text = 'Stewards | *HCL* and [CHRU] <b> — mail emc2@hdh.example.fr or see https://hdh.example.fr/emc2.';
    const md = plain(text);
    expect(md).toBe(
      'Stewards \\| \\*HCL\\* and \\[CHRU\\] \\<b\\> — mail <emc2@hdh.example.fr> or see <https://hdh.example.fr/emc2>.',
    );
    expect(inlineHtml(md)).toBe(
      'Stewards | *HCL* and [CHRU] &lt;b&gt; — mail <a href="mailto:emc2@hdh.example.fr">emc2@hdh.example.fr</a> or see <a href="https://hdh.example.fr/emc2">https://hdh.example.fr/emc2</a>.',
    );
    expect(inlineHtml('Run `a < b` then [Phase 2 runbook](phase-2.md) and **go**')).toBe(
      'Run <code>a &lt; b</code> then <a href="#phase-2">Phase 2 runbook</a> and <strong>go</strong>',
    );
  });
});

describe('communication plan', () => {
  async function sample(edit: (doc: ReturnType<typeof parseDocument>) => void = () => {}) {
    const doc = parseDocument(await readFile(SAMPLE_PLAN, 'utf8'));
    edit(doc);
    return { ...parsePlan(doc.toString(), 'plan.yaml'), file: 'runbooks/emc2/plan.yaml' };
  }

  it('is optional: a plan without it is valid and its runbooks say so', async () => {
    const plan = await sample((doc) => doc.delete('communication'));
    expect(plan.communication).toEqual([]);
    const state = await openSqliteStateStore(':memory:');
    try {
      const files = await renderRunbooks({ plan, state });
      expect(files.get('phase-1.md')).toContain(
        'The plan has no message for this phase: add them under `communication` in the plan.',
      );
    } finally {
      await state.close();
    }
  });

  it('refuses a message for a phase the plan does not have, naming where', async () => {
    await expect(sample((doc) => doc.setIn(['communication', 0, 'phases'], doc.createNode([7])))).rejects.toThrow(
      /communication\[0\]\.phases\[0\]: there is no phase 7/,
    );
    await expect(sample((doc) => doc.setIn(['communication', 0, 'sender'], 'everyone'))).rejects.toThrow(
      /communication\[0\]\.sender/,
    );
  });

  it('each phase lists the messages for it, in the order of the cutover', async () => {
    const plan = await sample((doc) =>
      doc.addIn(
        ['communication'],
        doc.createNode({
          when: 'after-commit',
          audience: 'SNDS data steward and CNAM liaison',
          message: 'The extracts are served from the new host.',
          channel: 'E-mail to the CNAM liaison',
          sender: 'dataOwner',
          phases: [3],
        }),
      ),
    );
    const state = await openSqliteStateStore(':memory:');
    try {
      const files = await renderRunbooks({ plan, state });
      const rows = (name: string) =>
        files
          .get(name)!
          .split('## Communication')[1]!
          .split('## Evidence')[0]!
          .split('\n')
          .filter((l) => l.startsWith('| ') && !l.startsWith('| When') && !l.startsWith('| ---'));
      const when = (name: string) => rows(name).map((r) => r.split(' | ')[0]!.slice(2).split(':')[0]);
      expect(when('phase-1.md')).toEqual([
        'Before the freeze',
        'Before the freeze',
        'At the go/no-go',
        'After the switch',
        'After the commit',
        'On a rollback',
      ]);
      // The message addressed to phase 3 only.
      expect(rows('phase-3.md').some((r) => r.includes('SNDS data steward and CNAM liaison'))).toBe(true);
      expect(rows('phase-1.md').some((r) => r.includes('CNAM liaison'))).toBe(false);
      expect(rows('phase-1.md')[0]).toMatch(
        /\| E-mail to the EMC2 users list, and a banner on the EMC2 portal \| Decision maker, EMC2 programme director \(HDH\) \|$/,
      );
    } finally {
      await state.close();
    }
  });
});
