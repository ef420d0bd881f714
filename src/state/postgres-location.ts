/**
 * How a PostgreSQL state is named in messages, apart from the store itself: describing a
 * `--state` URL must not load the PostgreSQL client, which a run on a SQLite state (and
 * `--help`) never needs (state/open.ts loads it only to open a PostgreSQL state).
 */
import type pg from 'pg';

/**
 * `postgresql://user@host:port/database`: where the state lives, for messages. Never the
 * password, nor query parameters (they may hold one).
 */
export function describeLocation(config: pg.PoolConfig): string {
  let { user, host, port, database } = config;
  if (config.connectionString) {
    const url = new URL(config.connectionString);
    user = decodeURIComponent(url.username) || user;
    host = decodeURIComponent(url.hostname) || host;
    port = url.port ? Number(url.port) : port;
    database = decodeURIComponent(url.pathname.replace(/^\//, '')) || database;
  }
  const h = host ?? 'localhost';
  const hostPart = h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
  return `postgresql://${user ? `${encodeURIComponent(user)}@` : ''}${hostPart}:${port ?? 5432}/${database ?? ''}`;
}
