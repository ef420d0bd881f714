/** The List Blobs scanner on answers as the service documents them (what Azurite never sends included). */
import { describe, expect, test } from 'vitest';
import { BlobListFormatError, decodeEntities, parseBlobList } from '../../src/stores/azure-list-xml.ts';

const page = (blobs: string, next = '<NextMarker />') =>
  `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://a.blob.core.windows.net/" ContainerName="c"><Prefix>p/</Prefix><MaxResults>2</MaxResults><Blobs>${blobs}</Blobs>${next}</EnumerationResults>`;

const blob = (name: string, props: string, metadata = '<Metadata />') =>
  `<Blob><Name${name.startsWith('Encoded') ? ` ${name.split('|')[0]}>${name.split('|')[1]}` : `>${name}`}</Name><Properties>${props}</Properties>${metadata}</Blob>`;

const PROPS =
  '<Creation-Time>Mon, 01 Dec 2025 10:00:00 GMT</Creation-Time><Last-Modified>Tue, 02 Dec 2025 11:22:33 GMT</Last-Modified>' +
  '<Etag>0x8DC0FFEE</Etag><Content-Length>42</Content-Length><Content-Type>text/csv; charset=utf-8</Content-Type>' +
  '<Content-Encoding /><Content-Language /><Content-CRC64 /><Content-MD5>1B2M2Y8AsgTpgAmY7PhCfg==</Content-MD5>' +
  '<Cache-Control /><Content-Disposition /><BlobType>BlockBlob</BlobType><AccessTier>Hot</AccessTier>' +
  '<LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted>';

describe('a List Blobs page', () => {
  test('gives names, properties (empty ones left out), metadata and the next marker', () => {
    const xml = page(
      blob(
        'p/a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;.csv',
        PROPS,
        '<Metadata><Owner>CHU &amp; co</Owner><Empty /></Metadata>',
      ) + blob('p/été/中文.csv', PROPS),
      '<NextMarker>2!84!MDAwMDE5IXAvw6l0w6kv&amp;x</NextMarker>',
    );
    const { blobs, nextMarker } = parseBlobList(xml);
    expect(blobs.map((b) => b.name)).toEqual([`p/a & b <c> "d" 'e'.csv`, 'p/été/中文.csv']);
    expect(blobs[0]!.properties).toMatchObject({
      'Last-Modified': 'Tue, 02 Dec 2025 11:22:33 GMT',
      Etag: '0x8DC0FFEE',
      'Content-Length': '42',
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-MD5': '1B2M2Y8AsgTpgAmY7PhCfg==',
    });
    expect(blobs[0]!.properties).not.toHaveProperty('Content-Encoding');
    expect(blobs[0]!.metadata).toEqual({ Owner: 'CHU & co', Empty: '' });
    expect(blobs[1]!.metadata).toEqual({});
    expect(nextMarker).toBe('2!84!MDAwMDE5IXAvw6l0w6kv&x');
  });

  test('a name XML cannot carry comes percent-encoded with Encoded="true", and is decoded', () => {
    const { blobs } = parseBlobList(page(blob('Encoded="true"|p/bell%07%EF%BF%BE.bin', PROPS)));
    expect(blobs[0]!.name).toBe('p/bell\u0007\uFFFE.bin');
  });

  test('the last page has no marker; an empty page has no blob', () => {
    expect(parseBlobList(page('', '<NextMarker />'))).toEqual({ blobs: [], nextMarker: undefined });
    expect(parseBlobList(page('', '<NextMarker></NextMarker>'))).toEqual({ blobs: [], nextMarker: undefined });
    expect(parseBlobList(page('').replace('<NextMarker />', ''))).toEqual({ blobs: [], nextMarker: undefined });
  });

  test('numeric character references are decoded, unknown entities refused', () => {
    expect(decodeEntities('a&#13;&#x0A;b&#x1F600;')).toBe('a\r\nb😀');
    expect(() => decodeEntities('&nbsp;')).toThrow(BlobListFormatError);
  });

  test('an answer cut short, or not a listing at all, is refused whole (never a shorter listing)', () => {
    const whole = page(blob('p/1', PROPS) + blob('p/2', PROPS));
    for (const cut of [
      whole.length - 10,
      whole.indexOf('p/2') + 3,
      whole.indexOf('</Properties>', whole.indexOf('p/2')),
    ])
      expect(() => parseBlobList(whole.slice(0, cut)), `cut at ${cut}`).toThrow(BlobListFormatError);
    expect(() => parseBlobList('<Error><Code>AuthenticationFailed</Code></Error>')).toThrow(BlobListFormatError);
    expect(() => parseBlobList(page('<Blob><Name>x</Name></Blob>'))).toThrow(/no <Properties>/);
  });
});
