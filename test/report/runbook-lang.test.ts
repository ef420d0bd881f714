/**
 * The runbooks of a migration under way in English and in French: the same sections in the
 * same order, no English boilerplate left in the French files, the timed cutover night, the
 * calendar to decommissioning, the risk register, the burn-down and the decommission results
 * read from the phase record, and the same bytes whatever day they are written on.
 */
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseDocument } from 'yaml';
import { addDays } from '../../src/plan/clock.ts';
import { parsePlan } from '../../src/plan/load.ts';
import { en } from '../../src/report/i18n/en.ts';
import { fr } from '../../src/report/i18n/fr.ts';
import { LANGS, type Lang } from '../../src/report/i18n/lang.ts';
import { wordsFor } from '../../src/report/i18n/words.ts';
import { renderRunbooks } from '../../src/report/runbook.ts';
import { cutoverNight, parisInstant, tMinus } from '../../src/report/runbook/cutover-night.ts';
import type { PhaseFacts } from '../../src/report/runbook/model.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import { migrationUnderWay, SAMPLE_PLAN, type Migration } from './fixture.ts';

let m: Migration;
const files = new Map<Lang, Map<string, string>>();

async function render(lang: Lang, statePath = m.statePath): Promise<Map<string, string>> {
  const state = await openSqliteStateStore(statePath);
  try {
    return await renderRunbooks({
      plan: m.plan,
      state,
      outDir: join(m.dir, 'runbooks'),
      evidenceDir: m.evidenceDir,
      html: true,
      lang,
    });
  } finally {
    await state.close();
  }
}

/** Every heading of a Markdown file, with its level. */
function headings(markdown: string): string[] {
  return markdown
    .replace(/```[\s\S]*?```/g, '')
    .split('\n')
    .filter((l) => /^#{1,3} /.test(l));
}

/** The rows of the Markdown table right after `heading` (header and separator left out). */
function tableUnder(text: string, heading: string): string[] {
  const from = text.indexOf(`\n${heading}\n`);
  expect(from, heading).toBeGreaterThan(-1);
  const lines = text.slice(from).split('\n').slice(1);
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line);
  }
  return rows;
}

