/**
 * The plan's `translations` section: its own sentences (titles, phase names, owners, the
 * communication plan, the governance section) written in another language, so that a French
 * runbook reads French from end to end. Keys are the plan's text exactly as written; a text
 * without a translation is printed as the plan writes it. Only the runbooks read this.
 */
import { z } from 'zod';

const table = z.record(z.string().min(1), z.string().min(1));

export const translationsSchema = z
  .strictObject({
    /** French: `"English text of the plan": "texte français"`. @default {} (the plan's text as written) */
    fr: table.default({}),
  })
  .prefault({});

export type Translations = z.output<typeof translationsSchema>;
