/** The RFC 2047 codec of metadata values (no server needed). */
import { describe, expect, test } from 'vitest';
import {
  decodeMetadata,
  decodeMetadataValue,
  encodeMetadata,
  encodeMetadataValue,
  needsEncoding,
} from '../../src/stores/metadata-encoding.ts';

const HEADER_SAFE = /^[\x20-\x7e]*$/;

describe('metadata value encoding (RFC 2047)', () => {
  test('printable ASCII is left as it is', () => {
    for (const value of [
      '',
      'plain',
      'a=b; c?d',
      '0x8DC1',
      'sha256 ' + 'a'.repeat(64),
      'trailing?',
      '?= alone',
      'x =',
    ]) {
      expect(needsEncoding(value)).toBe(false);
      expect(encodeMetadataValue(value)).toBe(value);
      expect(decodeMetadataValue(value)).toBe(value);
    }
  });

  test('non-ASCII is one UTF-8 B encoded-word, which decodes back', () => {
    expect(encodeMetadataValue('é')).toBe('=?UTF-8?B?w6k=?=');
    for (const value of ['séjour', '患者 中文', 'ok ✅ 🩺', 'tab\there', 'line\nbreak', '\u0000nul', 'ÿ']) {
      const encoded = encodeMetadataValue(value);
      expect(encoded).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]*\?=$/);
      expect(encoded).toMatch(HEADER_SAFE);
      expect(decodeMetadataValue(encoded)).toBe(value);
    }
  });

  test('leading and trailing spaces (which HTTP drops) are encoded', () => {
    for (const value of [' lead', 'trail ', '  both  ']) {
      expect(needsEncoding(value)).toBe(true);
      expect(decodeMetadataValue(encodeMetadataValue(value))).toBe(value);
    }
  });

  test('a value that looks like an encoded-word is encoded too, so it round-trips', () => {
    for (const value of [
      '=?UTF-8?B?w6k=?=',
      '=?utf-8?q?a_b?=',
      '=?UTF-8?B?YQ==?= =?UTF-8?B?Yg==?=',
      'a =? b',
      '=?',
      '=?x?=',
    ]) {
      expect(needsEncoding(value)).toBe(true);
      const encoded = encodeMetadataValue(value);
      expect(encoded).not.toBe(value);
      expect(decodeMetadataValue(encoded)).toBe(value);
    }
  });

  test('every string round-trips (generated)', () => {
    const alphabet = ['a', ' ', '=', '?', 'B', 'Q', '_', 'é', '中', '🩺', '\t', '~', 'u', '8'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 2000; i += 1) {
      const length = next() % 12;
      const value = Array.from({ length }, () => alphabet[next() % alphabet.length]).join('');
      const encoded = encodeMetadataValue(value);
      expect(encoded).toMatch(HEADER_SAFE);
      expect(encoded).toBe(encoded.trim());
      expect(decodeMetadataValue(encoded)).toBe(value);
    }
  });

  test('decodes what stores encode themselves: Q words, several words, Latin-1 and lower-case charsets', () => {
    expect(decodeMetadataValue('=?UTF-8?Q?s=C3=A9jour_=C3=A9t=C3=A9?=')).toBe('séjour été');
    expect(decodeMetadataValue('=?utf-8?b?w6k=?=')).toBe('é');
    expect(decodeMetadataValue('=?UTF-8?B?w6k=?=  =?UTF-8?B?w6k=?=')).toBe('éé');
    expect(decodeMetadataValue('=?ISO-8859-1?Q?caf=E9?=')).toBe('café');
    expect(decodeMetadataValue('=?US-ASCII?Q?plain?=')).toBe('plain');
  });

  test('anything not made only of encoded-words, or in an unknown charset, is left alone', () => {
    for (const value of [
      'x =?UTF-8?B?w6k=?=',
      '=?UTF-8?B?w6k=?= x',
      '=?KOI8-R?B?w6k=?=',
      '=?UTF-8?X?abc?=',
      '=?UTF-8?B?a b?=',
    ]) {
      expect(decodeMetadataValue(value)).toBe(value);
    }
  });

  test('whole records: names untouched, values encoded and decoded', () => {
    const metadata = { 'cloudexit-sha256': 'f'.repeat(64), source_name: 'séjours 2024.csv' };
    const encoded = encodeMetadata(metadata);
    expect(Object.keys(encoded)).toEqual(Object.keys(metadata));
    expect(encoded['cloudexit-sha256']).toBe(metadata['cloudexit-sha256']);
    expect(encoded.source_name).toMatch(/^=\?UTF-8\?B\?/);
    expect(decodeMetadata(encoded)).toEqual(metadata);
  });
});
