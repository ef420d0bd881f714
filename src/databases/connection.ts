/**
 * How cloudexit reaches a PostgreSQL database: settings from the plan, password from an
 * environment variable or a secrets file (never from the plan), registered for redaction
 * as soon as it is read. Client tools (pg_dump, pg_restore) get the password through
 * PGPASSWORD in their environment, never on a command line that `ps` would show.
 */
import { readFileSync } from 'node:fs';
import type { ClientConfig } from 'pg';
import { UserError } from '../errors.ts';
import { registerSecret } from '../secrets/redact.ts';

export interface PgEndpoint {
  host: string;
  /** @default 5432 */
  port: number;
  database: string;
  user: string;
  /** Environment variable holding the password. */
  passwordEnv?: string | undefined;
  /** File holding the password (first line), e.g. a mounted secret. */
  passwordFile?: string | undefined;
  /** libpq sslmode. @default 'require' */
  sslmode: 'disable' | 'require' | 'verify-ca' | 'verify-full';
}

/** A resolved connection: the endpoint plus its password. */
export interface PgConnection {
  endpoint: PgEndpoint;
  password: string | undefined;
  /** `user@host:port/database`, for messages. */
  label: string;
}

export function resolveConnection(
  endpoint: PgEndpoint,
  what: string,
  env: NodeJS.ProcessEnv = process.env,
): PgConnection {
  let password: string | undefined;
  if (endpoint.passwordEnv) {
    password = env[endpoint.passwordEnv];
    if (!password) {
      throw new UserError(
        `the environment variable ${endpoint.passwordEnv} is not set; it must hold the password of ${what}`,
        {
          fix: `export ${endpoint.passwordEnv}=…`,
        },
      );
    }
  } else if (endpoint.passwordFile) {
    try {
      password = readFileSync(endpoint.passwordFile, 'utf8').split('\n')[0]!.trim();
    } catch (err) {
      throw new UserError(
        `cannot read the password file of ${what}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
        { where: endpoint.passwordFile },
      );
    }
  }
  registerSecret(password);
  return { endpoint, password, label: `${endpoint.user}@${endpoint.host}:${endpoint.port}/${endpoint.database}` };
}

/** Settings for a `pg` client. Sessions are pinned to one text form of every type so fingerprints compare. */
export function clientConfig(connection: PgConnection, database = connection.endpoint.database): ClientConfig {
  const { endpoint } = connection;
  return {
    host: endpoint.host,
    port: endpoint.port,
    database,
    user: endpoint.user,
    ...(connection.password !== undefined ? { password: connection.password } : {}),
    ssl:
      endpoint.sslmode === 'disable'
        ? false
        : { rejectUnauthorized: endpoint.sslmode === 'verify-ca' || endpoint.sslmode === 'verify-full' },
    application_name: 'cloudexit',
    options:
      '-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=iso_8601 -c extra_float_digits=3 -c bytea_output=hex',
  };
}

/** Environment for libpq client tools (pg_dump, pg_restore, psql). */
export function libpqEnvironment(
  connection: PgConnection,
  database = connection.endpoint.database,
): Record<string, string> {
  const { endpoint } = connection;
  return {
    PGHOST: endpoint.host,
    PGPORT: String(endpoint.port),
    PGDATABASE: database,
    PGUSER: endpoint.user,
    PGSSLMODE: endpoint.sslmode,
    PGAPPNAME: 'cloudexit',
    PGTZ: 'UTC',
    ...(connection.password !== undefined ? { PGPASSWORD: connection.password } : {}),
  };
}

/**
 * A libpq connection string for CREATE SUBSCRIPTION (the target connects to the source).
 * PostgreSQL keeps it in its catalog, password included; that is how logical replication
 * works, and why the subscription is dropped as soon as the cutover commits.
 */
export function subscriptionConnInfo(connection: PgConnection): string {
  const { endpoint } = connection;
  const q = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const parts = [
    `host=${q(endpoint.host)}`,
    `port=${endpoint.port}`,
    `dbname=${q(endpoint.database)}`,
    `user=${q(endpoint.user)}`,
    `sslmode=${endpoint.sslmode}`,
  ];
  if (connection.password !== undefined) parts.push(`password=${q(connection.password)}`);
  return parts.join(' ');
}
