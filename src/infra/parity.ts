/**
 * Are two warehouse stacks equivalent? A pure comparison of what each declared, subject
 * by subject and property by property: `equivalent`, `differs` (both values shown) or
 * `unsupported on <host>` with what compensates. An unsupported property is a gap unless
 * the plan accepts it (`parity.accepted`: its compensation and who accepted it); the stacks
 * are equivalent only with no difference and no unaccepted gap. Rendering (Markdown, JSON)
 * is here too, so the CLI only reads inputs and prints.
 */
import type { DeclaredResource } from './declared.ts';
import { azureFacts } from './parity-azure.ts';
import { hostOf, type Fact, type HostFacts, type Property } from './parity-facts.ts';
import { ovhFacts } from './parity-ovh.ts';
import type { HostName } from './settings.ts';

type Verdict = 'equivalent' | 'differs' | 'unsupported';

/** An unsupported property the plan accepts (`parity.accepted` in the plan). */
export interface AcceptedGap {
  property: string;
  /** Only this subject. @default every subject */
  subject?: string | undefined;
  compensation: string;
  acceptedBy: string;
}

/** An unsupported property no entry of the plan accepts. */
export interface ParityGap {
  subject: string;
  property: Property;
  unsupportedOn: HostName[];
}

interface ParityRow {
  subject: string;
  property: Property;
  verdict: Verdict;
  /** Hosts that cannot declare the property (verdict `unsupported`). */
  unsupportedOn: HostName[];
  /** Each host's fact; `undefined` when the subject is absent from that stack. */
  left: Fact | undefined;
  right: Fact | undefined;
  /** For an unsupported row, the plan's acceptance of it, when there is one. */
  accepted?: { compensation: string; acceptedBy: string } | undefined;
}

export interface ParityReport {
  left: HostName;
  right: HostName;
  rows: ParityRow[];
  counts: Record<Verdict, number>;
  /** Unsupported rows the plan does not accept. */
  gaps: ParityGap[];
  /** True when no row differs and every unsupported row is accepted by the plan. */
  equivalent: boolean;
}

/** Facts of a declared stack, by the host its resource types belong to. */
function factsOf(resources: readonly DeclaredResource[], label: string): HostFacts {
  const host = hostOf(resources);
  if (host === 'azure') return azureFacts(resources);
  if (host === 'ovh') return ovhFacts(resources);
  throw new Error(`${label} declares no azure-native or ovh resource`);
}

export function compareFacts(left: HostFacts, right: HostFacts, accepted: readonly AcceptedGap[] = []): ParityReport {
  const rows: ParityRow[] = [];
  const subjects = [...new Set([...left.facts.keys(), ...right.facts.keys()])];
  for (const subject of subjects) {
    const l = left.facts.get(subject);
    const r = right.facts.get(subject);
    const properties = [...new Set([...(l?.keys() ?? []), ...(r?.keys() ?? [])])];
    for (const property of properties)
      rows.push(compareOne(subject, property, left.host, l?.get(property), right.host, r?.get(property)));
  }
  const counts = { equivalent: 0, differs: 0, unsupported: 0 };
  const gaps: ParityGap[] = [];
  for (const row of rows) {
    counts[row.verdict] += 1;
    if (row.verdict !== 'unsupported') continue;
    const by = accepted.find(
      (a) => a.property === row.property && (a.subject === undefined || a.subject === row.subject),
    );
    if (by) row.accepted = { compensation: by.compensation, acceptedBy: by.acceptedBy };
    else gaps.push({ subject: row.subject, property: row.property, unsupportedOn: row.unsupportedOn });
  }
  return {
    left: left.host,
    right: right.host,
    rows,
    counts,
    gaps,
    equivalent: counts.differs === 0 && gaps.length === 0,
  };
}

