/**
 * makeFolder: a folder and its missing parents, one level at a time, so that a path the
 * kernel refuses fails with its error (Node's recursive mkdir retries `/proc/x/y` forever).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFolder, removeFolders } from '../src/make-folder.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-make-folder-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('makeFolder', () => {
  it('makes a folder and each missing parent, and again changes nothing', async () => {
    const deep = join(dir, 'a', 'b', 'c');
    makeFolder(deep);
    expect((await stat(deep)).isDirectory()).toBe(true);
    makeFolder(deep);
    makeFolder(join(dir, 'a'));
    expect((await stat(deep)).isDirectory()).toBe(true);
  });

  it('returns the folders it made, outermost first, which removeFolders takes away unless written to', async () => {
    const made = makeFolder(join(dir, 'm', 'n', 'o'));
    expect(made).toEqual([join(dir, 'm'), join(dir, 'm', 'n'), join(dir, 'm', 'n', 'o')]);
    expect(makeFolder(join(dir, 'm', 'n', 'o'))).toEqual([]);
    await writeFile(join(dir, 'm', 'kept'), 'someone else wrote here');
    removeFolders(made);
    expect(existsSync(join(dir, 'm', 'n'))).toBe(false);
    expect(existsSync(join(dir, 'm', 'kept'))).toBe(true);
  });

  it('gives each folder it makes the mode asked for, and leaves existing ones as they are', async () => {
    const before = (await stat(dir)).mode & 0o777;
    makeFolder(join(dir, 'private', 'inner'), { mode: 0o700 });
    expect((await stat(join(dir, 'private'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'private', 'inner'))).mode & 0o777).toBe(0o700);
    expect((await stat(dir)).mode & 0o777).toBe(before);
  });

  it('refuses a path where a file is, or under one', async () => {
    const file = join(dir, 'file');
    await writeFile(file, 'x');
    expect(() => makeFolder(file)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => makeFolder(join(file, 'below'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  it('throws the kernel’s ENOENT for a folder under /proc instead of retrying forever', () => {
    expect(() => makeFolder('/proc/cloudexit-nope/x')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
