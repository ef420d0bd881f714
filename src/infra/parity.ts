/**
 * Are two warehouse stacks equivalent? A pure comparison of what each declared, subject
 * by subject and property by property: `equivalent`, `differs` (both values shown) or
 * `unsupported on <host>` with what compensates. Rendering (Markdown, JSON) is here too,
 * so the CLI only reads inputs and prints.
 */
import type { DeclaredResource } from './declared.ts';
import { azureFacts } from './parity-azure.ts';
import { hostOf, type Fact, type HostFacts, type Property } from './parity-facts.ts';
import { ovhFacts } from './parity-ovh.ts';
import type { HostName } from './settings.ts';

type Verdict = 'equivalent' | 'differs' | 'unsupported';

interface ParityRow {
  subject: string;
  property: Property;
  verdict: Verdict;
  /** Hosts that cannot declare the property (verdict `unsupported`). */
  unsupportedOn: HostName[];
  /** Each host's fact; `undefined` when the subject is absent from that stack. */
  left: Fact | undefined;
  right: Fact | undefined;
}

export interface ParityReport {
  left: HostName;
  right: HostName;
  rows: ParityRow[];
  counts: Record<Verdict, number>;
  /** True when no row differs (unsupported rows are reported, not failed). */
  equivalent: boolean;
}

/** Facts of a declared stack, by the host its resource types belong to. */
function factsOf(resources: readonly DeclaredResource[], label: string): HostFacts {
  const host = hostOf(resources);
  if (host === 'azure') return azureFacts(resources);
  if (host === 'ovh') return ovhFacts(resources);
  throw new Error(`${label} declares no azure-native or ovh resource`);
}

export function compareFacts(left: HostFacts, right: HostFacts): ParityReport {
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
  for (const row of rows) counts[row.verdict] += 1;
  return { left: left.host, right: right.host, rows, counts, equivalent: counts.differs === 0 };
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

/** Compares two declared stacks. */
export function parity(left: readonly DeclaredResource[], right: readonly DeclaredResource[]): ParityReport {
  return compareFacts(factsOf(left, 'the first stack'), factsOf(right, 'the second stack'));
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
  return `unsupported on ${row.unsupportedOn.join(' and ')}: ${why}`;
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
  const summary = `${equivalent} equivalent, ${differs} differ, ${unsupported} unsupported on one host (with compensation).`;
  return [
    head,
    ...lines,
    '',
    summary,
    report.equivalent
      ? 'The stacks are equivalent wherever both hosts can declare a property.'
      : 'The stacks differ: see the rows marked **differs**.',
  ].join('\n');
}

/** The report as one JSON-ready object (`cloudexit parity --json`). */
export function reportToJson(report: ParityReport): Record<string, unknown> {
  const fact = (f: Fact | undefined) => (f === undefined ? null : f);
  return {
    equivalent: report.equivalent,
    hosts: { left: report.left, right: report.right },
    counts: report.counts,
    rows: report.rows.map((row) => ({
      subject: row.subject,
      property: row.property,
      verdict: row.verdict === 'unsupported' ? `unsupported on ${row.unsupportedOn.join(' and ')}` : row.verdict,
      [report.left]: fact(row.left),
      [report.right]: fact(row.right),
    })),
  };
}
