/**
 * The timeline of the HTML overview as inline SVG, drawn from the same bars as the Mermaid
 * chart of the Markdown runbooks. Our own few lines rather than Mermaid in the page: the
 * output is deterministic (the same bytes for the same schedule), needs no script, and the
 * CLI needs no browser library at run time.
 */
import { addDays, daysBetween } from '../plan/clock.ts';
import { scheduleRange, type Schedule, type ScheduleBar } from './runbook/schedule.ts';

const LABEL_WIDTH = 330;
const ROW = 24;
const AXIS = 34;
const CHART_WIDTH = 760;

const FILL: Record<ScheduleBar['state'], string> = {
  done: '#4f8a4b',
  active: '#2f6db5',
  projected: '#9bb8de',
  planned: '#6b6b6b',
};
const CRITICAL = '#c0392b';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const n = (x: number) => String(Math.round(x * 10) / 10);

export function svgGantt(schedule: Schedule): string {
  const { from, to } = scheduleRange(schedule);
  const days = daysBetween(from, to) + 1;
  const dayWidth = CHART_WIDTH / days;
  const x = (day: string) => LABEL_WIDTH + daysBetween(from, day) * dayWidth;
  const rows = schedule.sections.reduce((count, s) => count + 1 + s.bars.length, 0);
  const height = AXIS + rows * ROW + 8;
  const width = LABEL_WIDTH + CHART_WIDTH + 10;
  const parts: string[] = [];
  // Ticks every 7 days, or 14, 21… when a week is too narrow for an ISO date.
  const tickDays = Math.max(1, Math.ceil(78 / (dayWidth * 7))) * 7;
  for (let d = 0; d < days; d += tickDays) {
    const day = addDays(from, d);
    parts.push(
      `<line x1="${n(x(day))}" y1="${AXIS - 6}" x2="${n(x(day))}" y2="${height - 8}" class="grid"/>`,
      `<text x="${n(x(day) + 3)}" y="${AXIS - 12}" class="tick">${day}</text>`,
    );
  }
  let y = AXIS;
  for (const section of schedule.sections) {
    parts.push(`<text x="4" y="${y + 16}" class="section">${escapeXml(section.title)}</text>`);
    y += ROW;
    for (const bar of section.bars) {
      const fill = bar.critical ? CRITICAL : FILL[bar.state];
      const label = `<text x="18" y="${y + 16}" class="label">${escapeXml(bar.label)}</text>`;
      const title = `<title>${escapeXml(`${bar.label}: ${bar.start}${bar.days > 1 ? ` to ${addDays(bar.start, bar.days - 1)}` : ''}`)}</title>`;
      let mark: string;
      if (bar.days === 0) {
        const cx = x(bar.start) + dayWidth / 2;
        const cy = y + ROW / 2;
        mark = `<path d="M${n(cx)} ${n(cy - 8)}L${n(cx + 8)} ${n(cy)}L${n(cx)} ${n(cy + 8)}L${n(cx - 8)} ${n(cy)}Z" fill="${fill}"/>`;
      } else {
        const dashed = bar.state === 'projected' ? ' stroke-dasharray="4 3" stroke="#2f6db5"' : '';
        mark = `<rect x="${n(x(bar.start))}" y="${y + 5}" width="${n(Math.max(2, bar.days * dayWidth))}" height="${ROW - 10}" rx="3" fill="${fill}"${dashed}/>`;
      }
      parts.push(`<g class="task" data-state="${bar.state}">${title}${label}${mark}</g>`);
      y += ROW;
    }
  }
  const closes = schedule.sections[0]?.bars.find((b) => b.id === 'closes');
  if (closes) {
    const cx = n(x(closes.start) + dayWidth / 2);
    parts.push(
      `<line x1="${cx}" y1="${AXIS - 4}" x2="${cx}" y2="${height - 8}" stroke="${CRITICAL}" stroke-width="2" stroke-dasharray="6 4"/>`,
    );
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="gantt" role="img" aria-label="${escapeXml(schedule.title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">`,
    '<style>.grid{stroke:#ddd}.tick{font:11px sans-serif;fill:#555}.section{font:bold 13px sans-serif;fill:#222}.label{font:12px sans-serif;fill:#333}</style>',
    ...parts,
    '</svg>',
  ].join('\n');
}
