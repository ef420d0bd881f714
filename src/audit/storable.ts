/**
 * What a store does to data before writing it, so that what is hashed is exactly what is
 * stored and what an auditor's `jq` prints: plain JSON, every string through `redact()`,
 * no number jq versions would print differently.
 *
 * Callers already keep secrets out of what they record; redacting again here is defence
 * in depth, for a secret in some error text nobody thought to check.
 */
import { redact } from '../secrets/redact.ts';
import type { AuditInput } from './event.ts';

/**
 * `value` as plain JSON data, the way `JSON.stringify` would write it (`toJSON` is
 * called, so a Date becomes its ISO text; `undefined`, functions and symbols are left
 * out of objects and become `null` in arrays), with three differences:
 * - every string, object keys included, goes through `redact()`;
 * - lone UTF-16 surrogates become U+FFFD (they have no UTF-8 form; jq does the same);
 * - with `numbersAsText`, numbers that are not whole within ±(2^53 − 1), NaN and
 *   ±Infinity included, and bigints become their decimal text (0.5 → "0.5"), because
 *   jq 1.6 and 1.7 print such numbers differently, which would break the auditor's hash.
 */
export function toStorable(value: unknown, options: { numbersAsText: boolean }, path = '$'): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: (key: string) => unknown }).toJSON('');
  }
  switch (typeof value) {
    case 'string':
      return redact(value.toWellFormed());
    case 'boolean':
      return value;
    case 'number':
      if (Number.isSafeInteger(value)) return value === 0 ? 0 : value; // -0 → 0
      if (options.numbersAsText) return String(value);
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      if (options.numbersAsText) return value.toString();
      throw new TypeError(`${path}: a bigint cannot be stored as JSON`);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  if (value === null) return null;
  if (Array.isArray(value)) {
    return value.map((item, i) => toStorable(item, options, `${path}[${i}]`) ?? null);
  }
  const entries: [string, unknown][] = [];
  const seen = new Set<string>();
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const stored = toStorable(item, options, `${path}.${key}`);
    if (stored === undefined) continue;
    const storedKey = redact(key.toWellFormed());
    // Two keys that redact to the same text would silently lose one value.
    if (seen.has(storedKey)) throw new TypeError(`${path}: two keys become "${storedKey}" once secrets are masked`);
    seen.add(storedKey);
    entries.push([storedKey, stored]);
  }
  // fromEntries defines properties, so a "__proto__" key stays data instead of a prototype.
  return Object.fromEntries(entries);
}

/**
 * The event as a store must write it: strings redacted, `details` as plain JSON with
 * numbers jq prints identically everywhere (see {@link toStorable}). Refuses what could
 * not be stored faithfully, before anything is written.
 */
export function storableAuditInput(input: AuditInput): AuditInput {
  for (const field of ['time', 'actor', 'step', 'outcome'] as const) {
    if (typeof input[field] !== 'string') throw new TypeError(`audit event field "${field}" must be a string`);
  }
  if (input.phase !== undefined && !(Number.isSafeInteger(input.phase) && input.phase >= 0)) {
    throw new TypeError(`audit event phase must be a whole number or undefined (got ${String(input.phase)})`);
  }
  const details = toStorable(input.details, { numbersAsText: true });
  if (details === null || typeof details !== 'object' || Array.isArray(details)) {
    throw new TypeError('audit event details must be an object');
  }
  return {
    time: redact(input.time.toWellFormed()),
    actor: redact(input.actor.toWellFormed()),
    phase: input.phase,
    step: redact(input.step.toWellFormed()),
    outcome: redact(input.outcome.toWellFormed()),
    details: details as Record<string, unknown>,
  };
}