function compareOne(
  subject: string,
  property: Property,
  lh: HostName,
  l: Fact | undefined,
  rh: HostName,
  r: Fact | undefined,
): ParityRow {
  const base = { subject, property, left: l, right: r };
  const unsupportedOn = [...(l?.kind === 'unsupported' ? [lh] : []), ...(r?.kind === 'unsupported' ? [rh] : [])];
  if (unsupportedOn.length > 0) return { ...base, verdict: 'unsupported', unsupportedOn };
  const same = l?.kind === 'value' && r?.kind === 'value' && l.value === r.value;
  return { ...base, verdict: same ? 'equivalent' : 'differs', unsupportedOn: [] };
}

/** Compares two declared stacks; `accepted` are the plan's accepted gaps (`parity.accepted`). */
export function parity(
  left: readonly DeclaredResource[],
  right: readonly DeclaredResource[],
  accepted: readonly AcceptedGap[] = [],
): ParityReport {
  return compareFacts(factsOf(left, 'the first stack'), factsOf(right, 'the second stack'), accepted);
}

const HOST_LABEL: Record<HostName, string> = { azure: 'Azure', ovh: 'OVHcloud' };

function cell(fact: Fact | undefined): string {
  if (fact === undefined) return '(absent)';
  if (fact.kind === 'unsupported') return '—';
  return fact.detail ? `${fact.value} (${fact.detail})` : fact.value;
}

function verdictText(row: ParityRow): string {
  if (row.verdict === 'equivalent') return 'equivalent';
  if (row.verdict === 'differs') return '**differs**';
  const facts = [row.left, row.right].filter(
    (f): f is Extract<Fact, { kind: 'unsupported' }> => f?.kind === 'unsupported',
  );
  const why = facts.map((f) => `${f.reason}; compensated by: ${f.compensation}`).join(' / ');
  const acceptance = row.accepted
    ? `; accepted by ${row.accepted.acceptedBy}: ${row.accepted.compensation}`
    : '; **gap: not accepted in the plan**';
  return `unsupported on ${row.unsupportedOn.join(' and ')}: ${why}${acceptance}`;
}

const escape = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The report as a Markdown table, one row per subject and property. */
export function renderMarkdown(report: ParityReport): string {
  const head = `| Subject | Property | ${HOST_LABEL[report.left]} | ${HOST_LABEL[report.right]} | Verdict |\n|---|---|---|---|---|`;
  const lines = report.rows.map(
    (row) =>
      `| ${escape(row.subject)} | ${row.property} | ${escape(cell(row.left))} | ${escape(cell(row.right))} | ${escape(verdictText(row))} |`,
  );
  const { equivalent, differs, unsupported } = report.counts;
  const summary = `${equivalent} equivalent, ${differs} differ, ${unsupported} unsupported on one host (${unsupported - report.gaps.length} accepted in the plan).`;
  const verdict = report.equivalent
    ? 'The stacks are equivalent wherever both hosts can declare a property, and the plan accepts every gap.'
    : [
        ...(differs > 0 ? ['The stacks differ: see the rows marked **differs**.'] : []),
        ...(report.gaps.length > 0
          ? [
              `Gaps not accepted in the plan (add them to parity.accepted with their compensation and who accepted them): ${report.gaps
                .map((g) => `${g.subject} ${g.property}`)
                .join('; ')}.`,
            ]
          : []),
      ].join('\n');
  return [head, ...lines, '', summary, verdict].join('\n');
}

/** The report as one JSON-ready object (`cloudexit parity --json`). */
export function reportToJson(report: ParityReport): Record<string, unknown> {
  const fact = (f: Fact | undefined) => (f === undefined ? null : f);
  return {
    equivalent: report.equivalent,
    hosts: { left: report.left, right: report.right },
    counts: report.counts,
    gaps: report.gaps.map((g) => ({ ...g, unsupportedOn: [...g.unsupportedOn] })),
    rows: report.rows.map((row) => ({
      subject: row.subject,
      property: row.property,
      verdict: row.verdict === 'unsupported' ? `unsupported on ${row.unsupportedOn.join(' and ')}` : row.verdict,
      [report.left]: fact(row.left),
      [report.right]: fact(row.right),
      ...(row.accepted ? { accepted: row.accepted } : {}),
    })),
  };
}
