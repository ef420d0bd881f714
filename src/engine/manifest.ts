/**
 * The SHA-256 manifests of a dataset, paths relative to the dataset's root, in byte order of
 * the key: a GNU one (`<sha256>  <path>` lines that `sha256sum -c` reads, names holding a
 * backslash or a newline escaped the way it expects) and a JSON Lines one. Both are written to
 * the local evidence folder and next to the data on the target, under the reserved
 * `.cloudexit/` folder.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { makeFolder } from '../make-folder.ts';
import { RESERVED_PREFIX, type EngineContext, type EngineDataset } from './context.ts';
import { md5 } from './hashing.ts';
import { retryOptions, withRetry } from './retry.ts';

export interface ManifestSummary {
  dataset: string;
  /** Local evidence file. */
  file: string;
  /** Key of the copy on the target. */
  targetKey: string;
  entries: number;
  /** SHA-256 of the manifest file itself, for runbooks and the audit log. */
  sha256: string;
  /** The JSON Lines manifest, which lists every key. */
  jsonl: { file: string; targetKey: string; sha256: string };
  /** Objects left out of the GNU manifest (unsafe paths, keys that are also folders); all are in the JSON Lines one. */
  outsideGnu: number;
}

/** One manifest line for `relativePath`, escaped as GNU coreutils does. */
export function manifestLine(sha256: string, relativePath: string): string {
  if (!/[\\\n\r]/.test(relativePath)) return `${sha256}  ${relativePath}\n`;
  const escaped = relativePath.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `\\${sha256}  ${escaped}\n`;
}

export function manifestTargetKey(dataset: Pick<EngineDataset, 'targetPrefix'>): string {
  return `${dataset.targetPrefix}${RESERVED_PREFIX}manifest.sha256`;
}

/** Where the JSON Lines manifest (every key) lives on the target. */
export function jsonManifestTargetKey(dataset: Pick<EngineDataset, 'targetPrefix'>): string {
  return `${dataset.targetPrefix}${RESERVED_PREFIX}manifest.jsonl`;
}

/**
 * Whether `path` can be checked by `sha256sum -c` from a download without reading outside
 * it: relative, with no `.`, `..` or empty segment. Keys such as `/leading.csv` or
 * `a/../../etc/passwd` are valid object keys but would make a checker read elsewhere.
 */
export function isSafeRelativePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\0')) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/**
 * Writes the manifests of every copied or verified object. Objects not copied yet are
 * absent: a manifest states what the target holds, not what it should hold.
 *
 * - `manifest.jsonl`: every object, one JSON object a line (`key`, `size`, `sha256`), for
 *   the auditor's recipe that fetches each object by key (docs/audit.md).
 * - `manifest.sha256`: the GNU form for `sha256sum -c` over a download, with the keys a
 *   filesystem can hold safely: a key with an unsafe path, or one that is also the folder of
 *   other keys (`a` beside `a/b`), is left out of it (and counted) but never out of the JSON one.
 */
export async function writeManifest(
  ctx: EngineContext,
  dataset: EngineDataset,
  evidenceDir: string,
): Promise<ManifestSummary> {
  const folder = join(evidenceDir, dataset.name);
  makeFolder(folder);
  const folders = await folderKeys(ctx, dataset);
  const gnu = createWriteStream(join(folder, 'manifest.sha256'), { encoding: 'utf8' });
  const jsonl = createWriteStream(join(folder, 'manifest.jsonl'), { encoding: 'utf8' });
  let entries = 0;
  let outsideGnu = 0;
  for await (const record of ctx.state.iterateObjects(dataset.name, ['copied', 'verified'])) {
    if (!record.sha256) continue;
    const path = record.key.slice(dataset.sourcePrefix.length);
    await write(jsonl, `${JSON.stringify({ key: path, size: record.size, sha256: record.sha256 })}\n`);
    if (isSafeRelativePath(path) && !folders.has(path)) await write(gnu, manifestLine(record.sha256, path));
    else outsideGnu++;
    entries++;
  }
  await Promise.all(
    [gnu, jsonl].map(async (out) => {
      out.end();
      await finished(out);
    }),
  );
  const json = await upload(
    ctx,
    dataset,
    join(folder, 'manifest.jsonl'),
    jsonManifestTargetKey(dataset),
    'application/x-ndjson',
  );
  const plain = await upload(
    ctx,
    dataset,
    join(folder, 'manifest.sha256'),
    manifestTargetKey(dataset),
    'text/plain; charset=utf-8',
  );
  return {
    dataset: dataset.name,
    file: join(folder, 'manifest.sha256'),
    targetKey: plain.targetKey,
    entries,
    sha256: plain.sha256,
    jsonl: json,
    outsideGnu,
  };
}

/** Every key that is also the folder of another key: `a` when `a/b` exists. */
async function folderKeys(ctx: EngineContext, dataset: EngineDataset): Promise<Set<string>> {
  const folders = new Set<string>();
  for await (const record of ctx.state.iterateObjects(dataset.name, ['copied', 'verified'])) {
    const path = record.key.slice(dataset.sourcePrefix.length);
    for (let at = path.indexOf('/'); at > 0; at = path.indexOf('/', at + 1)) folders.add(path.slice(0, at));
  }
  return folders;
}

async function write(out: NodeJS.WritableStream, line: string): Promise<void> {
  if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}

/** Puts a local manifest file next to the data; returns its key and SHA-256. */
async function upload(
  ctx: EngineContext,
  dataset: EngineDataset,
  file: string,
  targetKey: string,
  contentType: string,
): Promise<{ targetKey: string; sha256: string; file: string }> {
  // Manifests are about 100 bytes per object: even a million objects fit one buffered upload.
  const bytes = await readFile(file);
  await withRetry(
    () => dataset.target.put(targetKey, bytes, md5(bytes), { contentType, metadata: {} }),
    retryOptions(ctx, `put ${targetKey}`),
  );
  return { targetKey, file, sha256: createHash('sha256').update(bytes).digest('hex') };
}
