/**
 * Dates, times, durations, counts and sizes as a reader of each language writes them. The
 * English ones are those of format.ts (ISO-style days with the zone named); French ones are
 * written out the French way, « 1er décembre 2026 à 14 h 00 », every instant in Paris time.
 * Pure functions: the same input gives the same text on every machine.
 */
import { capital, count, formatBytes, humanDuration, parisDate, parisDateTime } from '../runbook/format.ts';
import type { Lang } from './lang.ts';
import { parisParts } from '../../plan/clock.ts';

export interface Words {
  lang: Lang;
  /** A Paris day from `YYYY-MM-DD` (already a Paris day) or an ISO instant. */
  date(dayOrIso: string): string;
  /** An instant, day and time in Paris. */
  dateTime(iso: string): string;
  /** The Paris clock time of an instant. */
  time(iso: string): string;
  duration(seconds: number): string;
  count(n: number): string;
  /** `n` and the noun, singular or plural as the language wants for `n`. */
  plural(n: number, one: string, many: string): string;
  bytes(n: number): string;
  capital(text: string): string;
}

const english: Words = {
  lang: 'en',
  date: parisDate,
  dateTime: parisDateTime,
  time: (iso) => {
    const p = parisParts(iso);
    return `${p.hour}:${p.minute}`;
  },
  duration: humanDuration,
  count,
  plural: (n, one, many) => `${count(n)} ${n === 1 ? one : many}`,
  bytes: formatBytes,
  capital,
};

const MOIS = [
  'janvier',
  'février',
  'mars',
  'avril',
  'mai',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
];

function jour(year: string, month: string, day: string): string {
  const d = Number(day);
  return `${d === 1 ? '1er' : d} ${MOIS[Number(month) - 1]} ${year}`;
}

/** `20 h 00`, its spaces no-break ones: a clock time is never split across two lines. */
function heure(hour: string, minute: string): string {
  return `${Number(hour)}\u00a0h\u00a0${minute}`;
}

/** Thousands separated by a narrow no-break space, decimals by a comma, as French typography wants. */
function nombre(n: number): string {
  return n.toLocaleString('fr-FR');
}

function duree(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'plus long que ce qu’on peut estimer';
  const minutes = Math.round(seconds / 60);
  if (minutes < 1) return 'moins d’une minute';
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return m === 0 ? `${h} h` : `${h} h ${String(m).padStart(2, '0')}`;
  }
  const days = Math.round((seconds / 86_400) * 10) / 10;
  return days < 2 ? `${nombre(days)} jour` : `${nombre(days)} jours`;
}

/** `305 Mio`, `1,5 Kio`, `12 o`: the binary units with their French symbols. */
function octets(bytes: number): string {
  return formatBytes(bytes)
    .replace(/(\d)\.(\d)/, '$1,$2')
    .replace(/ B$/, ' o')
    .replace(/iB$/, 'io');
}

const french: Words = {
  lang: 'fr',
  date: (dayOrIso) => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(dayOrIso)) {
      const [y, m, d] = dayOrIso.split('-') as [string, string, string];
      return jour(y, m, d);
    }
    const p = parisParts(dayOrIso);
    return jour(p.year, p.month, p.day);
  },
  dateTime: (iso) => {
    const p = parisParts(iso);
    return `${jour(p.year, p.month, p.day)} à ${heure(p.hour, p.minute)}`;
  },
  time: (iso) => {
    const p = parisParts(iso);
    return heure(p.hour, p.minute);
  },
  duration: duree,
  count: nombre,
  // In French, 0 and 1 take the singular.
  plural: (n, one, many) => `${nombre(n)} ${n < 2 ? one : many}`,
  bytes: octets,
  capital,
};

export function wordsFor(lang: Lang): Words {
  return lang === 'fr' ? french : english;
}
