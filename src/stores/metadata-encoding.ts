/**
 * Reversible encoding of user-metadata values that an HTTP header cannot carry as they are,
 * as RFC 2047 encoded-words (`=?UTF-8?B?…?=`) — the form AWS S3 itself answers for values
 * that are not ASCII. Why: metadata travels in headers (`x-amz-meta-*`, `x-ms-meta-*`);
 * Node refuses characters above U+00FF in a header, sends U+0080–U+00FF as single Latin-1
 * bytes that RGW then refuses (SignatureDoesNotMatch, measured) or that come back as
 * another string, and HTTP drops leading and trailing spaces. Adapters of stores whose
 * `capabilities.metadataValuesUtf8` is false encode on write and decode on read.
 *
 * Reversible for every string: a value that already contains `=?` (the start of an
 * encoded-word) is encoded as well, so a decoded value is always one that was encoded.
 */

/** Printable ASCII (space to `~`): what every store keeps as is. */
const HEADER_SAFE = /^[\x20-\x7e]*$/;
/** One encoded-word: charset, encoding (B or Q), text. */
const WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
/** A value made only of encoded-words, separated by whitespace (RFC 2047 §6.2 drops it). */
const ONLY_WORDS = /^\s*=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=(?:\s+=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)*\s*$/;

/** Whether `value` must be encoded to survive a header and a decode: not printable ASCII, edge spaces, or `=?`. */
export function needsEncoding(value: string): boolean {
  return !HEADER_SAFE.test(value) || value !== value.trim() || value.includes('=?');
}

/** `value` as it is when it survives a header, else as one `=?UTF-8?B?…?=` encoded-word. */
export function encodeMetadataValue(value: string): string {
  return needsEncoding(value) ? `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=` : value;
}

/**
 * The value `encodeMetadataValue` was given, or what a store's own RFC 2047 encoding stands
 * for (UTF-8, US-ASCII or ISO-8859-1 words, B or Q). Anything else is returned as is.
 */
export function decodeMetadataValue(value: string): string {
  if (!ONLY_WORDS.test(value)) return value;
  const parts: Buffer[] = [];
  for (const [, charset, encoding, text] of value.matchAll(WORD)) {
    const bytes = encoding!.toUpperCase() === 'B' ? Buffer.from(text!, 'base64') : decodeQ(text!);
    const decoder = charsetEncoding(charset!);
    if (!decoder) return value;
    parts.push(decoder === 'utf8' ? bytes : Buffer.from(bytes.toString('latin1'), 'utf8'));
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Every value of `metadata` through `encodeMetadataValue`; names are left alone. */
export function encodeMetadata(metadata: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([name, value]) => [name, encodeMetadataValue(value)]));
}

/** Every value of `metadata` through `decodeMetadataValue`. */
export function decodeMetadata(metadata: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([name, value]) => [name, decodeMetadataValue(value)]));
}

function charsetEncoding(charset: string): 'utf8' | 'latin1' | undefined {
  // RFC 2231 lets a language follow the charset: `UTF-8*fr`.
  const name = charset.toLowerCase().split('*')[0];
  if (name === 'utf-8' || name === 'us-ascii') return 'utf8';
  if (name === 'iso-8859-1' || name === 'latin1') return 'latin1';
  return undefined;
}

/** RFC 2047 "Q": `_` is a space, `=XX` a byte, anything else itself. */
function decodeQ(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (c === '_') bytes.push(0x20);
    else if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c.charCodeAt(0));
  }
  return Buffer.from(bytes);
}
