/**
 * The integrity checks of a copy: the bytes read must agree with the source's own
 * Content-MD5, and the target's ETag with the MD5 of the bytes sent (where the target's
 * ETag rule is known). Either failing stops that object, never the run.
 */
import type { ObjectInfo } from '../stores/object-store.ts';
import type { ObjectRecord } from '../state/contracts/objects.ts';
import type { EngineContext, EngineDataset } from './context.ts';
import { IntegrityError } from './errors.ts';
import { md5 } from './hashing.ts';
import { retryOptions, withRetry } from './retry.ts';
import type { Sidecar } from './target-meta.ts';

/**
 * Throws when the source declared a Content-MD5 the bytes read contradict (`actualMd5`
 * undefined — not computed — never passes a declared one).
 */
export function checkSourceMd5(
  dataset: EngineDataset,
  record: ObjectRecord,
  info: ObjectInfo,
  actualMd5: string | undefined,
): void {
  const declared = info.md5 ?? record.sourceMd5;
  if (declared && declared !== actualMd5) {
    throw new IntegrityError(
      `${dataset.name}: ${record.key}: the source declares Content-MD5 ${declared} but the bytes read have MD5 ${actualMd5 ?? '(not computed)'}; ` +
        'the object was not copied. Check the blob at the source (damaged data or a wrong Content-MD5) before copying it again.',
    );
  }
}

/** Throws when the target's ETag is not the one computed from the bytes sent. */
export function checkTargetEtag(
  dataset: EngineDataset,
  record: ObjectRecord,
  actual: string,
  expected: string | undefined,
): void {
  if (expected !== undefined && actual !== expected) {
    throw new IntegrityError(
      `${dataset.name}: ${record.targetKey}: the target reports ETag ${actual}, expected ${expected} from the MD5 of the bytes sent. ` +
        "Either the bytes stored differ from those sent, or the target's ETags are not MD5s of the content " +
        "(run `cloudexit probe` to measure the target's ETag rule, or say so in the plan: target.etagIsMd5).",
      { writtenEtag: actual },
    );
  }
}

/** Writes the side-car of metadata too large for the target, before the object that references it. */
export async function writeSidecar(
  ctx: EngineContext,
  dataset: EngineDataset,
  sidecar: Sidecar | undefined,
): Promise<void> {
  if (!sidecar) return;
  const digest = md5(sidecar.body);
  await withRetry(
    () => dataset.target.put(sidecar.key, sidecar.body, digest, { metadata: {}, contentType: 'application/json' }),
    retryOptions(ctx, `put ${sidecar.key}`),
  );
}
