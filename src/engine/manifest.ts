/**
 * The SHA-256 manifest of a dataset: one `<sha256>  <path>` line per object, paths
 * relative to the dataset's root, in byte order of the key, in the format GNU
 * `sha256sum -c` reads (names holding a backslash or a newline are escaped the way it
 * expects). It is written to the local evidence folder and next to the data on the
 * target, under the reserved `.cloudexit/` folder.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
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

/**
 * Writes the manifest of every copied or verified object. Objects not copied yet are
 * absent: the manifest states what the target holds, not what it should hold.
 */
export async function writeManifest(ctx: EngineContext, dataset: EngineDataset, evidenceDir: string): Promise<ManifestSummary> {
  const file = join(evidenceDir, dataset.name, 'manifest.sha256');
  await mkdir(dirname(file), { recursive: true });
  const out = createWriteStream(file, { encoding: 'utf8' });
  let entries = 0;
  for await (const record of ctx.state.iterateObjects(dataset.name, ['copied', 'verified'])) {
    if (!record.sha256) continue;
    const line = manifestLine(record.sha256, record.key.slice(dataset.sourcePrefix.length));
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    entries++;
  }
  out.end();
  await finished(out);
  // Manifests are about 100 bytes per object: even a million objects fit one buffered upload.
  const bytes = await readFile(file);
  const targetKey = manifestTargetKey(dataset);
  await withRetry(
    () => dataset.target.put(targetKey, bytes, md5(bytes), { contentType: 'text/plain; charset=utf-8', metadata: {} }),
    retryOptions(ctx, `put ${targetKey}`),
  );
  return { dataset: dataset.name, file, targetKey, entries, sha256: createHash('sha256').update(bytes).digest('hex') };
}
