import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ObjectHasher, OrderedHasher } from '../../src/engine/hashing.ts';
import { manifestLine } from '../../src/engine/manifest.ts';

describe('ordered hashing', () => {
  it('hashes parts in part order whatever order they finish in', async () => {
    const parts = ['alpha', 'beta', 'gamma', 'delta'].map((s) => Buffer.from(s));
    const ordered = new OrderedHasher();
    await Promise.all([3, 1, 0, 2].map((i) => ordered.feed(i, parts[i]!)));
    const whole = Buffer.concat(parts);
    const digest = ordered.hasher.digest();
    expect(digest.sha256).toBe(createHash('sha256').update(whole).digest('hex'));
    expect(digest.md5).toBe(createHash('md5').update(whole).digest('hex'));
  });

  it('counts bytes', () => {
    const hasher = new ObjectHasher();
    hasher.update(Buffer.alloc(10));
    hasher.update(Buffer.alloc(0));
    expect(hasher.bytes).toBe(10);
  });
});

describe('manifest lines', () => {
  const sha = 'a'.repeat(64);
  it('are `sha  path` for ordinary and Unicode names', () => {
    expect(manifestLine(sha, 'dossier/été/中文.csv')).toBe(`${sha}  dossier/été/中文.csv\n`);
  });
  it('escape backslashes and newlines the way sha256sum -c expects', () => {
    expect(manifestLine(sha, 'a\\b\nc')).toBe(`\\${sha}  a\\\\b\\nc\n`);
  });
});
