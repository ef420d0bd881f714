/**
 * The burn-down of the HTML overview as inline SVG, no script: two charts (bytes, objects),
 * each with what is still to move (solid) and still to verify in full (dashed) at the end of
 * each day, a dashed grey line on each planned cutover and a red one on the window's end.
 * Coordinates are rounded so the same figures give the same bytes.
 */
import { daysBetween } from '../plan/clock.ts';
import type { Burndown } from './runbook/burndown.ts';
import type { BurndownLabels } from './runbook/doc.ts';
import { escapeXml } from './html-gantt.ts';

const WIDTH = 760;
const HEIGHT = 190;
const LEFT = 84;
const TOP = 28;
const BOTTOM = 40;
const MOVE = '#2f6db5';
const VERIFY = '#4f8a4b';
const CRITICAL = '#c0392b';

const n = (x: number) => String(Math.round(x * 10) / 10);

function chart(
  b: Burndown,
  labels: BurndownLabels,
  title: string,
  move: (d: Burndown['days'][number]) => number,
  verify: (d: Burndown['days'][number]) => number,
  total: number,
  format: (n: number) => string,
): string {
  const from = b.days[0]!.day;
  const to = [b.days.at(-1)!.day, b.closesOn, ...b.cutovers.map((c) => c.day)].sort().at(-1)!;
  const span = Math.max(1, daysBetween(from, to) + 1);
  // Each day's figure is the remainder at its end: drawn at the right edge of the day.
  const x = (day: string, end = true) => LEFT + ((daysBetween(from, day) + (end ? 1 : 0)) / span) * WIDTH;
  const y = (value: number) => TOP + HEIGHT - (total > 0 ? (value / total) * HEIGHT : 0);
  const steps = (value: (d: Burndown['days'][number]) => number) => {
    const points = [`${n(x(from, false))},${n(y(total))}`];
    for (const d of b.days) points.push(`${n(x(d.day))},${n(y(value(d)))}`);
    return points.join(' ');
  };
  const parts = [
    `<text x="${LEFT}" y="16" class="title">${escapeXml(title)}</text>`,
    `<line x1="${LEFT}" y1="${TOP + HEIGHT}" x2="${LEFT + WIDTH}" y2="${TOP + HEIGHT}" class="axis"/>`,
    `<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + HEIGHT}" class="axis"/>`,
    `<text x="${LEFT - 6}" y="${TOP + 4}" class="tick" text-anchor="end">${escapeXml(format(total))}</text>`,
    `<text x="${LEFT - 6}" y="${TOP + HEIGHT}" class="tick" text-anchor="end">0</text>`,
    `<text x="${n(x(from, false))}" y="${TOP + HEIGHT + 14}" class="tick">${from}</text>`,
    `<text x="${n(x(to))}" y="${TOP + HEIGHT + 14}" class="tick" text-anchor="end">${to}</text>`,
  ];
  b.cutovers.forEach((c, i) => {
    const cx = n(x(c.day, false));
    parts.push(
      `<g class="cutover"><line x1="${cx}" y1="${TOP}" x2="${cx}" y2="${TOP + HEIGHT}" stroke="#6b6b6b" stroke-dasharray="4 3"/>` +
        `<text x="${cx}" y="${TOP + HEIGHT + 28}" class="tick" text-anchor="middle">${escapeXml(labels.cutovers[i] ?? '')}</text></g>`,
    );
  });
  const closes = n(x(b.closesOn, false));
  parts.push(
    `<g class="closes"><line x1="${closes}" y1="${TOP - 6}" x2="${closes}" y2="${TOP + HEIGHT}" stroke="${CRITICAL}" stroke-width="2" stroke-dasharray="6 4"/>` +
      `<text x="${n(Number(closes) - 4)}" y="${TOP + 12}" class="tick" text-anchor="end" style="fill:${CRITICAL}">${escapeXml(labels.closes)}</text></g>`,
    `<polyline class="to-move" points="${steps(move)}" fill="none" stroke="${MOVE}" stroke-width="2"/>`,
    `<polyline class="to-verify" points="${steps(verify)}" fill="none" stroke="${VERIFY}" stroke-width="2" stroke-dasharray="5 3"/>`,
    // The legend under the title, left: the top right belongs to the window's end.
    `<text x="${LEFT + 380}" y="16" class="legend" fill="${MOVE}">— ${escapeXml(labels.toMove)}</text>`,
    `<text x="${LEFT + 520}" y="16" class="legend" fill="${VERIFY}">- - ${escapeXml(labels.toVerify)}</text>`,
  );
  const width = LEFT + WIDTH + 20;
  const height = TOP + HEIGHT + BOTTOM;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="burndown" role="img" aria-label="${escapeXml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">`,
    '<style>.axis{stroke:#999}.tick{font:11px sans-serif;fill:#555}.title{font:bold 13px sans-serif;fill:#222}.legend{font:12px sans-serif}</style>',
    ...parts,
    '</svg>',
  ].join('\n');
}

/** Both charts, bytes then objects (the objects chart only when the migration has objects). */
export function svgBurndown(b: Burndown, labels: BurndownLabels): string {
  const charts = [
    chart(
      b,
      labels,
      labels.bytesTitle,
      (d) => d.bytesToMove,
      (d) => d.bytesToVerify,
      b.totalBytes,
      labels.bytes,
    ),
  ];
  if (b.totalObjects > 0)
    charts.push(
      chart(
        b,
        labels,
        labels.objectsTitle,
        (d) => d.objectsToMove,
        (d) => d.objectsToVerify,
        b.totalObjects,
        labels.count,
      ),
    );
  return charts.join('\n');
}
