/**
 * The raw floors of this machine, measured in the same bench run as the copiers: what the
 * servers allow when a client does nothing but one side of a copy — GETs from Azurite into
 * nothing, signed PUTs to the target from memory — at the copiers' concurrency, through
 * cloudexit's own lean data path (undici pools, the SDK signer). A copier's rate as a
 * fraction of these says how much of the gap to the servers' limit is its own.
 */
import type { SyntheticObject } from '../src/rehearsal/synthetic.ts';
import { createAzureBlobStore } from '../src/stores/azure-blob.ts';
import type { ObjectStore } from '../src/stores/object-store.ts';
import { createS3Store } from '../src/stores/s3.ts';
import { md5 } from '../src/engine/hashing.ts';
import { CLOUDEXIT_LIMITS } from './copiers.ts';
import { LARGE_CONTAINER, MiB, SMALL_CONTAINER } from './data.ts';
import { cpuSecondsOf } from './proc-cpu.ts';
import { AZURITE_ACCOUNT, AZURITE_KEY } from './services.ts';
import type { TargetServer } from './targets.ts';

/** Part size of the large floors: the bench plan's minPartSize, as cloudexit's parts. */
const PART_SIZE = 5 * MiB;

export interface FloorRun {
  seconds: number;
  /** CPU of the measuring client (this process). */
  clientCpuSeconds: number;
  /** CPU of the server that answered (Azurite for GETs, the target for PUTs). */
  serverCpuSeconds: number;
}

export interface Floors {
  smallGet: FloorRun;
  smallPut: FloorRun;
  largeGet: FloorRun;
  largePut: FloorRun;
}

export interface FloorSetup {
  azuriteEndpoint: string;
  azuritePids: () => number[];
  target: TargetServer;
  /** An empty bucket on the target for the PUTs. */
  bucket: string;
  small: readonly SyntheticObject[];
  large: SyntheticObject;
}

/** Runs `work` on every item, `concurrency` at a time. */
async function eachConcurrently<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

async function measure(serverPids: () => number[], work: () => Promise<void>): Promise<FloorRun> {
  const server = cpuSecondsOf(serverPids());
  const client = process.cpuUsage();
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(client);
  return {
    seconds,
    clientCpuSeconds: (used.user + used.system) / 1e6,
    serverCpuSeconds: cpuSecondsOf(serverPids()) - server,
  };
}

async function drain(store: ObjectStore, key: string, range?: { offset: number; length: number }): Promise<void> {
  const { body } = await store.read(key, range ? { range } : {});
  for await (const _chunk of body as AsyncIterable<Buffer>) {
    // Into nothing: the floor of reading, without a copy of the bytes.
  }
}

export async function measureFloors(setup: FloorSetup): Promise<Floors> {
  const credential = { kind: 'key' as const, accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY };
  const azure = (container: string) => createAzureBlobStore({ endpoint: setup.azuriteEndpoint, container, credential });
  const { target } = setup;
  const s3 = createS3Store({
    endpoint: target.endpoint,
    region: target.region,
    bucket: setup.bucket,
    forcePathStyle: true,
    credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
  });
  const { concurrency, partConcurrency } = CLOUDEXIT_LIMITS;

  const smallSource = azure(SMALL_CONTAINER);
  const smallGet = await measure(setup.azuritePids, () =>
    eachConcurrently(setup.small, concurrency, (o) => drain(smallSource, o.key)),
  );
  // From memory: bytes and MD5s made before the clock starts.
  const bodies = setup.small.map((o) => {
    const bytes = o.bytes(0, o.size);
    return { key: `floor/${o.key}`, bytes, md5: md5(bytes) };
  });
  const smallPut = await measure(target.pids, () =>
    eachConcurrently(bodies, concurrency, (b) => s3.put(b.key, b.bytes, b.md5, { metadata: {} }).then(() => {})),
  );

  const ranges = Array.from({ length: Math.ceil(setup.large.size / PART_SIZE) }, (_, i) => ({
    offset: i * PART_SIZE,
    length: Math.min(PART_SIZE, setup.large.size - i * PART_SIZE),
  }));
  const largeSource = azure(LARGE_CONTAINER);
  const largeGet = await measure(setup.azuritePids, () =>
    eachConcurrently(ranges, partConcurrency, (r) => drain(largeSource, setup.large.key, r)),
  );
  const part = setup.large.bytes(0, PART_SIZE);
  const partMd5 = md5(part);
  const largePut = await measure(target.pids, async () => {
    const key = 'floor/large.bin';
    const uploadId = await s3.createMultipart(key, { metadata: {} });
    const parts: { partNumber: number; etag: string }[] = [];
    await eachConcurrently(ranges, partConcurrency, async (r) => {
      const partNumber = r.offset / PART_SIZE + 1;
      const bytes = r.length === PART_SIZE ? part : part.subarray(0, r.length);
      const etag = await s3.uploadPart(key, uploadId, partNumber, bytes, r.length === PART_SIZE ? partMd5 : md5(bytes));
      parts.push({ partNumber, etag });
    });
    await s3.completeMultipart(key, uploadId, parts, { metadata: {} });
  });
  return { smallGet, smallPut, largeGet, largePut };
}
