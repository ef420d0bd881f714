/**
 * A proxy in front of a real Azurite that answers the few calls Azurite 3.37 cannot (blob
 * versioning, blob soft delete, permanent delete) as Azure's REST documentation describes
 * them, and forwards everything else, unchanged, to Azurite. Current blobs and snapshots stay
 * Azurite's: the proxy only adds what an Azure account with those features would also hold.
 *
 * - `List Blobs` with `include=versions,deleted`: Azurite's answer, plus `<Blob>` entries for
 *   previous versions (`<VersionId>`, no `<IsCurrentVersion>`) and soft-deleted items
 *   (`<Deleted>true</Deleted>`, `<DeletedTime>`, `<RemainingRetentionDays>`); with versioning
 *   on, each current blob carries its `<VersionId>` and `<IsCurrentVersion>true`.
 * - `Delete Blob`: of a current blob, forwarded; with versioning on, the blob's current
 *   version then becomes a previous version; with soft delete on (and versioning off), the
 *   blob becomes soft-deleted. With `versionid=`, the version is removed (soft-deleted when
 *   soft delete is on). With `deletetype=permanent`, a soft-deleted version or snapshot is
 *   removed when the account allows permanent delete; otherwise 409 (the documentation names no
 *   status for that case: an assumption, which the eraser treats like a 403).
 *
 * Single-page listings only (the tests' containers hold a few blobs): enough for the paths
 * under test, stated here so nobody takes it for more.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AzureAccountFeatures {
  versioning: boolean;
  /** Days soft-deleted items are kept; undefined: soft delete off. */
  softDeleteDays: number | undefined;
  /** The account's `allowPermanentDelete`. */
  allowPermanentDelete: boolean;
}

/** An item the proxy holds on top of Azurite. */
interface ExtraItem {
  container: string;
  name: string;
  versionId: string | undefined;
  snapshot: string | undefined;
  deleted: boolean;
  deletedTime: Date | undefined;
  size: number;
}

export interface AzureAnswerProxy {
  readonly origin: string;
  /** Adds a previous version of a blob (versioning on). */
  addVersion(container: string, name: string, size: number): string;
  /** Query strings of every `List Blobs` call seen. */
  readonly listQueries: string[];
  /** `versionid`/`snapshot` + `deletetype` of every delete seen. */
  readonly deletes: string[];
  close(): Promise<void>;
}

