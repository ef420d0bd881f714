/**
 * `cloudexit probe`: measures a store's capabilities on the real target with throw-away
 * objects, through the ObjectStore contract alone, so the engine relies on what the target
 * was seen to do rather than on what its vendor's compliance page said. What cannot be
 * measured through the contract keeps the adapter's declared value, and the report says so.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  answerOf,
  metadataValue,
  type MetadataNameSpelling,
  type MultipartEtagRule,
  type StoreCapabilities,
} from './capabilities.ts';
import { s3Etag } from './etag.ts';
import type { ObjectStore, WriteMeta } from './object-store.ts';
import { StoreError } from './store-error.ts';

/** One thing the probe saw, in words: `name` is the capability it measured (`etag.multipart`). */
export interface ProbeObservation {
  name: string;
  seen: string;
}

export interface ProbeReport {
  /** The declared capabilities, with every measured one replaced by what was measured. */
  capabilities: StoreCapabilities;
  observations: ProbeObservation[];
  /** When the probe started (ISO 8601). */
  at: string;
  /** The store's description (never a secret). */
  store: string;
}

export interface ProbeOptions {
  /** @default () => new Date() */
  now?: () => Date;
}

/** Metadata sizes tried, in bytes of names and values: RGW 16.2 closes the socket at 16 KiB. */
const METADATA_SIZES = [1024, 2048, 4096, 8192, 12_288] as const;
const KiB = 1024;
const MiB = 1024 * KiB;
/** Codes of failures that say nothing about the capability being measured: the probe stops. */
const TRANSIENT = new Set(['Unavailable', 'Timeout', 'Throttled']);

/**
 * Measures `store`'s capabilities with objects under `prefix` (callers pass
 * `<dataset target prefix>.cloudexit/probe-<random>/`), and removes every one of them
 * (and aborts every upload) before returning, whether the probe succeeded or not. A
 * transient failure (5xx, timeout, throttling) ends the probe with that `StoreError`: a
 * capability measured through a failing store would be a guess.
 */
