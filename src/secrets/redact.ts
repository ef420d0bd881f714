/**
 * Last line of defence against secrets in output. Every secret cloudexit reads (from
 * the environment or a secrets file) is registered here, and every message bound for a
 * terminal, a log, the state store, a runbook or an error goes through `redact`.
 * Known shapes (SAS signatures, account keys, URL passwords) are scrubbed even when the
 * value was never registered, e.g. a SAS pasted into a plan by mistake.
 */
const known = new Set<string>();

/** Registers a secret value so that it is masked wherever it would be printed. */
export function registerSecret(value: string | undefined): void {
  // Very short values would mask ordinary words; real secrets are long.
  if (value && value.length >= 6) known.add(value);
}

const PATTERNS: readonly [RegExp, string][] = [
  [/([?&]sig=)[^&\s"']+/gi, '$1***'],
  [/(AccountKey=)[^;\s"']+/gi, '$1***'],
  [/(SharedAccessSignature=)[^;\s"']+/gi, '$1***'],
  [/(X-Amz-Signature=)[^&\s"']+/gi, '$1***'],
  [/(X-Amz-Credential=)[^&\s"']+/gi, '$1***'],
  [/(X-Amz-Security-Token=)[^&\s"']+/gi, '$1***'],
  [/(Authorization:\s*)[^\r\n]+/gi, '$1***'],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@]+:)[^@\s/]+(@)/gi, '$1***$2'],
  [/(password\s*[=:]\s*)[^\s;,&"']+/gi, '$1***'],
];

/** Returns `text` with every registered secret and every known secret shape masked. */
export function redact(text: string): string {
  let out = text;
  for (const secret of known) out = out.split(secret).join('***');
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
