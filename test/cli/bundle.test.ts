/**
 * bin/cloudexit.js runs the bundle in dist/ only when it was built from the files as they
 * are now (bin/fresh-bundle.js), so an edited source is never shadowed by an older build.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { absent, fileStamp, freshBundle, STAMP_FILE, STAMPED_EXTRAS } from '../../bin/fresh-bundle.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A package folder with two sources, the extras and a stamp of them all. */
function stampedRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'cloudexit-bundle-'));
  roots.push(root);
  for (const dir of ['src/cli', 'node_modules', 'dist']) mkdirSync(join(root, dir), { recursive: true });
  const files = ['src/cli/main.ts', 'src/errors.ts', ...STAMPED_EXTRAS];
  for (const file of files) writeFileSync(join(root, file), `// ${file}\n`);
  writeFileSync(join(root, STAMP_FILE), JSON.stringify({ format: 1, files: files.map((f) => fileStamp(root, f)) }));
  return root;
}

describe('freshBundle', () => {
  it('names the bundle when every stamped file is as it was', () => {
    const root = stampedRoot();
    expect(freshBundle(root)).toEqual({ entry: join(root, 'dist/main.js') });
  });

  it('is stale when a source was edited, even to the same size', () => {
    const root = stampedRoot();
    const file = join(root, 'src/errors.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace('errors', 'ERRORS'));
    expect(freshBundle(root)).toEqual({ stale: 'src/errors.ts changed since the bundle was built' });
  });

  it('is stale when only the modification time changed (a checkout, a touch)', () => {
    const root = stampedRoot();
    const later = new Date(Date.UTC(2030, 0, 1));
    utimesSync(join(root, 'src/cli/main.ts'), later, later);
    expect(freshBundle(root).stale).toBe('src/cli/main.ts changed since the bundle was built');
  });

  it('is stale when npm changed node_modules, or a stamped file is gone', () => {
    const root = stampedRoot();
    writeFileSync(join(root, 'node_modules/.package-lock.json'), '{"changed":true}\n');
    expect(freshBundle(root).stale).toBe('node_modules/.package-lock.json changed since the bundle was built');
    const other = stampedRoot();
    rmSync(join(other, 'src/errors.ts'));
    expect(freshBundle(other).stale).toBe('src/errors.ts changed since the bundle was built');
  });

  it('takes an extra stamped as absent (no npm record under another package manager) as unchanged while it stays absent', () => {
    const root = stampedRoot();
    const stamp = JSON.parse(readFileSync(join(root, STAMP_FILE), 'utf8')) as { format: 1; files: unknown[] };
    stamp.files = stamp.files.map((f) =>
      (f as string[])[0] === 'node_modules/.package-lock.json' ? absent('node_modules/.package-lock.json') : f,
    );
    writeFileSync(join(root, STAMP_FILE), JSON.stringify(stamp));
    rmSync(join(root, 'node_modules/.package-lock.json'));
    expect(freshBundle(root).entry).toBe(join(root, 'dist/main.js'));
    writeFileSync(join(root, 'node_modules/.package-lock.json'), '{}\n');
    expect(freshBundle(root).stale).toBe('node_modules/.package-lock.json changed since the bundle was built');
  });

  it('is stale without a stamp, or with one it cannot read', () => {
    const root = stampedRoot();
    writeFileSync(join(root, STAMP_FILE), '{"format":2}');
    expect(freshBundle(root).stale).toMatch(/not a stamp this version reads/);
    rmSync(join(root, STAMP_FILE));
    expect(freshBundle(root).stale).toMatch(/no bundle .*npm run build/);
  });
});

describe('bin/cloudexit.js', () => {
  const run = (env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, ['bin/cloudexit.js', '--verbose', '--version'], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
  const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

  it('runs the bundle `npm test` built, and says nothing about it', () => {
    // `npm test` builds dist/ first (pretest), and nothing in the suite edits a source.
    expect(freshBundle(process.cwd()), 'dist/ is stale: `npm test` rebuilds it (or run `npm run build`)').toEqual({
      entry: join(process.cwd(), 'dist/main.js'),
    });
    const result = run({});
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(version);
    expect(result.stderr).toBe('');
  });

  it('runs the sources when asked, and says why under --verbose', () => {
    const result = run({ CLOUDEXIT_FROM_SOURCE: '1' });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(version);
    expect(result.stderr).toBe('note: running from the sources: CLOUDEXIT_FROM_SOURCE=1\n');
  });
});