let versionClock = Date.UTC(2026, 0, 1);
/** Azure version ids are timestamps with seven fractional digits. */
function nextVersionId(): string {
  versionClock += 1000;
  return new Date(versionClock).toISOString().replace('Z', '0000Z');
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function blobXml(item: ExtraItem, days: number | undefined): string {
  const time = new Date(versionClock).toUTCString();
  return (
    `<Blob><Name>${xml(item.name)}</Name>` +
    (item.snapshot ? `<Snapshot>${item.snapshot}</Snapshot>` : '') +
    (item.versionId ? `<VersionId>${item.versionId}</VersionId>` : '') +
    (item.deleted ? '<Deleted>true</Deleted>' : '') +
    `<Properties><Creation-Time>${time}</Creation-Time><Last-Modified>${time}</Last-Modified>` +
    `<Etag>0x8DC${item.size.toString(16).toUpperCase().padStart(12, '0')}</Etag>` +
    `<Content-Length>${item.size}</Content-Length><Content-Type>application/octet-stream</Content-Type>` +
    '<BlobType>BlockBlob</BlobType>' +
    (item.deleted && item.deletedTime
      ? `<DeletedTime>${item.deletedTime.toUTCString()}</DeletedTime><RemainingRetentionDays>${days}</RemainingRetentionDays>`
      : '') +
    '</Properties></Blob>'
  );
}

export async function startAzureAnswerProxy(target: string, features: AzureAccountFeatures): Promise<AzureAnswerProxy> {
  const upstream = new URL(target);
  const extras: ExtraItem[] = [];
  const currentVersion = new Map<string, string>();
  const listQueries: string[] = [];
  const deletes: string[] = [];

  const softDelete = (item: ExtraItem) => {
    if (features.softDeleteDays === undefined) return;
    extras.push({ ...item, deleted: true, deletedTime: new Date() });
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const [, , container = '', ...rest] = url.pathname.split('/');
    const name = decodeURIComponent(rest.join('/'));
    const q = url.searchParams;
    if (req.method === 'GET' && q.get('comp') === 'list' && q.get('restype') === 'container') {
      listQueries.push(url.search);
      return forward(req, res, (body) => listAnswer(body, decodeURIComponent(container), q));
    }
    if (req.method === 'DELETE' && name) {
      deletes.push(`${q.get('versionid') ?? q.get('snapshot') ?? 'current'} ${q.get('deletetype') ?? ''}`.trim());
      return deleteAnswer(req, res, decodeURIComponent(container), name, q);
    }
    forward(req, res);
  });

  function listAnswer(body: string, container: string, q: URLSearchParams): string {
    const include = (q.get('include') ?? '').split(',');
    const prefix = q.get('prefix') ?? '';
    let out = body;
    if (features.versioning && include.includes('versions')) {
      // Each current blob (a <Blob> without <Snapshot>) carries its version id.
      out = out.replace(/<Blob><Name>([^<]*)<\/Name><Properties>/g, (_, escaped: string) => {
        const key = `${container}/${escaped}`;
        if (!currentVersion.has(key)) currentVersion.set(key, nextVersionId());
        return `<Blob><Name>${escaped}</Name><VersionId>${currentVersion.get(key)}</VersionId><IsCurrentVersion>true</IsCurrentVersion><Properties>`;
      });
    }
    const added = extras
      .filter((e) => e.container === container && e.name.startsWith(prefix))
      .filter((e) => (e.deleted ? include.includes('deleted') : include.includes('versions')))
      .map((e) => blobXml(e, features.softDeleteDays));
    return out.replace(/<Blobs\/>|<\/Blobs>/, (m) => `${m === '<Blobs/>' ? '<Blobs>' : ''}${added.join('')}</Blobs>`);
  }

  function deleteAnswer(
    req: IncomingMessage,
    res: ServerResponse,
    container: string,
    name: string,
    q: URLSearchParams,
  ) {
    const versionId = q.get('versionid') ?? undefined;
    const snapshot = q.get('snapshot') ?? undefined;
    if (q.get('deletetype') === 'permanent') {
      const at = extras.findIndex(
        (e) =>
          e.container === container &&
          e.name === name &&
          e.deleted &&
          e.versionId === versionId &&
          e.snapshot === snapshot,
      );
      if (at < 0) return answer(req, res, 404, 'BlobNotFound');
      if (!features.allowPermanentDelete) return answer(req, res, 409, 'OperationNotAllowed');
      extras.splice(at, 1);
      return answer(req, res, 202);
    }
    if (versionId !== undefined) {
      const at = extras.findIndex(
        (e) => e.container === container && e.name === name && !e.deleted && e.versionId === versionId,
      );
      if (at < 0) return answer(req, res, 404, 'BlobNotFound');
      const [version] = extras.splice(at, 1);
      softDelete(version!);
      return answer(req, res, 202);
    }
    forward(req, res, undefined, (status) => {
      if (status !== 202) return;
      const key = `${container}/${name}`;
      const item: ExtraItem = {
        container,
        name,
        versionId: undefined,
        snapshot,
        deleted: false,
        deletedTime: undefined,
        size: 0,
      };
      if (snapshot === undefined && features.versioning) {
        // Azure: deleting the current blob makes its current version a previous one.
        extras.push({ ...item, versionId: currentVersion.get(key) ?? nextVersionId() });
        currentVersion.delete(key);
      } else softDelete(item);
    });
  }

  function answer(req: IncomingMessage, res: ServerResponse, status: number, code?: string): void {
    req.resume();
    req.once('end', () => {
      const body = code
        ? `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`
        : '';
      res.writeHead(status, {
        'content-length': Buffer.byteLength(body),
        'x-ms-request-id': 'proxy',
        'x-ms-version': '2021-12-02',
        ...(code ? { 'x-ms-error-code': code, 'content-type': 'application/xml' } : {}),
      });
      res.end(body);
    });
  }

  /** Forwards to Azurite; `rewrite` replaces a text body, `after` sees the status. */
  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    rewrite?: (body: string) => string,
    after?: (status: number) => void,
  ): void {
    const out = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: false,
      },
      (upstreamRes) => {
        const status = upstreamRes.statusCode ?? 502;
        after?.(status);
        if (!rewrite || status !== 200) {
          res.writeHead(status, upstreamRes.rawHeaders);
          upstreamRes.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        upstreamRes.on('data', (c: Buffer) => chunks.push(c));
        upstreamRes.on('end', () => {
          const body = rewrite(Buffer.concat(chunks).toString('utf8'));
          const headers = { ...upstreamRes.headers };
          delete headers['transfer-encoding'];
          res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
          res.end(body);
        });
      },
    );
    out.on('error', () => req.socket.destroy());
    req.pipe(out);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    listQueries,
    deletes,
    addVersion(container, name, size) {
      const versionId = nextVersionId();
      extras.push({ container, name, versionId, snapshot: undefined, deleted: false, deletedTime: undefined, size });
      return versionId;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
