/**
 * An HTTP proxy on 127.0.0.1 in front of a real server (Azurite, s3rver) that injects
 * faults by rule: how retry and error mapping are tested without fakes of Azure or S3.
 *
 * Requests are forwarded with their Host header untouched, so signatures stay valid: S3
 * SigV4 signs the host the client was given (the proxy's), Azure SharedKey signs none.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What to do to a matching request. */
export type Fault =
  /** Answer this status without reaching the server, e.g. 503 or 429 with a Retry-After. */
  | { kind: 'status'; status: number; retryAfter?: string; headers?: Record<string, string>; body?: string }
  /**
   * Destroy the client's socket: before any response when `afterBodyBytes` is undefined,
   * otherwise after forwarding the server's headers and that many body bytes.
   */
  | { kind: 'reset'; afterBodyBytes?: number }
  /** Forward, but flip every bit of the response body byte at `offset` (@default 0). */
  | { kind: 'corrupt'; offset?: number }
  /** Never answer (until the proxy closes): for request timeouts. */
  | { kind: 'hang' };

export interface FaultRule {
  /** HTTP method to match, e.g. `GET`. @default any */
  method?: string;
  /** Path (with query) to match. @default any */
  path?: RegExp | ((pathAndQuery: string) => boolean);
  /** How many matching requests get the fault; later ones pass. @default 1 */
  times?: number;
  fault: Fault;
}

export interface SeenRequest {
  method: string;
  /** Path and query, as received. */
  path: string;
  /** The fault applied, if any. */
  fault?: Fault['kind'];
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT`: use it in place of the server's origin. */
  readonly origin: string;
  /** Every request the proxy received, in order. */
  readonly seen: readonly SeenRequest[];
  /** Client connections opened to the proxy so far. */
  readonly connections: number;
  /** Requests seen that match (method and path predicate, as in a rule). */
  count(match?: Pick<FaultRule, 'method' | 'path'>): number;
  /** Adds a rule; rules are tried in the order they were added. */
  inject(rule: FaultRule): void;
  /** Drops every rule and forgets the requests seen. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts a proxy forwarding to `target` (an origin such as `http://127.0.0.1:10000`). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const rules: { rule: FaultRule; left: number }[] = [];
  const seen: SeenRequest[] = [];

  const matches = (m: Pick<FaultRule, 'method' | 'path'>, method: string, path: string) =>
    (m.method === undefined || m.method.toUpperCase() === method) &&
    (m.path === undefined || (typeof m.path === 'function' ? m.path(path) : m.path.test(path)));

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const entry = rules.find((r) => r.left > 0 && matches(r.rule, method, path));
    if (entry) entry.left -= 1;
    const fault = entry?.rule.fault;
    seen.push(fault ? { method, path, fault: fault.kind } : { method, path });

    if (fault?.kind === 'status') {
      // Drain the upload first, as a real server would, so the client sees the answer, not EPIPE.
      req.resume();
      req.once('end', () => {
        const body = fault.body ?? '';
        res.writeHead(fault.status, {
          ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}),
          'content-length': Buffer.byteLength(body),
          ...fault.headers,
        });
        res.end(method === 'HEAD' ? undefined : body);
      });
      return;
    }
    if (fault?.kind === 'hang') {
      req.resume();
      return;
    }
    if (fault?.kind === 'reset' && fault.afterBodyBytes === undefined) {
      req.resume();
      req.once('end', () => req.socket.destroy());
      return;
    }
    forward(req, res, fault);
  });

  function forward(req: IncomingMessage, res: ServerResponse, fault: Fault | undefined): void {
    const out = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        let sent = 0;
        let cut = false;
        const cutHere = (last: Buffer) => {
          cut = true;
          answer.destroy();
          res.write(last, () => req.socket.destroy());
        };
        answer.on('data', (chunk: Buffer) => {
          if (cut) return;
          if (fault?.kind === 'reset') {
            const room = fault.afterBodyBytes! - sent;
            if (room < chunk.length) return cutHere(chunk.subarray(0, Math.max(0, room)));
          }
          if (fault?.kind === 'corrupt') {
            const at = (fault.offset ?? 0) - sent;
            if (at >= 0 && at < chunk.length) {
              chunk = Buffer.from(chunk);
              chunk[at] = chunk[at]! ^ 0xff;
            }
          }
          sent += chunk.length;
          res.write(chunk);
        });
        // A reset asked for beyond the body's end still cuts before the response completes.
        answer.on('end', () => (fault?.kind === 'reset' ? cutHere(Buffer.alloc(0)) : res.end()));
        answer.on('error', () => req.socket.destroy());
      },
    );
    out.on('error', () => req.socket.destroy());
    req.pipe(out);
  }

  let connections = 0;
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    seen,
    get connections() {
      return connections;
    },
    count: (match = {}) => seen.filter((s) => matches(match, s.method, s.path)).length,
    inject: (rule) => {
      rules.push({ rule, left: rule.times ?? 1 });
    },
    reset: () => {
      rules.length = 0;
      seen.length = 0;
      connections = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
