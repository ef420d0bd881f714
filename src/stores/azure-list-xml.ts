/**
 * The answer of Azure's List Blobs (`restype=container&comp=list&include=metadata`), read
 * by a scanner of its few elements instead of a general XML parser and the SDK's
 * deserializer: those cost about 0.25 ms of CPU per listed blob, most of a small object's
 * listing. The format is fixed by the service (EnumerationResults > Blobs > Blob, each with
 * Name, Properties and Metadata; NextMarker): no attributes but `Encoded` on Name, no
 * CDATA, no nesting inside a property or a metadata value. What the scanner does not
 * recognise (an answer cut short, an element it expected missing) is an error, never a
 * silently shorter listing.
 */

/** One blob as listed: its name, its properties and metadata as the service spells them. */
export interface ListedBlob {
  name: string;
  /** Properties by element name (`Content-Length`, `Etag`, `Last-Modified`, …); empty ones left out. */
  properties: Record<string, string>;
  /** Metadata by name as sent (case kept); `undefined` when the answer has no `<Metadata>`. */
  metadata: Record<string, string> | undefined;
}

export interface BlobListPage {
  blobs: ListedBlob[];
  /** The marker of the next page; `undefined` on the last one. */
  nextMarker: string | undefined;
}

/** The XML of a List Blobs answer could not be read: the page is refused whole. */
export class BlobListFormatError extends Error {
  override name = 'BlobListFormatError';
}

/** Reads one page of a List Blobs answer. */
export function parseBlobList(xml: string): BlobListPage {
  if (!xml.includes('<EnumerationResults')) throw new BlobListFormatError('no EnumerationResults element');
  const end = xml.lastIndexOf('</EnumerationResults>');
  if (end < 0) throw new BlobListFormatError('the answer ends before </EnumerationResults>');
  const blobs: ListedBlob[] = [];
  let at = xml.indexOf('<Blob>');
  let last = 0;
  while (at >= 0 && at < end) {
    const close = xml.indexOf('</Blob>', at);
    if (close < 0) throw new BlobListFormatError('a <Blob> element is not closed');
    blobs.push(readBlob(xml, at + 6, close));
    last = close + 7;
    at = xml.indexOf('<Blob>', last);
  }
  const marker = elementText(xml, 'NextMarker', last, end + 1);
  return { blobs, nextMarker: marker ? marker : undefined };
}

function readBlob(xml: string, from: number, to: number): ListedBlob {
  const name = readName(xml, from, to);
  const propsAt = xml.indexOf('<Properties>', from);
  if (propsAt < 0 || propsAt > to) throw new BlobListFormatError(`blob ${JSON.stringify(name)} has no <Properties>`);
  const propsEnd = xml.indexOf('</Properties>', propsAt);
  if (propsEnd < 0 || propsEnd > to)
    throw new BlobListFormatError(`blob ${JSON.stringify(name)}: <Properties> not closed`);
  return {
    name,
    properties: readChildren(xml, propsAt + 12, propsEnd),
    metadata: readMetadata(xml, propsEnd, to),
  };
}

/** `<Name>` text, or with `Encoded="true"` (a name XML cannot carry) its percent-encoded form, decoded as the SDK does. */
function readName(xml: string, from: number, to: number): string {
  const open = xml.indexOf('<Name', from);
  const openEnd = xml.indexOf('>', open);
  const close = xml.indexOf('</Name>', openEnd);
  if (open < 0 || open > to || openEnd < 0 || close < 0 || close > to)
    throw new BlobListFormatError('a <Blob> has no <Name>');
  const text = decodeEntities(xml.slice(openEnd + 1, close));
  return /\bEncoded\s*=\s*["']true["']/i.test(xml.slice(open + 5, openEnd)) ? decodeURIComponent(text) : text;
}

/** `<Metadata>`'s children; `{}` for `<Metadata />` (as the SDK gives it), `undefined` without the element. */
function readMetadata(xml: string, from: number, to: number): Record<string, string> | undefined {
  const open = xml.indexOf('<Metadata', from);
  if (open < 0 || open > to) return undefined;
  const openEnd = xml.indexOf('>', open);
  if (xml[openEnd - 1] === '/') return {};
  const close = xml.indexOf('</Metadata>', openEnd);
  if (close < 0 || close > to) throw new BlobListFormatError('<Metadata> not closed');
  return readChildren(xml, openEnd + 1, close, true);
}

/**
 * The child elements between `from` and `to` as name → text: `<A>text</A>`, `<A />` (empty).
 * Empty values are left out unless `keepEmpty` (a metadata value may be empty; a property
 * that is empty is the same as absent).
 */
function readChildren(xml: string, from: number, to: number, keepEmpty = false): Record<string, string> {
  const out: Record<string, string> = {};
  let at = xml.indexOf('<', from);
  while (at >= 0 && at < to) {
    const nameEnd = nameEndAt(xml, at + 1);
    const name = xml.slice(at + 1, nameEnd);
    const tagEnd = xml.indexOf('>', nameEnd);
    if (!name || tagEnd < 0 || tagEnd > to) throw new BlobListFormatError(`unreadable element at offset ${at}`);
    if (xml[tagEnd - 1] === '/') {
      if (keepEmpty) out[name] = '';
      at = xml.indexOf('<', tagEnd);
      continue;
    }
    const closeTag = `</${name}>`;
    const close = xml.indexOf(closeTag, tagEnd);
    if (close < 0 || close > to) throw new BlobListFormatError(`<${name}> not closed`);
    const text = xml.slice(tagEnd + 1, close);
    if (text.includes('<')) throw new BlobListFormatError(`<${name}> holds elements, not text`);
    if (text || keepEmpty) out[name] = decodeEntities(text);
    at = xml.indexOf('<', close + closeTag.length);
  }
  return out;
}

function nameEndAt(xml: string, from: number): number {
  let i = from;
  for (; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    // Ends at whitespace, '>' or '/'.
    if (c === 0x3e || c === 0x2f || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) break;
  }
  return i;
}

function elementText(xml: string, name: string, from: number, to: number): string | undefined {
  const open = xml.indexOf(`<${name}`, from);
  if (open < 0 || open > to) return undefined;
  const openEnd = xml.indexOf('>', open);
  if (xml[openEnd - 1] === '/') return undefined;
  const close = xml.indexOf(`</${name}>`, openEnd);
  if (close < 0) throw new BlobListFormatError(`<${name}> not closed`);
  return decodeEntities(xml.slice(openEnd + 1, close));
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML's five named entities and numeric character references; anything else is an error. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&]{1,10});/g, (whole, ref: string) => {
    const named = NAMED[ref];
    if (named !== undefined) return named;
    const code =
      ref.startsWith('#x') || ref.startsWith('#X')
        ? parseInt(ref.slice(2), 16)
        : ref.startsWith('#')
          ? Number(ref.slice(1))
          : NaN;
    if (!Number.isInteger(code) || code < 0 || code > 0x10ffff)
      throw new BlobListFormatError(`unknown character reference ${whole}`);
    return String.fromCodePoint(code);
  });
}
