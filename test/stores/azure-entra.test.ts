/**
 * The Azure adapter signed in with Entra ID, against Azurite over HTTPS with OAuth on (it
 * checks a bearer token's issuer, audience and lifetime, not its signature, and issues
 * user delegation keys): writes go through the SDK with the token, reads and listings
 * through undici with a user-delegation SAS signed from the key the service issued. The
 * token is made here, for Azurite's real clock; no identity service is involved.
 */
import { BlobServiceClient } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/identity';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createContainer, startAzurite, type AzuriteHandle } from '../../src/embedded/azurite.ts';
import { createAzureBlobStore } from '../../src/stores/azure-blob.ts';
import { createAzureReader } from '../../src/stores/azure-read.ts';
import { createReadSasSource } from '../../src/stores/azure-sas.ts';
import { md5, readAll, randomBody } from '../support/bytes.ts';
import { uniqueName } from '../support/stores.ts';

const TENANT = randomUUID();
const OBJECT_ID = randomUUID();
const dir = mkdtempSync(join(tmpdir(), 'cloudexit-entra-'));
let azurite: AzuriteHandle;
let tokensAsked = 0;

/** A token as Entra ID shapes it, valid for the next hour of the real clock. */
const tokens: TokenCredential = {
  getToken() {
    tokensAsked++;
    const now = Math.floor(Date.now() / 1000);
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = {
      aud: 'https://storage.azure.com',
      iss: `https://sts.windows.net/${TENANT}/`,
      iat: now - 60,
      nbf: now - 60,
      exp: now + 3600,
      oid: OBJECT_ID,
      tid: TENANT,
    };
    const token = `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.${Buffer.from('unsigned').toString('base64url')}`;
    return Promise.resolve({ token, expiresOnTimestamp: (now + 3600) * 1000 });
  },
};

beforeAll(async () => {
  // A certificate for 127.0.0.1, trusted by this test process only (Node's default CAs + it).
  const [certFile, keyFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  setDefaultCACertificates([...getCACertificates('default'), readFileSync(certFile, 'utf8')]);
  azurite = await startAzurite({ https: { certFile, keyFile }, oauth: true });
});

afterAll(async () => {
  await azurite?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function freshContainer(): Promise<string> {
  const container = uniqueName('entra');
  await createContainer(azurite, container);
  return container;
}

describe('Entra ID', () => {
  test('reads use a user-delegation SAS: read and list only, signed with the key the service issued', async () => {
    const container = await freshContainer();
    const service = new BlobServiceClient(azurite.endpoint, tokens);
    const body = Buffer.from('read through a user-delegation SAS');
    await service.getContainerClient(container).getBlockBlobClient('k.txt').upload(body, body.length);

    const sas = createReadSasSource(
      { kind: 'delegation', service: () => Promise.resolve({ client: service, accountName: azurite.accountName }) },
      { container },
    );
    const { query } = await sas();
    const params = new URLSearchParams(query);
    expect(params.get('skoid')).toBe(OBJECT_ID);
    expect(params.get('sktid')).toBe(TENANT);
    expect(params.get('sp')).toBe('rl');
    expect(params.get('sr')).toBe('c');

    const reader = createAzureReader({ containerUrl: `${azurite.endpoint}/${container}`, description: 'test', sas });
    try {
      expect((await readAll((await reader.get('k.txt', undefined, undefined)).body)).equals(body)).toBe(true);
      expect((await reader.listPage('', undefined, 10)).blobs.map((b) => b.name)).toEqual(['k.txt']);
      // A signature the delegation key did not make is refused.
      const forged = new URLSearchParams(query);
      forged.set('sig', Buffer.alloc(32).toString('base64'));
      const refused = createAzureReader({
        containerUrl: `${azurite.endpoint}/${container}`,
        description: 'test',
        sas: () => Promise.resolve({ query: forged.toString(), version: params.get('sv')! }),
      });
      await expect(refused.get('k.txt', undefined, undefined)).rejects.toMatchObject({ status: 403 });
      await refused.close();
    } finally {
      await reader.close();
    }
    // Read-only: the same SAS cannot write.
    const put = await fetch(`${azurite.endpoint}/${container}/other.txt?${query}`, {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob', 'x-ms-version': params.get('sv')! },
      body: 'x',
    });
    expect(put.status).toBe(403);
  });

  test('the adapter: writes with the token, reads and lists with the user-delegation SAS', async () => {
    const container = await freshContainer();
    const asked = tokensAsked;
    const store = createAzureBlobStore({
      endpoint: azurite.endpoint,
      container,
      credential: { kind: 'entra', tokens },
    });
    {
      const small = Buffer.from('one shot, through Entra ID');
      await store.put('dossiers/été.txt', small, md5(small), {
        contentType: 'text/plain',
        metadata: { origin: 'entra-test' },
      });
      const parts = [randomBody(256 * 1024), randomBody(100 * 1024)];
      const uploadId = await store.createMultipart('large.bin', { metadata: {} });
      const completed = [];
      for (const [i, part] of parts.entries())
        completed.push({
          partNumber: i + 1,
          etag: await store.uploadPart('large.bin', uploadId, i + 1, part, md5(part)),
        });
      await store.completeMultipart('large.bin', uploadId, completed, { metadata: {} });
      expect(tokensAsked).toBeGreaterThan(asked);

      const opened = await store.read('dossiers/été.txt');
      expect((await readAll(opened.body)).equals(small)).toBe(true);
      expect(opened.info).toMatchObject({ contentType: 'text/plain', metadata: { origin: 'entra-test' } });
      const whole = Buffer.concat(parts);
      const range = await store.read('large.bin', { range: { offset: 200 * 1024, length: 100 * 1024 } });
      expect((await readAll(range.body)).equals(whole.subarray(200 * 1024, 300 * 1024))).toBe(true);
      const listed = [];
      for await (const info of store.list('')) listed.push([info.key, info.size]);
      expect(listed).toEqual([
        ['dossiers/été.txt', small.length],
        ['large.bin', whole.length],
      ]);
    }
  });
});
