import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/audit/chain.ts';
import { storableAuditInput, toStorable } from '../../src/audit/storable.ts';
import { registerSecret } from '../../src/secrets/redact.ts';
import { sampleInput } from './helpers.ts';

describe('what a store writes for an audit event', () => {
  it('masks secrets in every string: fields, detail values and keys', () => {
    registerSecret('s3cr3t-account-key-value');
    const stored = storableAuditInput(
      sampleInput(1, {
        actor: 'hook freeze AccountKey=abc123;EndpointSuffix=x',
        details: {
          url: 'https://mallory:hunter22@db.example/emc2',
          list: ['sas ?sv=2024&sig=abcdef', { deep: 's3cr3t-account-key-value' }],
          's3cr3t-account-key-value': 'as a key',
        },
      }),
    );
    expect(stored.actor).toBe('hook freeze AccountKey=***;EndpointSuffix=x');
    expect(stored.details).toEqual({
      url: 'https://mallory:***@db.example/emc2',
      list: ['sas ?sv=2024&sig=***', { deep: '***' }],
      '***': 'as a key',
    });
  });

  it('turns numbers jq versions print differently into their text, keeps whole numbers', () => {
    const stored = storableAuditInput(
      sampleInput(1, {
        details: { n: 42, big: 2 ** 53, rate: 412.5, tiny: 1e-7, inf: Infinity, nan: Number.NaN, negZero: -0, id: 12n },
      }),
    );
    expect(stored.details).toEqual({
      n: 42,
      big: '9007199254740992',
      rate: '412.5',
      tiny: '1e-7',
      inf: 'Infinity',
      nan: 'NaN',
      negZero: 0,
      id: '12',
    });
    expect(Object.is((stored.details as { negZero: number }).negZero, 0)).toBe(true);
  });

  it('stores what JSON.stringify would write: dates as ISO text, undefined left out of objects and null in arrays', () => {
    const stored = storableAuditInput(
      sampleInput(1, {
        details: { at: new Date(Date.UTC(2026, 11, 21)), gone: undefined, fn: () => 1, list: [undefined, 1] },
      }),
    );
    expect(stored.details).toStrictEqual({ at: '2026-12-21T00:00:00.000Z', list: [null, 1] });
  });

  it('keeps a "__proto__" key as data and replaces lone surrogates', () => {
    const details = JSON.parse('{"__proto__": {"x": 1}, "s": "a\\ud800"}') as Record<string, unknown>;
    const stored = storableAuditInput(sampleInput(1, { details })).details;
    expect(Object.keys(stored)).toEqual(['__proto__', 's']);
    expect(canonicalJson(stored)).toBe('{"__proto__":{"x":1},"s":"a\ufffd"}');
  });

  it('gives back data whose canonical JSON survives a JSON round trip unchanged', () => {
    const stored = storableAuditInput(
      sampleInput(3, { details: { f: 0.1, when: new Date(0), deep: [{ z: 1, a: [2.5] }] } }),
    );
    const text = canonicalJson(stored.details);
    expect(canonicalJson(JSON.parse(text))).toBe(text);
  });

  it('refuses an event it could not store faithfully', () => {
    expect(() => storableAuditInput(sampleInput(1, { phase: 1.5 }))).toThrow(/phase must be a whole number/);
    expect(() => storableAuditInput(sampleInput(1, { details: [] as unknown as Record<string, unknown> }))).toThrow(
      /details must be an object/,
    );
    expect(() => storableAuditInput({ ...sampleInput(1), step: 3 as unknown as string })).toThrow(
      /"step" must be a string/,
    );
    registerSecret('collide-secret-1');
    expect(() => storableAuditInput(sampleInput(1, { details: { '***': 1, 'collide-secret-1': 2 } }))).toThrow(
      /two keys become "\*\*\*"/,
    );
  });

  it('without numbersAsText keeps fractions as numbers (phase records)', () => {
    expect(toStorable({ r: 0.5, n: Number.NaN }, { numbersAsText: false })).toEqual({ r: 0.5, n: null });
  });
});
