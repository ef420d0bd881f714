/**
 * The plan's governance section (contacts, escalation, vendor support, go/no-go criteria,
 * acceptance, document control, risks, the cutover night's hours): optional, defaulted, and
 * every mistake named with its field and its fix.
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { UserError } from '../../src/errors.ts';
import { isPlaceholder, PLACEHOLDER } from '../../src/plan/governance.ts';
import { loadPlan, parsePlan } from '../../src/plan/load.ts';

const SAMPLE = 'runbooks/emc2/plan.yaml';
let sampleText: string;

beforeAll(async () => {
  sampleText = await readFile(SAMPLE, 'utf8');
});

function edited(edit: (doc: ReturnType<typeof parseDocument>) => void): string {
  const doc = parseDocument(sampleText);
  edit(doc);
  return doc.toString();
}

function problemsOf(text: string): string {
  try {
    parsePlan(text, 'plan.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as UserError).message;
  }
  throw new Error('expected the plan to be rejected');
}

describe('governance section of the plan', () => {
  it('the sample lists contacts, escalation, vendors, criteria, acceptance, document control and risks, names as placeholders', async () => {
    const g = (await loadPlan(SAMPLE)).governance;
    expect(g.people.map((p) => p.id)).toEqual([
      'programme-director',
      'ops-lead',
      'ops-on-call',
      'dpo',
      'data-stewards',
    ]);
    // Never invented people presented as real: every name of the sample is the placeholder.
    expect(g.people.every((p) => isPlaceholder(p.name))).toBe(true);
    expect(g.escalation.map((e) => [e.level, e.afterMinutes])).toEqual([
      [1, 0],
      [2, 30],
      [3, 60],
    ]);
    expect(g.vendorSupport.map((v) => v.vendor)).toEqual(['Microsoft', 'OVHcloud']);
    expect(g.goNoGo.map((c) => c.owner)).toEqual(['dataOwner', 'opsLead', 'decisionMaker', 'dpo']);
    expect(g.acceptance.signers.length).toBeGreaterThan(0);
    expect(g.documentControl).toMatchObject({ version: '0.1', changeReference: PLACEHOLDER });
    expect(g.risks.map((r) => r.id)).toEqual(['R1', 'R2', 'R3']);
    expect(g.freezeAt).toBe('20:00');
  });

  it('is optional: without it every part is empty or at its default', () => {
    const g = parsePlan(
      edited((doc) => doc.delete('governance')),
      'plan.yaml',
    ).governance;
    expect(g).toEqual({
      people: [],
      escalation: [],
      vendorSupport: [],
      goNoGo: [],
      acceptance: { checks: [], signers: [] },
      documentControl: {
        version: '0.1',
        author: PLACEHOLDER,
        reviewers: [PLACEHOLDER],
        changeReference: PLACEHOLDER,
        classification: 'Internal — restricted',
      },
      risks: [],
      freezeAt: '20:00',
      goNoGoMinutesBefore: 60,
      hypercareExitCriteria: [],
    });
  });

  it('an escalation level naming nobody of people is refused with the ids to use', () => {
    const message = problemsOf(edited((doc) => doc.setIn(['governance', 'escalation', 1, 'who'], 'nobody')));
    expect(message).toMatch(/plan\.yaml:\d+:\d+: governance\.escalation\[1\]\.who: there is no person "nobody"/);
    expect(message).toContain('fix: use one of: programme-director, ops-lead, ops-on-call, dpo, data-stewards');
  });

  it('escalation levels out of order, a person id used twice, are refused with the fix', () => {
    const order = problemsOf(edited((doc) => doc.setIn(['governance', 'escalation', 2, 'afterMinutes'], 10)));
    expect(order).toContain('governance.escalation[2]: level 3 after 10 min comes after level 2 after 30 min');
    expect(order).toContain('fix: list the levels in increasing order');
    const twice = problemsOf(edited((doc) => doc.setIn(['governance', 'people', 1, 'id'], 'programme-director')));
    expect(twice).toContain('governance.people[1].id: person id "programme-director" is used twice');
  });

  it('a phone, an e-mail, a time, a risk level or a version in the wrong form names the form expected', () => {
    const phone = problemsOf(edited((doc) => doc.setIn(['governance', 'people', 0, 'phone'], '01 23 45 67 89')));
    expect(phone).toMatch(/governance\.people\[0\]\.phone: .*international number such as "\+33 1 23 45 67 89"/);
    const email = problemsOf(edited((doc) => doc.setIn(['governance', 'people', 0, 'email'], 'nobody-at-example')));
    expect(email).toMatch(/governance\.people\[0\]\.email: .*e-mail address/);
    const time = problemsOf(edited((doc) => doc.setIn(['governance', 'freezeAt'], '8pm')));
    expect(time).toMatch(/governance\.freezeAt: must be a time written HH:MM such as "20:00"/);
    const level = problemsOf(edited((doc) => doc.setIn(['governance', 'risks', 0, 'impact'], 'huge')));
    expect(level).toMatch(/governance\.risks\[0\]\.impact: .*"low".*"medium".*"high"/);
    const version = problemsOf(edited((doc) => doc.setIn(['governance', 'documentControl', 'version'], 'v1')));
    expect(version).toContain('governance.documentControl.version: must be a version such as "1.0"');
  });

  it('translations: French only, each a non-empty text', () => {
    const german = problemsOf(
      edited((doc) => doc.setIn(['translations', 'de'], { 'Hospital data': 'Krankenhausdaten' })),
    );
    expect(german).toMatch(/plan\.yaml:\d+:\d+: translations: .*"de"/);
    const empty = problemsOf(edited((doc) => doc.setIn(['translations', 'fr', 'Hospital data'], '')));
    expect(empty).toMatch(/translations\.fr\["?Hospital data"?\]|translations\.fr\.Hospital data/);
  });

  it('real contacts pass: an international phone and an e-mail', () => {
    const plan = parsePlan(
      edited((doc) => {
        doc.setIn(['governance', 'people', 0, 'phone'], '+33 1 23 45 67 89');
        doc.setIn(['governance', 'people', 0, 'email'], 'direction.emc2@example.fr');
      }),
      'plan.yaml',
    );
    expect(plan.governance.people[0]).toMatchObject({ phone: '+33 1 23 45 67 89', email: 'direction.emc2@example.fr' });
  });
});