export async function probeStore(store: ObjectStore, prefix: string, options: ProbeOptions = {}): Promise<ProbeReport> {
  const at = (options.now ?? (() => new Date()))().toISOString();
  const declared = store.capabilities;
  const capabilities: StoreCapabilities = structuredClone(declared) as StoreCapabilities;
  const observations: ProbeObservation[] = [];
  const observe = (name: string, seen: string) => observations.push({ name, seen });
  const keys = new Set<string>();
  const uploads: { key: string; uploadId: string }[] = [];
  const key = (name: string) => {
    const full = `${prefix}${name}`;
    keys.add(full);
    return full;
  };
  const createUpload = async (target: ObjectStore, k: string, meta: WriteMeta) => {
    const uploadId = await target.createMultipart(k, meta);
    uploads.push({ key: k, uploadId });
    return uploadId;
  };
  const none: WriteMeta = { metadata: {} };

  try {
    // One-shot PUT: is the ETag the body's MD5?
    {
      const body = randomBytes(KiB);
      const k = key('single');
      const put = await store.put(k, body, md5(body), none);
      const etag = (await store.head(k))?.etag ?? '';
      const isMd5 = etag === md5Hex(body);
      capabilities.etag.single = isMd5 ? 'md5' : 'opaque';
      observe('etag.single', isMd5 ? "the body's MD5" : `not the body's MD5 (${short(etag)})`);
      if (put.etag !== etag) observe('etag.single', `the PUT answered ${short(put.etag)}, HEAD ${short(etag)}`);
    }

    // Multipart of 5 MiB + 1 byte, with different metadata at create and at complete.
    {
      const parts = [randomBytes(Math.max(5 * MiB, store.limits.minPartSize)), randomBytes(1)];
      const k = key('multipart');
      const uploadId = await createUpload(store, k, { metadata: { 'cloudexit-probe-at': 'create' } });
      const done = [];
      for (const [i, part] of parts.entries())
        done.push({ partNumber: i + 1, etag: await store.uploadPart(k, uploadId, i + 1, part, md5(part)) });
      const completed = await store.completeMultipart(k, uploadId, done, {
        metadata: { 'cloudexit-probe-at': 'complete' },
      });
      const info = await store.head(k);
      const etag = info?.etag ?? '';
      const partMd5s = s3Etag(parts.map(md5), true);
      const whole = md5Hex(Buffer.concat(parts));
      const rule: MultipartEtagRule = etag === partMd5s ? 'part-md5s' : etag === whole ? 'whole-md5' : 'opaque';
      capabilities.etag.multipart = rule;
      observe(
        'etag.multipart',
        rule === 'part-md5s'
          ? `MD5 of the part MD5s, then -2 (${etag})`
          : rule === 'whole-md5'
            ? "the whole object's MD5, without -N"
            : `neither rule (${short(etag)})`,
      );
      const reported = completed.etagSource !== 'head' && completed.etag !== '' && completed.etag === etag;
      capabilities.etag.reportedAtComplete = reported;
      observe(
        'etag.reportedAtComplete',
        reported
          ? 'Complete answered the ETag HEAD reports'
          : completed.etagSource === 'head'
            ? 'Complete answered no ETag (learnt with HEAD)'
            : `Complete answered ${short(completed.etag)}, HEAD ${short(etag)}`,
      );
      const atComplete = metadataValue(info?.metadata, 'cloudexit-probe-at');
      capabilities.metadataAtComplete = atComplete === 'complete';
      observe(
        'metadataAtComplete',
        atComplete === undefined ? 'the multipart object has no metadata' : `metadata given at ${atComplete} was kept`,
      );
    }

    // A wrong Content-MD5, on a PUT and on a part.
    {
      const body = randomBytes(KiB);
      const wrong = md5(Buffer.from('not these bytes'));
      const k = key('wrong-md5');
      const onPut = await outcome(store.put(k, body, wrong, none));
      const partKey = key('wrong-md5-part');
      const uploadId = await createUpload(store, partKey, none);
      const onPart = await outcome(store.uploadPart(partKey, uploadId, 1, body, wrong));
      const refused = (o: Outcome) => o.error?.code === 'BadDigest';
      capabilities.checksContentMd5 = refused(onPut) && refused(onPart);
      observe('checksContentMd5', `PUT: ${describe(onPut, 'stored')}; UploadPart: ${describe(onPart, 'stored')}`);
    }

    // Metadata-name spelling: one name with `_`, one with `-`.
    {
      const body = Buffer.from('names');
      const k = key('names');
      await store.put(k, body, md5(body), {
        metadata: { cloudexit_probe_underscore: 'u', 'cloudexit-probe-hyphen': 'h' },
      });
      const names = Object.keys((await store.head(k))?.metadata ?? {});
      const spelling = spellingOf(names);
      if (spelling) capabilities.metadataNames = spelling;
      observe(
        'metadataNames',
        `cloudexit_probe_underscore and cloudexit-probe-hyphen came back as ${names.join(' and ') || 'nothing'}${spelling ? '' : ' (no known spelling: declared value kept)'}`,
      );
    }

    // Metadata size: growing payloads, up to the first refusal.
    {
      const body = Buffer.from('size');
      const name = 'cloudexit-probe-size';
      let largest = 0;
      const seen: string[] = [];
      for (const size of METADATA_SIZES) {
        const k = key(`metadata-${size}`);
        const value = 'x'.repeat(size - name.length);
        const written = await outcome(store.put(k, body, md5(body), { metadata: { [name]: value } }));
        if (written.error) {
          seen.push(`${size / KiB} KiB refused (${answer(written.error)})`);
          break;
        }
        const back = metadataValue((await store.head(k))?.metadata, name);
        if (back !== value) {
          seen.push(`${size / KiB} KiB stored but not returned intact`);
          break;
        }
        largest = size;
        seen.push(`${size / KiB} KiB kept`);
      }
      if (largest > 0) capabilities.metadataLimitBytes = largest;
      observe(
        'metadataLimitBytes',
        `${seen.join(', ')}${largest === METADATA_SIZES.at(-1) ? ` (larger not tried: RGW 16.2 closes the connection at 16 KiB)` : ''}${largest === 0 ? '; declared value kept' : ''}`,
      );
    }

    // Non-ASCII values as they are (the adapter's encoding off), then through the encoding.
    {
      const raw = store.withCapabilities?.({ metadataValuesUtf8: true });
      const body = Buffer.from('utf8');
      if (raw) {
        const results: string[] = [];
        // Only Latin-1: Node refuses to send a header character above U+00FF at all, and the
        // SDK then leaves that request's 5-minute timer running (measured), which holds the process.
        for (const [label, value] of [['Latin-1 "é"', 'é']] as const) {
          const k = key(`utf8-raw-${results.length}`);
          const written = await outcome(raw.put(k, body, md5(body), { metadata: { 'cloudexit-probe-value': value } }));
          const back = written.error
            ? undefined
            : metadataValue((await raw.head(k))?.metadata, 'cloudexit-probe-value');
          const ok = !written.error && back === value;
          results.push(
            `${label}: ${written.error ? `refused (${answer(written.error)})` : ok ? 'kept' : `came back as ${JSON.stringify(back)}`}`,
          );
        }
        // Even where Latin-1 came back intact, the rest of Unicode cannot be sent raw: encoded it is.
        capabilities.metadataValuesUtf8 = false;
        observe(
          'metadataValuesUtf8',
          `${results.join('; ')}; above U+00FF: not sendable raw (Node refuses it in a header)`,
        );
      } else {
        observe('metadataValuesUtf8', 'not measured: this store cannot switch its encoding off');
      }
      const value = 'séjour 中文 =?UTF-8?B?eA==?= ';
      const k = key('utf8-encoded');
      const written = await outcome(store.put(k, body, md5(body), { metadata: { 'cloudexit-probe-value': value } }));
      const back = written.error ? undefined : metadataValue((await store.head(k))?.metadata, 'cloudexit-probe-value');
      observe(
        'metadataValuesUtf8',
        `through the adapter${capabilities.metadataValuesUtf8 ? '' : ' (RFC 2047)'}: ${written.error ? `refused (${answer(written.error)})` : back === value ? 'round trip intact' : 'NOT intact'}`,
      );
    }

    // Tags, set after the object exists: bytes, ETag and metadata must not move.
    {
      const tagged = store.withCapabilities?.({ tagging: true }) ?? store;
      const body = randomBytes(KiB);
      const k = key('tags');
      await store.put(k, body, md5(body), { metadata: { 'cloudexit-probe': 'tags' } });
      const before = await store.head(k);
      const tags = { 'cloudexit-sha256': createHash('sha256').update(body).digest('hex'), 'cloudexit-probe': 'yes' };
      const set = await outcome(tagged.putTags(k, tags));
      const got = set.error ? undefined : await outcome(tagged.getTags(k));
      const after = await store.head(k);
      const unchanged =
        after?.etag === before?.etag &&
        after?.size === before?.size &&
        JSON.stringify(after?.metadata) === JSON.stringify(before?.metadata);
      const same =
        got?.value !== undefined &&
        JSON.stringify(sorted(got.value as Record<string, string>)) === JSON.stringify(sorted(tags));
      capabilities.tagging = !set.error && !got?.error && same && unchanged;
      observe(
        'tagging',
        set.error
          ? `PutObjectTagging refused (${answer(set.error)})`
          : got?.error
            ? `tags set, reading them failed (${answer(got.error)})`
            : !same
              ? 'tags came back different'
              : !unchanged
                ? 'setting tags changed the object'
                : 'set and read back; object unchanged',
      );
    }

    // An aborted upload: what do UploadPart and Complete answer?
    {
      const k = key('gone');
      const part = randomBytes(KiB);
      const uploadId = await createUpload(store, k, none);
      const first = await store.uploadPart(k, uploadId, 1, part, md5(part));
      await store.abortMultipart(k, uploadId);
      const onPart = await outcome(store.uploadPart(k, uploadId, 2, part, md5(part)), true);
      const onComplete = await outcome(
        store.completeMultipart(k, uploadId, [{ partNumber: 1, etag: first }], none),
        true,
      );
      for (const [name, result, list] of [
        ['uploadGone.uploadPart', onPart, 'uploadPart'],
        ['uploadGone.complete', onComplete, 'complete'],
      ] as const) {
        const error = result.error;
        if (!error) {
          observe(name, 'succeeded after the abort (the store did not end the upload)');
          continue;
        }
        const seen = answerOf(error);
        // A 404/410 or a server error after an abort is the "gone" answer; others (403, 400) are
        // only reported, or every such answer would end uploads. 5xx answers are confirmed
        // with ListParts before the adapter reports them gone.
        const status = error.status;
        const goneLike =
          error.code === 'UploadGone' || status === 404 || status === 410 || (status !== undefined && status >= 500);
        const listed = capabilities.uploadGone[list];
        if (goneLike && !listed.includes(seen) && !(status !== undefined && listed.includes(`status:${status}`))) {
          capabilities.uploadGone = {
            ...capabilities.uploadGone,
            [list]: [...listed, status !== undefined && status >= 500 ? `status:${status}` : seen],
          };
        }
        const confirmed =
          error.code === 'UploadGone' && status !== undefined && status >= 500 ? ' (confirmed by ListParts)' : '';
        observe(name, `${answer(error)}${confirmed}`);
      }
      observe('uploadGone.listParts', 'not measured (ListParts is not in the contract): declared answers kept');
    }

    capabilities.conditionalWrites = await probeConditionalWrites(store, key, observe);

    observe('checksumSha256', 'not measured (the contract sends no x-amz-checksum-sha256): declared value kept');
  } finally {
    await cleanUp(store, prefix, keys, uploads, observe);
  }
  return { capabilities, observations, at, store: store.description };
}

