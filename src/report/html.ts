/**
 * The overview as one self-contained HTML file, for people who never open a repository:
 * the timeline drawn as SVG, the status table, and every phase runbook in the same file,
 * reached by links to `#phase-N`. No script, no font, no request: inline CSS only, so it
 * opens the same from a mail attachment, a USB key or an intranet page.
 */
import type { Block } from './runbook/doc.ts';
import { svgBurndown } from './html-burndown.ts';
import { escapeXml, svgGantt } from './html-gantt.ts';

/*
 * Words and commands are never broken in the middle: no automatic hyphenation, no break inside
 * a word, inline code on one line (a wide table scrolls sideways instead), blocks of code in
 * <pre> that scroll. A command cut in two is copied wrong; a French word cut by a browser
 * without French hyphenation rules is cut wrong.
 */
const CSS = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d1d1f;margin:0;background:#f6f7f9;hyphens:manual;overflow-wrap:normal;word-break:normal}
main{max-width:1180px;margin:0 auto;padding:24px 32px 64px;background:#fff}
h1{font-size:26px;margin:8px 0 12px}h2{font-size:20px;margin:28px 0 8px;border-bottom:1px solid #e3e3e3;padding-bottom:4px}
h3{font-size:16px;margin:20px 0 6px}h4{font-size:15px;margin:16px 0 6px}
section.phase{border-top:4px solid #2f6db5;margin-top:40px}
.scroll{overflow-x:auto}table{border-collapse:collapse;margin:8px 0 12px;font-size:13.5px}
th,td{border:1px solid #d6d6d6;padding:5px 8px;vertical-align:top;text-align:left}th{background:#eef2f7}
code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f1f1f1;padding:1px 4px;border-radius:3px;white-space:nowrap}
pre{overflow-x:auto;white-space:pre}pre code{white-space:pre}
svg.burndown{max-width:100%;height:auto;border:1px solid #e3e3e3;background:#fff}
ul.tasks{list-style:none;padding-left:4px}ul.tasks li{margin:3px 0}.box{display:inline-block;width:1.4em;font-weight:bold}
li.done .box{color:#4f8a4b}li.open .box{color:#c0392b}
figure{margin:8px 0}svg.gantt{max-width:100%;height:auto;border:1px solid #e3e3e3;background:#fff}
a{color:#2f6db5}
`;

/** Links between Markdown files become links inside the one page. */
function pageHref(href: string): string {
  if (href === 'README.md') return '#overview';
  const phase = /^phase-(\d+)\.md$/.exec(href);
  return phase ? `#phase-${phase[1]}` : href;
}

/** The inline subset of doc.ts to HTML: backslash escapes, `code`, **bold**, [links](href), <autolinks>. */
export function inlineHtml(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    let m: RegExpExecArray | null;
    if (rest[0] === '\\' && rest.length > 1) {
      out += escapeXml(rest[1]!);
      i += 2;
    } else if ((m = /^`([^`]*)`/.exec(rest))) {
      out += `<code>${escapeXml(m[1]!)}</code>`;
      i += m[0].length;
    } else if ((m = /^\*\*((?:\\.|[^*\\])+)\*\*/.exec(rest))) {
      out += `<strong>${inlineHtml(m[1]!)}</strong>`;
      i += m[0].length;
    } else if ((m = /^\[((?:\\.|[^\]\\])+)\]\(([^)\s]+)\)/.exec(rest))) {
      out += `<a href="${escapeXml(pageHref(m[2]!))}">${inlineHtml(m[1]!)}</a>`;
      i += m[0].length;
    } else if ((m = /^<((?:https?:\/\/|[\w.+-]+@)[^\s<>]+)>/.exec(rest))) {
      const href = m[1]!.includes('@') && !m[1]!.startsWith('http') ? `mailto:${m[1]}` : m[1]!;
      out += `<a href="${escapeXml(href)}">${escapeXml(m[1]!)}</a>`;
      i += m[0].length;
    } else {
      out += escapeXml(rest[0]!);
      i += 1;
    }
  }
  return out;
}

function blockHtml(block: Block, shift: number): string {
  switch (block.kind) {
    case 'heading': {
      const level = Math.min(6, block.level + shift);
      return `<h${level}${block.id ? ` id="${escapeXml(block.id)}"` : ''}>${inlineHtml(block.text)}</h${level}>`;
    }
    case 'paragraph':
      return `<p>${inlineHtml(block.text)}</p>`;
    case 'list':
      return `<ul>\n${block.items.map((item) => `<li>${inlineHtml(item)}</li>`).join('\n')}\n</ul>`;
    case 'tasks':
      return `<ul class="tasks">\n${block.items.map((item) => `<li class="${item.done ? 'done' : 'open'}"><span class="box">${item.done ? '☑' : '☐'}</span>${inlineHtml(item.text)}</li>`).join('\n')}\n</ul>`;
    case 'table': {
      const head = `<tr>${block.head.map((h) => `<th>${inlineHtml(h)}</th>`).join('')}</tr>`;
      const rows = block.rows.map((r) => `<tr>${r.map((c) => `<td>${inlineHtml(c)}</td>`).join('')}</tr>`);
      return `<div class="scroll"><table${block.id ? ` id="${escapeXml(block.id)}"` : ''}>\n<thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table></div>`;
    }
    case 'code':
      return `<pre><code>${escapeXml(block.text)}</code></pre>`;
    case 'gantt':
      return `<figure id="timeline">\n${svgGantt(block.schedule)}\n</figure>`;
    case 'burndown':
      return `<figure id="burndown">\n${svgBurndown(block.burndown, block.labels)}\n</figure>\n${blockHtml({ kind: 'table', head: block.table.head, rows: block.table.rows }, shift)}`;
  }
}

export interface HtmlPage {
  title: string;
  /** The page's language, for the `lang` attribute (hyphenation and screen readers follow it). */
  lang: string;
  overview: readonly Block[];
  phases: readonly { id: number; blocks: readonly Block[] }[];
}

export function renderHtml(page: HtmlPage): string {
  const sections = [
    `<section id="overview">\n${page.overview.map((b) => blockHtml(b, 0)).join('\n')}\n</section>`,
    // Phase runbooks are whole documents of their own: one heading level down inside the page.
    ...page.phases.map(
      (p) =>
        `<section class="phase" id="phase-${p.id}">\n${p.blocks.map((b) => blockHtml(b, 1)).join('\n')}\n</section>`,
    ),
  ];
  return [
    '<!DOCTYPE html>',
    `<html lang="${escapeXml(page.lang)}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(page.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...sections,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
