/**
 * The read SAS of the Azure adapter's hot path, against Azurite: signed once through the
 * SDK, read-only, renewed before it expires (on an injected clock, so no test waits), and
 * used as is when the plan gives one; reads go through the proxy the environment names, as
 * the SDK's requests do.
 */
import { createServer, request, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { describe, expect, inject, test } from 'vitest';
import { createAzureReader } from '../../src/stores/azure-read.ts';
import { createReadSasSource, type ReadSasSource } from '../../src/stores/azure-sas.ts';
import { md5, readAll } from '../support/bytes.ts';
import { freshAzureStore } from '../support/stores.ts';

const MINUTE = 60_000;

async function readThrough(container: string, sas: ReadSasSource, key: string): Promise<Buffer> {
  const azurite = inject('azurite');
  const reader = createAzureReader({ containerUrl: `${azurite.endpoint}/${container}`, description: 'test', sas });
  try {
    return await readAll((await reader.get(key, undefined, undefined)).body);
  } finally {
    await reader.close();
  }
}

describe('read SAS', () => {
  test('signed from the account key: read and list only, kept while valid, renewed before it expires', async () => {
    const azurite = inject('azurite');
    const { store, container } = await freshAzureStore();
    const body = Buffer.from('read through a SAS');
    await store.put('k.txt', body, md5(body), { metadata: {} });
    const realStart = Date.now();
    // The SAS must be valid for Azurite's real clock: the test clock runs from now.
    let clock = realStart;
    const key = { kind: 'key' as const, accountName: azurite.accountName, accountKey: azurite.accountKey };
    const sas = createReadSasSource(key, {
      container,
      lifetimeMs: 60 * MINUTE,
      renewBeforeMs: 10 * MINUTE,
      now: () => clock,
    });

    const first = await sas();
    const params = new URLSearchParams(first.query);
    expect(params.get('sp')).toBe('rl');
    expect(params.get('sr')).toBe('c');
    expect(Date.parse(params.get('se')!)).toBeGreaterThan(realStart + 59 * MINUTE);
    expect((await readThrough(container, sas, 'k.txt')).equals(body)).toBe(true);

    clock += 49 * MINUTE; // 11 minutes left: kept
    expect((await sas()).query).toBe(first.query);
    clock += 2 * MINUTE; // 9 minutes left: renewed, once for concurrent callers
    const [a, b] = await Promise.all([sas(), sas()]);
    expect(a.query).toBe(b.query);
    expect(a.query).not.toBe(first.query);
    expect(Date.parse(new URLSearchParams(a.query).get('se')!)).toBeGreaterThan(
      Date.parse(params.get('se')!) + 50 * MINUTE,
    );
    expect((await readThrough(container, sas, 'k.txt')).equals(body)).toBe(true);

    // Read-only: the same SAS cannot write.
    const put = await fetch(`${azurite.endpoint}/${container}/other.txt?${a.query}`, {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob', 'x-ms-version': a.version },
      body: 'x',
    });
    expect(put.status).toBe(403);
  });

  test('a SAS given by the plan is used as is, with the service version it names', async () => {
    const sas = createReadSasSource({ kind: 'given', token: '?sv=2025-01-05&sp=r&sig=abc' }, { container: 'c' });
    expect(await sas()).toEqual({ query: 'sv=2025-01-05&sp=r&sig=abc', version: '2025-01-05' });
  });

  test('a failed read names the key, never the SAS', async () => {
    const azurite = inject('azurite');
    const { container } = await freshAzureStore();
    const key = { kind: 'key' as const, accountName: azurite.accountName, accountKey: azurite.accountKey };
    const sas = createReadSasSource(key, { container });
    const sig = new URLSearchParams((await sas()).query).get('sig')!;
    const err = await readThrough(container, sas, 'missing/é.txt').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ name: 'StoreError', code: 'NotFound', status: 404, storeCode: 'BlobNotFound' });
    const printed = `${String(err)}\n${(err as Error).stack}\n${inspect(err, { showHidden: true })}`;
    expect(printed).toContain('missing/é.txt');
    for (const secret of [sig, encodeURIComponent(sig)]) expect(printed).not.toContain(secret);
  });
});

describe('reads through a proxy', () => {
  test('HTTP_PROXY is honoured as by the SDK: reads tunnel through it, unless NO_PROXY exempts the host', async () => {
    const tunnels: string[] = [];
    // The SDK's own requests come in absolute form (forwarded), undici's tunnel with CONNECT.
    const proxy = createServer((req, res) => {
      const target = new URL(req.url ?? '');
      const upstream = request(
        { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) upstream.setHeader(name, value);
      req.pipe(upstream);
    });
    proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const saved = { HTTP_PROXY: process.env['HTTP_PROXY'], NO_PROXY: process.env['NO_PROXY'] };
    try {
      const body = Buffer.from('through the proxy');
      process.env['HTTP_PROXY'] = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      delete process.env['NO_PROXY'];
      const proxied = await freshAzureStore();
      await proxied.store.put('p.txt', body, md5(body), { metadata: {} });
      expect((await readAll((await proxied.store.read('p.txt')).body)).equals(body)).toBe(true);
      expect(tunnels).toEqual([new URL(inject('azurite').endpoint).host]);

      process.env['NO_PROXY'] = '127.0.0.1';
      const exempt = await freshAzureStore();
      await exempt.store.put('p.txt', body, md5(body), { metadata: {} });
      expect((await readAll((await exempt.store.read('p.txt')).body)).equals(body)).toBe(true);
      expect(tunnels).toHaveLength(1);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});
