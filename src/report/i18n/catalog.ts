/** The message catalog of a language. */
import { en, type Messages } from './en.ts';
import { fr } from './fr.ts';
import type { Lang } from './lang.ts';

export type { Messages };

export function messagesFor(lang: Lang): Messages {
  return lang === 'fr' ? fr : en;
}
