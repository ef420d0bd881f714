/** The languages runbooks are written in. */
export const LANGS = ['en', 'fr'] as const;
export type Lang = (typeof LANGS)[number];

export function isLang(text: string): text is Lang {
  return (LANGS as readonly string[]).includes(text);
}

/**
 * A runbook file's name in a language: English keeps the plain names (`phase-1.md`), other
 * languages add theirs before the extension (`phase-1.fr.md`), so both sit in one folder.
 */
export function localName(name: string, lang: Lang): string {
  if (lang === 'en') return name;
  const dot = name.lastIndexOf('.');
  return `${name.slice(0, dot)}.${lang}${name.slice(dot)}`;
}
