/**
 * Words a project manager reads: dates and times in Europe/Paris written ISO-style with
 * the zone named, durations in minutes, hours and days, counts with thousands separators,
 * and plan text made safe to put into Markdown. Every function is pure: the runbooks must
 * come out byte-identical from the same plan and state.
 */
import { formatBytes } from '../../plan/sizes.ts';
import { parisParts } from '../../plan/clock.ts';

export { formatBytes };

/** `2026-12-07 (Europe/Paris)` from a day `YYYY-MM-DD` (already a Paris day) or an ISO instant. */
export function parisDate(dayOrIso: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(dayOrIso)) return `${dayOrIso} (Europe/Paris)`;
  const p = parisParts(dayOrIso);
  return `${p.year}-${p.month}-${p.day} (Europe/Paris)`;
}

/** `2026-12-07 21:30 (Europe/Paris)` from an ISO instant. */
export function parisDateTime(iso: string): string {
  const p = parisParts(iso);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} (Europe/Paris)`;
}

/** `under 1 min`, `12 min`, `3 h 20 min`, `1 day`, `2.5 days`. */
export function humanDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'longer than can be estimated';
  const minutes = Math.round(seconds / 60);
  if (minutes < 1) return 'under 1 min';
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return m === 0 ? `${h} h` : `${h} h ${m} min`;
  }
  const days = Math.round((seconds / 86_400) * 10) / 10;
  return days === 1 ? '1 day' : `${days} days`;
}

/** `1,204` — the same separators on every machine. */
export function count(n: number): string {
  return n.toLocaleString('en-GB');
}

/** `1 object`, `2,042 objects`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** `decision maker` → `Decision maker`, for the start of a sentence or a cell. */
export function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A command (or a path) as inline code. */
export function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

const URL_OR_EMAIL = /(https?:\/\/[^\s<>()]+[^\s<>().,;:!?]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)/g;

/**
 * Text from the plan or the state as Markdown that means just that text: Markdown
 * punctuation escaped (pipes too, so it fits a table cell), line breaks folded, and
 * URLs and e-mail addresses written as autolinks rather than left bare.
 */
export function plain(text: string): string {
  const folded = text.replace(/\s*\n\s*/g, ' ');
  let out = '';
  let last = 0;
  for (const match of folded.matchAll(URL_OR_EMAIL)) {
    out += escapeMarkdown(folded.slice(last, match.index)) + `<${match[0]}>`;
    last = match.index + match[0].length;
  }
  return out + escapeMarkdown(folded.slice(last));
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|#~]/g, (c) => `\\${c}`);
}

/** A link to another runbook file, in the inline syntax both renderers understand. */
export function link(label: string, href: string): string {
  return `[${escapeMarkdown(label)}](${href})`;
}