/** Every plain string of a catalog (functions left out), at any depth. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

beforeAll(async () => {
  m = await migrationUnderWay();
  for (const lang of LANGS) files.set(lang, await render(lang));
}, 180_000);
afterAll(() => m?.remove());
afterEach(() => {
  vi.useRealTimers();
});

describe('runbooks in English and in French', () => {
  it('write the same files, the French ones named .fr, linking to each other', () => {
    expect([...files.get('en')!.keys()]).toEqual([
      'README.md',
      'overview.html',
      'phase-1.md',
      'phase-2.md',
      'phase-3.md',
    ]);
    expect([...files.get('fr')!.keys()]).toEqual([
      'README.fr.md',
      'overview.fr.html',
      'phase-1.fr.md',
      'phase-2.fr.md',
      'phase-3.fr.md',
    ]);
    const readme = files.get('fr')!.get('README.fr.md')!;
    expect(readme).toContain('](phase-1.fr.md)');
    expect(readme).not.toMatch(/\]\(phase-\d\.md\)/);
    expect(files.get('fr')!.get('phase-2.fr.md')).toContain('](README.fr.md)');
  });

  it('have the same sections in the same order, and the French headings a French project manager expects', () => {
    for (const id of [1, 2, 3]) {
      const english = headings(files.get('en')!.get(`phase-${id}.md`)!);
      const french = headings(files.get('fr')!.get(`phase-${id}.fr.md`)!);
      expect(french.map((h) => h.split(' ')[0])).toEqual(english.map((h) => h.split(' ')[0]));
    }
    const french = headings(files.get('fr')!.get('phase-1.fr.md')!);
    const expected = [
      '## Gestion du document',
      '## Objet et périmètre',
      '## Planning',
      '## Déroulé horodaté de la nuit de bascule',
      '## Calendrier jusqu’au décommissionnement',
      '## Registre des risques',
      '## Rôles',
      '## Contacts et escalade',
      '### Matrice d’escalade',
      '### Support des fournisseurs',
      '## Liste de contrôle avant la bascule',
      '## Critères métier du go/no-go',
      '## Étapes',
      '## Go/no-go',
      '## Point de non-retour',
      '## Retour arrière',
      '## Recette utilisateurs',
      '## Hypercare',
      '## Décommissionnement de la source',
      '## Communication',
      '## Preuves',
      '### Manifestes',
      '### Résultats de vérification',
      '### Journal d’audit',
      '## Signatures',
      '## Glossaire',
    ];
    expect(french.slice(1)).toEqual(expected);
  });

  it('leave no English sentence of the catalog in the French files', () => {
    // The catalog's own words; plan text (titles, owners, messages) is the plan's and stays as written.
    const english = strings(en).filter((s) => s.length > 12 && !strings(fr).includes(s));
    expect(english.length).toBeGreaterThan(100);
    // Longest first, so that a plan sentence is removed whole before a shorter one inside it.
    const planText = strings(m.plan)
      .filter((s) => s.length > 3)
      .sort((a, b) => b.length - a.length);
    for (const [name, written] of files.get('fr')!) {
      const text = planText.reduce((t, s) => t.split(s).join(' '), written);
      const leaks = english.filter((s) => text.includes(s));
      expect(leaks, name).toEqual([]);
    }
  });

  it('write French dates, times and numbers the French way', () => {
    const phase1 = files.get('fr')!.get('phase-1.fr.md')!;
    const fw = wordsFor('fr');
    expect(fw.date('2026-12-01')).toBe('1er décembre 2026');
    expect(fw.dateTime('2026-12-01T13:00:00Z')).toBe('1er décembre 2026 à 14\u00a0h\u00a000');
    expect(fw.dateTime('2026-07-01T22:15:00Z')).toBe('2 juillet 2026 à 0\u00a0h\u00a015');
    expect(fw.count(2042)).toBe('2\u202f042');
    expect(fw.bytes(1536)).toBe('1,5 Kio');
    expect(fw.plural(1, 'jour', 'jours')).toBe('1 jour');
    expect(fw.plural(0, 'objet', 'objets')).toBe('0 objet');
    expect([fw.duration(20), fw.duration(3 * 3600 + 20 * 60), fw.duration(2.5 * 86_400)]).toEqual([
      'moins d’une minute',
      '3 h 20',
      '2,5 jours',
    ]);
    expect(phase1).toContain(`Validée le ${fw.date(m.scenario.at('2026-11-30T20:00:00Z'))}`);
    expect(phase1).not.toMatch(/\d{4}-\d{2}-\d{2} \(Europe\/Paris\)/);
  });

  it('French punctuation is consistent: a space before every colon, semicolon, question and exclamation mark', () => {
    const planText = strings(m.plan)
      .filter((s) => s.length > 3)
      .sort((a, b) => b.length - a.length);
    for (const [name, written] of files.get('fr')!) {
      if (!name.endsWith('.md')) continue;
      const prose = planText
        .reduce((t, s) => t.split(s).join(' '), written)
        .replace(/```[\s\S]*?```/g, '')
        .replace(/`[^`]*`/g, '')
        .replace(/\]\([^)]*\)/g, ']')
        .replace(/<[^>\s]*>/g, '');
      expect(prose.match(/.{0,30}[^\s|][:;?!](?=\s|$).{0,10}/g), name).toBeNull();
    }
  });

  it('give the same bytes on any day, in both languages', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2027-03-15T23:59:00Z'));
    for (const lang of LANGS) expect(await render(lang)).toEqual(files.get(lang));
  });
});

describe('the timed cutover night', () => {
  it('puts T0 at the plan’s freeze time in Paris, winter and summer time alike', () => {
    expect(parisInstant('2026-12-07', '20:00')).toBe('2026-12-07T19:00:00.000Z');
    expect(parisInstant('2026-07-07', '20:00')).toBe('2026-07-07T18:00:00.000Z');
    expect(parisInstant('2026-03-29', '03:30')).toBe('2026-03-29T01:30:00.000Z');
    // No-break spaces: an offset never splits across two lines.
    expect([tMinus(-60), tMinus(0), tMinus(15), tMinus(125)]).toEqual([
      'T−1\u00a0h\u00a000',
      'T0',
      'T+15\u00a0min',
      'T+2\u00a0h\u00a005',
    ]);
  });

  it('lists the go/no-go meeting then every step with T-minus, clock time, owner and a length from the measured rate', () => {
    const rows = tableUnder(files.get('en')!.get('phase-1.md')!, '## Cutover night, timed');
    expect(rows).toHaveLength(1 + 8);
    expect(rows[0]).toMatch(/^\| T−1\u00a0h\u00a000 \| 19:00 \| Go\/no-go meeting \| Decision maker, /);
    expect(rows[2]).toMatch(/^\| T0 \| 20:00; done [^|]+\| Freeze writes at the source \| .*\| at most 15 min \|/);
    // Phase 1 is listed and a copy was measured: listing, final sync and verify lengths are estimated.
    expect(rows[3]).toMatch(/\| one listing of the source, 5,000 names a page \|$/);
    expect(rows[4]).toMatch(/\| measured copy rate \|$/);
    expect(rows[5]).toMatch(/\| measured copy rate \|$/);
    // Nothing measured yet: listing 1 min, final sync and verify unknown (0), hooks at their timeout.
    const phase = m.plan.phases[0]!;
    const status = { plannedCutover: phase.plannedCutover } as unknown as PhaseFacts['status'];
    const night = cutoverNight({ plan: phase, status, datasets: [], events: [] }, m.plan, undefined);
    expect(night.freezeAt).toBe(parisInstant(m.plan.phases[0]!.plannedCutover, '20:00'));
    expect(night.rows.map((r) => r.offsetMinutes)).toEqual([-60, -1, 0, 15, 16, 16, 16, 31, 46]);
  });

  it('says how long the freeze and the downtime last, the rollback deadline and how long a rollback takes', () => {
    const text = files.get('en')!.get('phase-1.md')!;
    const day = m.scenario.day('2026-11-30');
    expect(text).toMatch(
      /- \*\*Freeze\*\*: no write at the source from the freeze to the end of the switch, \d+ min\./,
    );
    expect(text).toContain('- **Downtime** for readers, during the switch and the smoke check: at most 30 min.');
    expect(text).toMatch(
      new RegExp(
        `- \\*\\*Rollback deadline\\*\\*: ${day} 20:\\d\\d \\(Europe/Paris\\), the planned commit\\. A rollback takes 31 min \\(upper bound from the thaw and rollback hook timeouts\\)`,
      ),
    );
    const fr1 = files.get('fr')!.get('phase-1.fr.md')!;
    expect(fr1).toContain(`T0 est le gel, à 20\u00a0h\u00a000 le ${wordsFor('fr').date(day)}`);
    expect(fr1).toContain(
      '**Interruption** pour les lecteurs, pendant la bascule et le test de fumée : au plus 30 min.',
    );
  });
});

describe('the plan’s own text', () => {
  it('reads in French where the plan translates it, as written where it does not, and never in the English files', async () => {
    const french = files.get('fr')!.get('phase-1.fr.md')!;
    expect(french).toContain('# Phase 1, Pilote — données de référence et un hôpital');
    expect(french).toContain(
      '| R2 | Un hôpital écrit à la source après le gel | faible | moyenne | Référents données |',
    );
    expect(french).toContain('Directeur du programme EMC2 (HDH)');
    // Identifiers are never translated: dataset names, containers, commands.
    expect(french).toContain('(`nomenclatures`) | `emc2-nomenclatures/`');
    const english = files.get('en')!.get('phase-1.md')!;
    expect(english).toContain('# Phase 1, Pilot — reference data and one hospital');
    expect(english).not.toContain('Pilote');
    // Every translated sentence of the plan (not a name) is gone from the French files.
    const translated = Object.keys(m.plan.translations.fr).filter((k) => k.includes(' ') && k.length > 25);
    expect(translated.length).toBeGreaterThan(40);
    for (const [name, text] of files.get('fr')!) {
      expect(
        translated.filter((k) => text.includes(k)),
        name,
      ).toEqual([]);
    }
  });

  it('a text left out of the translations is printed as the plan writes it', async () => {
    const doc = parseDocument(await readFile(SAMPLE_PLAN, 'utf8'));
    doc.deleteIn(['translations', 'fr', 'Hospital data']);
    const plan = { ...parsePlan(doc.toString(), 'plan.yaml'), file: SAMPLE_PLAN };
    // Optional: a plan without any translation is valid, and prints its text as written.
    const bare = parseDocument(await readFile(SAMPLE_PLAN, 'utf8'));
    bare.delete('translations');
    expect(parsePlan(bare.toString(), 'plan.yaml').translations).toEqual({ fr: {} });
    const state = await openSqliteStateStore(':memory:');
    try {
      const french = await renderRunbooks({ plan, state, lang: 'fr' });
      expect(french.get('phase-2.fr.md')).toContain('# Phase 2, Hospital data');
      expect(french.get('phase-3.fr.md')).toContain('# Phase 3, Extractions de l’Assurance maladie');
    } finally {
      await state.close();
    }
  });
});

describe('a plan without a governance section', () => {
  it('still gives every section, each saying what to add to the plan, in both languages', async () => {
    const doc = parseDocument(await readFile(SAMPLE_PLAN, 'utf8'));
    doc.delete('governance');
    const plan = { ...parsePlan(doc.toString(), 'plan.yaml'), file: SAMPLE_PLAN };
    const state = await openSqliteStateStore(':memory:');
    try {
      const english = (await renderRunbooks({ plan, state })).get('phase-1.md')!;
      for (const key of ['people', 'escalation', 'vendorSupport', 'goNoGo', 'acceptance.checks'])
        expect(english).toContain(
          `add ${key === 'vendorSupport' ? 'Microsoft and OVHcloud' : key === 'escalation' ? 'it' : 'them'} under \`governance.${key}\``,
        );
      // Document control defaults to the placeholder, which the register counts as a risk.
      expect(english).toContain('| Version | 0.1 |');
      expect(english).toMatch(/\| S\d \| 3 values of the plan still the placeholder/);
      // The standard hypercare exit criteria when the plan has none.
      expect(english).toContain(`- [ ] ${en.hypercare.defaults[0]}`);
      const french = (await renderRunbooks({ plan, state, lang: 'fr' })).get('phase-1.fr.md')!;
      expect(french).toContain('ajoutez-les sous `governance.people`');
      expect(french).toContain(`- [ ] ${fr.hypercare.defaults[0]}`);
    } finally {
      await state.close();
    }
  });
});

describe('calendar, register and burn-down', () => {
  it('calendar: the commit done, the hypercare end and the decommissioning against the window', () => {
    const rows = tableUnder(files.get('en')!.get('phase-1.md')!, '## Calendar to decommissioning');
    const commit = m.scenario.day('2026-11-30');
    const end = addDays(commit, m.plan.hypercareDays);
    expect(rows[1]).toBe(`| Cutover and commit | ${commit} (Europe/Paris), done | 21 days before it closes |`);
    expect(rows[2]).toBe(
      `| Hypercare ends (14 days after the commit) | ${end} (Europe/Paris), planned | 7 days before it closes |`,
    );
    expect(rows[4]).toBe('| Last copy at the source gone | not yet known | |');
    // Phase 3: its hypercare ends after the window closes, a risk in its register.
    const p3 = files.get('en')!.get('phase-3.md')!;
    expect(tableUnder(p3, '## Calendar to decommissioning')[3]).toContain('**7 days after it closes**');
    expect(tableUnder(p3, '## Risk register').join('\n')).toMatch(
      /\| S\d \| Phase 3: decommissioning planned from .*: the data would stay on Azure after the window closes on .* \| high \| high \| Decision maker \|/,
    );
  });

  it('risk register: the plan’s risks with likelihood, impact, owner and mitigation, then the state’s', () => {
    const rows = tableUnder(files.get('en')!.get('phase-2.md')!, '## Risk register');
    expect(rows.slice(0, 3).map((r) => r.split(' | ')[0])).toEqual(['| R1', '| R2', '| R3']);
    expect(rows[0]).toBe(
      '| R1 | Copy throughput from Azure lower than measured in the pilot | medium | high | Platform operations lead | Copy each phase two weeks ahead; add workers (cloudexit worker) on a second machine | plan |',
    );
    expect(rows.some((r) => /placeholder “À compléter \/ TBD”/.test(r))).toBe(true);
    const fr2 = tableUnder(files.get('fr')!.get('phase-2.fr.md')!, '## Registre des risques');
    expect(fr2[0]).toContain('| moyenne | élevée |');
  });

  it('burn-down: day by day, what is left to move and to verify, from the recorded runs', () => {
    const rows = tableUnder(files.get('en')!.get('README.md')!, '## Burn-down');
    expect(rows.length).toBeGreaterThanOrEqual(1);
    // 19 objects copied (15 of phase 1, 4 of hcl); the 4 of hcl are not verified in full yet.
    expect(rows.at(-1)).toMatch(/^\| \d{4}-\d{2}-\d{2} \(Europe\/Paris\) \| 0 \| 0 B \| 4 \| [\d.]+ KiB \|$/);
    expect(tableUnder(files.get('fr')!.get('README.fr.md')!, '## Reste à faire').at(-1)).toMatch(
      /\| 0 \| 0 o \| 4 \| [\d,]+ Kio \|$/,
    );
  });

  it('decommissioning: per dataset, the day the last copy at the source was gone and until when residues stay', async () => {
    const copy = join(m.dir, 'decommissioned.db');
    await cp(m.statePath, copy);
    const state = await openSqliteStateStore(copy);
    const goneAt = m.scenario.at('2026-12-15T09:00:00Z');
    const residualUntil = m.scenario.at('2027-01-14T09:00:00Z');
    try {
      const record = (await state.getPhase(1))!;
      await state.putPhase({
        ...record,
        decommissioned: ['nomenclatures', 'clb'].map((dataset) => ({
          dataset,
          kind: 'objects' as const,
          goneAt,
          residualUntil,
          objectsLeftAtSource: 0,
          certificate: `${dataset}/deletion-certificate.json`,
          certificateSha256: 'ab'.repeat(32),
        })),
      });
    } finally {
      await state.close();
    }
    const english = (await render('en', copy)).get('phase-1.md')!;
    const rows = tableUnder(english, '## Decommissioning of the source');
    expect(rows[0]).toBe(
      `| Reference nomenclatures (CIM-10, CCAM, ATC, UCD) (\`nomenclatures\`) | \`emc2-nomenclatures/\` | ${m.scenario.paris('2026-12-15T09:00:00Z')} | ${m.scenario.parisDay('2027-01-14T09:00:00Z')} | 0 | \`nomenclatures/deletion-certificate.json\`, SHA-256 \`${'ab'.repeat(32)}\` |`,
    );
    expect(tableUnder(english, '## Calendar to decommissioning')[4]).toBe(
      `| Last copy at the source gone | ${m.scenario.parisDay('2026-12-15T09:00:00Z')}, done | 6 days before it closes |`,
    );
    const french = (await render('fr', copy)).get('phase-1.fr.md')!;
    expect(french).toContain(`| ${wordsFor('fr').dateTime(goneAt)} | ${wordsFor('fr').date(residualUntil)} | 0 |`);
  });
});
