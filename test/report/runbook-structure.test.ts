import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRunbooks, writeRunbooks } from '../../src/report/runbook.ts';
import { CUTOVER_STEPS } from '../../src/phase-record.ts';
import { STEP_TITLES } from '../../src/report/runbook/steps.ts';
import { approve, migrationUnderWay, type Migration } from './fixture.ts';

let m: Migration;
let files: Map<string, string>;
let runIds: string[];
let head: string;

/** `text` matched literally inside a RegExp. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The rows of the Markdown table under `heading` (header and separator left out). */
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

beforeAll(async () => {
  m = await migrationUnderWay();
  const state = await m.open();
  try {
    files = await renderRunbooks({
      plan: m.plan,
      state,
      outDir: join(m.dir, 'runbooks'),
      evidenceDir: m.evidenceDir,
      html: true,
    });
    runIds = (await state.listRuns()).map((r) => r.id);
    head = (await state.auditHead())!.hash;
  } finally {
    await state.close();
  }
}, 180_000);
afterAll(() => m?.remove());

describe('runbooks of a migration under way', () => {
  it('writes the overview, one runbook per phase and the HTML page', () => {
    expect([...files.keys()]).toEqual(['README.md', 'overview.html', 'phase-1.md', 'phase-2.md', 'phase-3.md']);
  });

  it('overview: window and days left, a Gantt with the window end as a milestone, one status row per phase with its link, risks', () => {
    const readme = files.get('README.md')!;
    for (const heading of [
      '## Authorisation window',
      '## Timeline',
      '## Status',
      '## Risks',
      '## Phase runbooks',
      '## Audit log',
    ])
      expect(readme).toContain(`\n${heading}\n`);
    const closes = m.scenario.day('2026-12-21');
    expect(readme).toContain(
      `The window closes on **${closes} (Europe/Paris)**: **20 days left** as of ${m.scenario.parisDay('2026-12-01T10:00:00Z')}`,
    );
    expect(readme).toMatch(
      new RegExp(
        `\`\`\`mermaid\ngantt\n[\\s\\S]*Window closes \\(${closes}\\) :crit, milestone, closes, ${closes}, 0d\n`,
      ),
    );
    const rows = tableUnder(readme, '## Status');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^\| 1\. Pilot .*\| Committed \|.*\[Phase 1 runbook\]\(phase-1\.md\) \|$/);
    expect(rows[1]).toMatch(/^\| 2\. Hospital data \| Stopped at step “Go\/no-go check” \|/);
    expect(rows[2]).toMatch(/\| Not started \|/);
    expect(readme).toContain(`hash \`${head}\``);
  });

  it('phase runbook: every section a project manager needs, in order', () => {
    const text = files.get('phase-1.md')!;
    const sections = [
      '# Phase 1, Pilot',
      '## Purpose and scope',
      '## Schedule',
      '## Roles',
      '## Pre-cutover checklist',
      '## Steps',
      '## Go/no-go',
      '## Point of no return',
      '## Rollback',
      '## Communication',
      '## Evidence',
      '### Manifests',
      '### Verification results',
      '### Audit log',
      '## Sign-off',
    ];
    const at = sections.map((s) => text.indexOf(`${s}`));
    expect(
      at.every((i) => i >= 0),
      sections.filter((_, i) => at[i]! < 0).join(', '),
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('step table: one row per cutover step, with the real command, an owner, a duration, a criterion and the outcome', () => {
    const rows = tableUnder(files.get('phase-1.md')!, '## Steps');
    expect(rows).toHaveLength(CUTOVER_STEPS.length);
    CUTOVER_STEPS.forEach((step, i) => {
      expect(rows[i]).toContain(`| ${i + 1} | ${STEP_TITLES[step]} | `);
      expect(rows[i]).toMatch(/\| Done \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(Europe\/Paris\): [^|]+ \|$/);
    });
    // The command column says what runs at each step: no two steps alike.
    const commands = rows.map((row) => row.split(' | ')[2]);
    expect(new Set(commands).size).toBe(CUTOVER_STEPS.length);
    expect(commands[0]).toBe('`npx cloudexit cutover --phase 1`');
    expect(commands[1]).toBe('`scripts/hooks/freeze.mjs`, run by `npx cloudexit cutover --phase 1`');
    expect(commands[4]).toContain('`npx cloudexit verify --mode quick --phase 1`');
    // The commit, the point of no return, is its own decision: `--commit`.
    expect(commands[7]).toBe('`npx cloudexit cutover --phase 1 --commit` (a separate decision)');
    // Measured throughput: the durations are estimated, not "unknown".
    expect(rows[3]).toMatch(
      /\| (under 1 min|\d+ min|\d+ h( \d+ min)?|[\d.]+ days?) for what is not copied yet \(0 objects/,
    );
    expect(rows[4]).toMatch(/ at the measured rate \(upper bound\) \|/);
    const phase2 = tableUnder(files.get('phase-2.md')!, '## Steps');
    expect(phase2[0]).toMatch(
      new RegExp(
        `\\| \\*\\*Stopped\\*\\* ${escape(m.scenario.paris('2026-12-01T10:00:00Z'))}: no-go, the checklist was not complete \\|$`,
      ),
    );
    expect(phase2.slice(1).every((r) => r.endsWith('| Not run yet |'))).toBe(true);
  });

  it("checklist reflects the state: copies, full verification and each owner's go", async () => {
    const p1 = files.get('phase-1.md')!;
    expect(p1).toContain('- [x] Bulk copy complete: every object is on the new host (15 objects).');
    expect(p1).toContain('- [x] Full verification clean');
    expect(p1).toContain(
      `- [x] Go of the data protection officer, HDH data protection officer, recorded ${m.scenario.paris('2026-11-29T17:00:00Z')}.`,
    );
    const p2 = files.get('phase-2.md')!;
    expect(p2).toMatch(/- \[ \] Source listed for 1 of \d datasets/);
    expect(p2).toMatch(
      new RegExp(
        `- \\[x\\] Go of the data protection officer, .*recorded ${escape(m.scenario.paris('2026-12-01T09:30:00Z'))}\\.`,
      ),
    );
    expect(p2).toContain(
      '- [ ] Go of the ops lead, HDH platform operations lead: `npx cloudexit cutover --phase 2 --approve opsLead --as "<your name>"`.',
    );
    expect(p2).toContain('- [ ] Stack parity: no report saved');

    // A go recorded afterwards shows in the next runbook.
    const state = await m.open();
    try {
      await approve(state, m.plan.phases[1]!, ['opsLead'], m.scenario.at('2026-12-02T08:00:00Z'));
      const again = await renderRunbooks({
        plan: m.plan,
        state,
        outDir: join(m.dir, 'runbooks'),
        evidenceDir: m.evidenceDir,
      });
      expect(again.get('phase-2.md')).toContain(
        `- [x] Go of the ops lead, HDH platform operations lead, recorded ${m.scenario.paris('2026-12-02T08:00:00Z')}.`,
      );
    } finally {
      await state.close();
    }
  });

  it('evidence: each manifest by a path relative to the runbooks, its SHA-256, and the same SHA-256 in the audit log', async () => {
    const rows = tableUnder(files.get('phase-1.md')!, '### Manifests');
    expect(rows).toHaveLength(2);
    for (const [row, name] of [
      [rows[0]!, 'nomenclatures'],
      [rows[1]!, 'clb'],
    ] as const) {
      const bytes = await readFile(join(m.evidenceDir, name, 'manifest.sha256'));
      expect(row).toContain(`\`../evidence/${name}/manifest.sha256\``);
      expect(row).toContain(`\`${createHash('sha256').update(bytes).digest('hex')}\``);
      expect(row).toMatch(/\| yes, \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(Europe\/Paris\) \|$/);
    }
    expect(tableUnder(files.get('phase-1.md')!, '### Verification results')[1]).toMatch(
      /\| 9 of 9 \|.*`verify --mode full` .*: 9 objects verified, 0 mismatches \|$/,
    );
  });

  it('words for a project manager: no stack trace, no run id, no machine path, no raw ISO time', () => {
    for (const [name, text] of files) {
      expect(text, name).not.toMatch(/\n\s+at .+:\d+:\d+/);
      for (const id of runIds) expect(text, `${name} shows run id ${id}`).not.toContain(id);
      expect(text, name).not.toContain(m.dir);
      expect(text, name).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    }
  });

  it('writeRunbooks writes exactly what renderRunbooks returns, and says where', async () => {
    const out = join(m.dir, 'written');
    const state = await m.open();
    try {
      const paths = await writeRunbooks({ plan: m.plan, state, outDir: out, evidenceDir: m.evidenceDir, html: true });
      expect(paths).toEqual([...files.keys()].map((n) => join(out, n)));
      // The go recorded by the test above is in the state now; the rest is unchanged.
      expect(await readFile(join(out, 'phase-3.md'), 'utf8')).toContain(
        '# Phase 3, National health-insurance extracts',
      );
    } finally {
      await state.close();
    }
  });
});