/** One row of `cloudexit probe`'s table: a capability, its value, and what was seen. */
export interface ProbeRow {
  capability: string;
  value: string;
  seen: string;
}

/** The report as table rows, one per capability, in the order of StoreCapabilities. */
export function probeRows(report: ProbeReport): ProbeRow[] {
  const c = report.capabilities;
  // Probes recorded before conditional writes were measured lack them: not granted.
  const conditional = (c as Partial<StoreCapabilities>).conditionalWrites ?? { ifNoneMatch: false, ifMatch: false };
  const values: [string, string][] = [
    ['etag.single', c.etag.single],
    ['etag.multipart', c.etag.multipart],
    ['etag.reportedAtComplete', String(c.etag.reportedAtComplete)],
    ['checksContentMd5', String(c.checksContentMd5)],
    ['metadataNames', c.metadataNames],
    ['metadataLimitBytes', String(c.metadataLimitBytes)],
    ['metadataValuesUtf8', String(c.metadataValuesUtf8)],
    ['tagging', String(c.tagging)],
    ['metadataAtComplete', String(c.metadataAtComplete)],
    ['checksumSha256', c.checksumSha256],
    ['conditionalWrites.ifNoneMatch', String(conditional.ifNoneMatch)],
    ['conditionalWrites.ifMatch', String(conditional.ifMatch)],
    ['uploadGone.listParts', c.uploadGone.listParts.join(', ') || '—'],
    ['uploadGone.uploadPart', c.uploadGone.uploadPart.join(', ') || '—'],
    ['uploadGone.complete', c.uploadGone.complete.join(', ') || '—'],
  ];
  const rows = values.map(([capability, value]) => ({
    capability,
    value,
    seen:
      report.observations
        .filter((o) => o.name === capability)
        .map((o) => o.seen)
        .join('; ') || 'not measured: declared',
  }));
  const cleanup = report.observations.filter((o) => o.name === 'cleanup');
  if (cleanup.length > 0) rows.push({ capability: 'cleanup', value: '', seen: cleanup.map((o) => o.seen).join('; ') });
  return rows;
}

