/**
 * Byte sizes and rates as people write them in a plan (`64MiB`, `1.5GB`, `200MiB/s`) and
 * as they read them in output. Binary units (KiB, MiB, GiB, TiB) are powers of 1024;
 * decimal ones (KB, MB, GB, TB) powers of 1000, as the IEC and SI define them.
 */
const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** Parses `123`, `64MiB`, `1.5 GB`; returns `undefined` when the text is not a size. */
export function parseSize(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? Math.floor(text) : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = (match[2] ?? '').toLowerCase() || 'b';
  const factor = UNITS[unit];
  return factor === undefined ? undefined : Math.floor(Number(match[1]) * factor);
}

/** Parses a rate such as `100MiB/s`; returns bytes per second. */
export function parseRate(text: string): number | undefined {
  const match = /^(.*)\/s$/i.exec(text.trim());
  return match?.[1] ? parseSize(match[1]) : undefined;
}

/** `1536` → `1.5 KiB`; exact below 1 KiB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 'B';
  for (const next of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${unit}`;
}
