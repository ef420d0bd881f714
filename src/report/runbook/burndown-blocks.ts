/**
 * The burn-down in the overview: a table day by day in the Markdown, and the same figures
 * drawn as inline SVG in the HTML page (html-burndown.ts), with the planned cutovers and the
 * end of the window as reference lines.
 */
import type { Block } from './doc.ts';
import type { RunbookFacts } from './model.ts';

export function burndownBlocks(facts: RunbookFacts): Block[] {
  const { t, w } = facts;
  const b = facts.burndown;
  return [
    { kind: 'heading', level: 2, text: t.burndown.heading },
    { kind: 'paragraph', text: b.days.length === 0 ? t.burndown.none : t.burndown.intro },
    ...(b.days.length === 0
      ? []
      : [
          {
            kind: 'burndown' as const,
            burndown: b,
            labels: {
              toMove: t.burndown.toMove,
              toVerify: t.burndown.toVerify,
              bytesTitle: t.burndown.bytesTitle,
              objectsTitle: t.burndown.objectsTitle,
              cutovers: b.cutovers.map((c) => t.burndown.cutover(c.id)),
              closes: t.burndown.closes,
              bytes: w.bytes,
              count: w.count,
            },
            table: {
              head: t.burndown.head,
              rows: b.days.map((d) => [
                w.date(d.day),
                w.count(d.objectsToMove),
                w.bytes(d.bytesToMove),
                w.count(d.objectsToVerify),
                w.bytes(d.bytesToVerify),
              ]),
            },
          },
        ]),
  ];
}