/**
 * Conditional PUTs: granted only when a failing condition is refused (PreconditionFailed)
 * with the object left as it was, and a holding one is applied. Both halves matter: RGW
 * 16.2 refuses a quoted If-Match even when it matches, which would make every write of a
 * key cloudexit wrote before fail, and s3rver applies every conditional PUT.
 */
async function probeConditionalWrites(
  store: ObjectStore,
  key: (name: string) => string,
  observe: (name: string, seen: string) => void,
): Promise<StoreCapabilities['conditionalWrites']> {
  const none: WriteMeta = { metadata: {} };
  const [first, second, third] = [randomBytes(KiB), randomBytes(KiB), randomBytes(KiB)];
  const k = key('conditional');
  const etagAt = async (at: string) => (await store.head(at))?.etag;

  const onAbsent = await outcome(store.put(k, first, md5(first), none, { ifNoneMatch: '*' }));
  const written = await etagAt(k);
  const onExisting = await outcome(store.put(k, second, md5(second), none, { ifNoneMatch: '*' }));
  const kept = (await etagAt(k)) === written;
  const ifNoneMatch = !onAbsent.error && written !== undefined && refusedForCondition(onExisting) && kept;
  observe(
    'conditionalWrites.ifNoneMatch',
    `If-None-Match: * on an absent key: ${describe(onAbsent, 'written')}; on an existing one: ` +
      `${describe(onExisting, 'applied')}${onExisting.error && !kept ? ' (the object changed anyway)' : ''}`,
  );

  const current = (await etagAt(k)) ?? '';
  const onWrong = await outcome(store.put(k, third, md5(third), none, { ifMatch: md5Hex(Buffer.from(current)) }));
  const wrongKept = (await etagAt(k)) === current;
  const onRight = await outcome(store.put(k, third, md5(third), none, { ifMatch: current }));
  const replaced = (await etagAt(k)) !== current;
  const absentKey = key('conditional-absent');
  const onGone = await outcome(store.put(absentKey, third, md5(third), none, { ifMatch: current }));
  const stillAbsent = (await etagAt(absentKey)) === undefined;
  const ifMatch =
    refusedForCondition(onWrong) &&
    wrongKept &&
    !onRight.error &&
    replaced &&
    refusedForCondition(onGone) &&
    stillAbsent;
  observe(
    'conditionalWrites.ifMatch',
    `If-Match, another ETag: ${describe(onWrong, 'applied')}; the object's ETag: ${describe(onRight, 'written')}; ` +
      `an absent key: ${describe(onGone, 'written')}`,
  );
  return { ifNoneMatch, ifMatch };
}

