/**
 * The runbooks as a small document model, so the Markdown files and the HTML overview are
 * written from the same content and cannot drift apart. Inline text uses a Markdown subset
 * both renderers understand: backslash escapes, `code`, **bold**, [links](file.md) and
 * <autolinks> (see `plain()`, `code()` and `link()` in format.ts).
 */
import type { Burndown } from './burndown.ts';
import { mermaidGantt, type Schedule } from './schedule.ts';

export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string; id?: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'tasks'; items: { done: boolean; text: string }[] }
  | { kind: 'table'; head: string[]; rows: string[][]; id?: string }
  | { kind: 'code'; lang: string; text: string }
  | { kind: 'gantt'; schedule: Schedule }
  | { kind: 'burndown'; burndown: Burndown; labels: BurndownLabels; table: { head: string[]; rows: string[][] } };

/** The words of the burn-down chart, in the runbook's language. */
export interface BurndownLabels {
  toMove: string;
  toVerify: string;
  bytesTitle: string;
  objectsTitle: string;
  /** One label per planned cutover, in the order of `burndown.cutovers`. */
  cutovers: string[];
  closes: string;
  bytes(n: number): string;
  count(n: number): string;
}

/** Markdown (CommonMark + GFM tables and task lists), one blank line between blocks, one final newline. */
export function toMarkdown(blocks: readonly Block[]): string {
  return `${blocks.map(blockToMarkdown).join('\n\n')}\n`;
}

function blockToMarkdown(block: Block): string {
  switch (block.kind) {
    case 'heading':
      return `${'#'.repeat(block.level)} ${block.text}`;
    case 'paragraph':
      return block.text;
    case 'list':
      return block.items.map((item) => `- ${item}`).join('\n');
    case 'tasks':
      return block.items.map((item) => `- [${item.done ? 'x' : ' '}] ${item.text}`).join('\n');
    case 'table': {
      // One space either side of each cell, one alone for an empty cell: markdownlint's compact table style.
      const row = (cells: readonly string[]) => `|${cells.map((c) => (c ? ` ${c} ` : ' ')).join('|')}|`;
      return [row(block.head), `| ${block.head.map(() => '---').join(' | ')} |`, ...block.rows.map(row)].join('\n');
    }
    case 'code':
      return `\`\`\`${block.lang}\n${block.text.replace(/\n$/, '')}\n\`\`\``;
    case 'gantt':
      return `\`\`\`mermaid\n${mermaidGantt(block.schedule)}\n\`\`\``;
    // Markdown has no drawing without a script: the figures themselves, day by day.
    case 'burndown':
      return blockToMarkdown({ kind: 'table', head: block.table.head, rows: block.table.rows });
  }
}