function refusedForCondition(o: Outcome): boolean {
  return o.error?.code === 'PreconditionFailed';
}

/** Aborts the probe's uploads, deletes its objects, then anything else left under `prefix`. */
async function cleanUp(
  store: ObjectStore,
  prefix: string,
  keys: ReadonlySet<string>,
  uploads: readonly { key: string; uploadId: string }[],
  observe: (name: string, seen: string) => void,
): Promise<void> {
  const failures: string[] = [];
  const note = (what: string) => (err: unknown) =>
    failures.push(`${what}: ${err instanceof StoreError ? err.code : 'failed'}`);
  await Promise.all(uploads.map((u) => store.abortMultipart(u.key, u.uploadId).catch(note(`abort ${u.key}`))));
  await Promise.all([...keys].map((k) => store.delete(k).catch(note(`delete ${k}`))));
  try {
    for await (const item of store.list(prefix)) await store.delete(item.key).catch(note(`delete ${item.key}`));
  } catch (err) {
    note(`list ${prefix}`)(err);
  }
  if (failures.length > 0) observe('cleanup', `left behind: ${failures.join(', ')}`);
}

interface Outcome {
  value?: unknown;
  error?: StoreError;
}

/**
 * The result or the StoreError of `action`. A transient failure (5xx, timeout, throttling)
 * says nothing about the capability measured and is rethrown, unless `serverErrorsAreAnswers`
 * (RGW answers 500 to Complete after an abort: that answer is what is measured).
 */
async function outcome(action: Promise<unknown>, serverErrorsAreAnswers = false): Promise<Outcome> {
  try {
    return { value: await action };
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    if (TRANSIENT.has(err.code) && !serverErrorsAreAnswers) throw err;
    return { error: err };
  }
}

function spellingOf(names: readonly string[]): MetadataNameSpelling | undefined {
  const has = (n: string) => names.includes(n);
  if (has('cloudexit_probe_underscore') && has('cloudexit-probe-hyphen')) return 'kept';
  if (has('cloudexit-probe-underscore') && has('cloudexit-probe-hyphen')) return 'underscore-to-hyphen';
  if (has('cloudexit_probe_underscore') && has('cloudexit_probe_hyphen')) return 'hyphen-to-underscore';
  return undefined;
}

function describe(o: Outcome, accepted: string): string {
  return o.error ? `refused (${answer(o.error)})` : accepted;
}

/** What the store answered, in words that carry no secret: status and codes only. */
function answer(err: StoreError): string {
  const said = [err.status !== undefined ? `HTTP ${err.status}` : undefined, err.storeCode]
    .filter((p) => p !== undefined)
    .join(' ');
  if (!said) return err.code;
  return err.storeCode === err.code ? said : `${said} → ${err.code}`;
}

function short(etag: string): string {
  return etag === '' ? 'an empty ETag' : etag.length > 40 ? `${etag.slice(0, 37)}…` : etag;
}

function sorted(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}

function md5(bytes: Uint8Array): Uint8Array {
  return createHash('md5').update(bytes).digest();
}

function md5Hex(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}
