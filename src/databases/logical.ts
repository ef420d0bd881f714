/**
 * Method `logical` (online): the table definitions are restored on the target first
 * (logical replication copies rows, not DDL), then a publication on the source and a
 * subscription on the target copy every table and keep streaming changes. `status` shows
 * the lag; at the cutover, with the source frozen, the final sync waits until the target
 * has confirmed everything the source wrote, then copies the sequence values (logical
 * replication does not carry them). The subscription goes as soon as the cutover commits.
 */
import { formatBytes } from '../plan/sizes.ts';
import { redact } from '../secrets/redact.ts';
import type { BulkCopyResult, DatabaseMethod, MethodContext, Preflight } from './contract.ts';
import { dumpAndRestore } from './dump-pipeline.ts';
import { commonPreflight } from './dump-restore.ts';
import { listTables, tablesWithoutPrimaryKey, type TableInfo } from './catalog.ts';
import { analyzeTables, applyGrants, copySequences } from './moved-objects.ts';
import { quoteIdent, withClient } from './sql.ts';
import { logicalSourceProblems, logicalTargetProblems, withoutPrimaryKeyProblem } from './logical-preflight.ts';
import {
  createSubscription,
  dropSlot,
  dropSubscription,
  ensurePublication,
  publicationTables,
  replicationName,
  slotLag,
  subscriptionInfo,
} from './replication.ts';
import { freshFolder, removeDatasetFolder } from './work-dir.ts';

export interface LogicalOptions {
  /** Bound of the wait for the initial copy of every table. @default 12 h */
  initialSyncTimeoutMs?: number;
  /** Bound of the wait for lag 0 during the freeze. @default 15 min */
  catchUpTimeoutMs?: number;
  /** @default 1 s */
  pollMs?: number;
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && new Set([...a, ...b]).size === a.length;
const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;

export function createLogical(ctx: MethodContext, options: LogicalOptions = {}): DatabaseMethod {
  const { dataset, source, target } = ctx;
  const name = replicationName(dataset);
  const pollMs = options.pollMs ?? 1_000;

  function checkAborted(): void {
    if (ctx.signal?.aborted) throw new Error(`${dataset.name}: stopped (${String(ctx.signal.reason ?? 'aborted')})`);
  }
  const pause = () => new Promise((r) => setTimeout(r, pollMs));

  /** Polls the subscription until every table is copied (`r` ready or `s` synced). */
  async function waitForInitialSync(tables: readonly TableInfo[]): Promise<void> {
    const timeout = options.initialSyncTimeoutMs ?? 12 * 3_600_000;
    const deadline = Date.now() + timeout;
    let reported = 0;
    let errors = 0;
    ctx.progress.note(
      `${dataset.name}: initial copy of ${tables.length} tables (${formatBytes(tables.reduce((s, t) => s + t.bytes, 0))}) by the subscription ${name}`,
    );
    for (;;) {
      checkAborted();
      const { info, syncErrors } = await withClient(target, 'watching the initial copy', async (client) => {
        const found = await subscriptionInfo(client, name);
        const stats = found
          ? await client.query<{ n: string }>(
              'SELECT sync_error_count + apply_error_count AS n FROM pg_stat_subscription_stats WHERE subid = $1',
              [found.oid],
            )
          : undefined;
        return { info: found, syncErrors: Number(stats?.rows[0]?.n ?? 0) };
      });
      if (!info)
        throw new Error(
          `the subscription ${name} disappeared from the target during the initial copy; run the copy again`,
        );
      const pending = tables.filter((t) => !['r', 's'].includes(info.relations.get(t.name) ?? 'i'));
      const ready = tables.length - pending.length;
      if (ready > reported) {
        ctx.progress.advance({ objects: ready - reported, bytes: 0 });
        ctx.progress.note(`${dataset.name}: ${ready}/${tables.length} tables copied`);
        reported = ready;
      }
      if (syncErrors > errors) {
        ctx.progress.note(
          `${dataset.name}: the subscription reported ${syncErrors} errors so far (PostgreSQL retries; the target's server log says why)`,
        );
        errors = syncErrors;
      }
      if (pending.length === 0) return;
      if (Date.now() >= deadline) {
        throw new Error(
          `the initial copy of ${dataset.name} did not finish within ${minutes(timeout)}: ${ready}/${tables.length} tables copied, still copying ${pending
            .slice(0, 10)
            .map((t) => t.name)
            .join(', ')}` +
            `${errors > 0 ? `; the subscription reported ${errors} errors (see the target's server log)` : ''}. The subscription keeps copying: run the copy again to keep waiting`,
        );
      }
      await pause();
    }
  }

  /** Publication, schema and subscription; reused as they are when they already match the plan. */
  async function setUp(tables: readonly TableInfo[]): Promise<'created' | 'reused'> {
    const wanted = tables.map((t) => t.name);
    const published = await withClient(source, 'reading the publication', (client) => publicationTables(client, name));
    const sub = await withClient(target, 'reading the subscription', (client) => subscriptionInfo(client, name));
    if (
      sub &&
      published &&
      sameSet(published, wanted) &&
      sameSet([...sub.relations.keys()], wanted) &&
      sameSet(sub.publications, [name])
    ) {
      if (!sub.enabled)
        await withClient(target, 'enabling the subscription', (client) =>
          client.query(`ALTER SUBSCRIPTION ${quoteIdent(name)} ENABLE`),
        );
      return 'reused';
    }
    if (sub) {
      ctx.progress.note(
        `${dataset.name}: the subscription ${name} does not match the plan's tables any more: starting the copy over`,
      );
      await dropSubscription(target, source, name);
    }
    // The definitions first, dropped and created again: rows a previous attempt left would collide with the copy.
    const folder = await freshFolder(dataset, 'schema');
    try {
      await dumpAndRestore(ctx, folder, { schemaOnly: true });
    } finally {
      await removeDatasetFolder(dataset);
    }
    await withClient(source, 'creating the publication', async (client) => {
      await ensurePublication(client, name, tables);
      await dropSlot(client, name); // left by a subscription that was never dropped cleanly
    });
    await withClient(target, 'creating the subscription', (client) => createSubscription(client, name, source));
    return 'created';
  }

  async function movedTables(): Promise<TableInfo[]> {
    const tables = await withClient(source, 'listing the tables', (client) => listTables(client, dataset));
    if (tables.length === 0)
      throw new Error(`dataset ${dataset.name} moves no table: its schemas are empty or every table is excluded`);
    const noKey = tablesWithoutPrimaryKey(tables);
    if (noKey.length > 0) throw new Error(withoutPrimaryKeyProblem(dataset, noKey));
    return tables;
  }

  return {
    name: 'logical',

    async preflight(): Promise<Preflight> {
      const problems: string[] = [];
      const facts = await commonPreflight(ctx, problems);
      const noKey = facts?.tablesWithoutPrimaryKey ?? [];
      if (noKey.length > 0) problems.push(withoutPrimaryKeyProblem(dataset, noKey));
      try {
        problems.push(
          ...(await withClient(source, 'preflight', (client) => logicalSourceProblems(client, dataset, name))),
        );
      } catch (err) {
        if (facts)
          problems.push(
            redact(
              `checking the source for logical replication failed: ${err instanceof Error ? err.message : String(err)}`,
            ),
          );
      }
      try {
        problems.push(...(await withClient(target, 'preflight', logicalTargetProblems)));
      } catch {
        // commonPreflight already said that the target cannot be reached
      }
      return { ok: problems.length === 0, problems, tablesWithoutPrimaryKey: noKey };
    },

    async bulkCopy(): Promise<BulkCopyResult> {
      const started = performance.now();
      const tables = await movedTables();
      const setup = await setUp(tables);
      const grants = await withClient(target, 'applying grants', (client) => applyGrants(client, dataset));
      await waitForInitialSync(tables);
      await withClient(target, 'ANALYZE', (client) => analyzeTables(client, tables));
      return {
        tables: tables.length,
        bytes: tables.reduce((s, t) => s + t.bytes, 0),
        seconds: (performance.now() - started) / 1000,
        details: { method: 'logical', publication: name, subscription: name, setup, grants: grants.length },
      };
    },

    async lag() {
      const bytes = await withClient(source, 'measuring the lag', (client) => slotLag(client, name));
      return bytes === undefined ? undefined : { bytes, caughtUp: bytes === 0 };
    },

    async finalSync(): Promise<BulkCopyResult> {
      const started = performance.now();
      const tables = await movedTables();
      // Everything written before now (the source is frozen) must be confirmed by the target;
      // WAL written later, e.g. by other databases of the server, does not matter.
      const { lsn, since } = await withClient(source, 'reading the WAL position', async (client) => {
        const { rows } = await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
        return { lsn: rows[0]!.lsn, since: Date.now() };
      });
      const timeout = options.catchUpTimeoutMs ?? 15 * 60_000;
      for (;;) {
        checkAborted();
        const behind = await withClient(source, 'measuring the lag', async (client) => {
          const { rows } = await client.query<{ behind: string | null }>(
            'SELECT pg_wal_lsn_diff($1::pg_lsn, confirmed_flush_lsn) AS behind FROM pg_replication_slots WHERE slot_name = $2',
            [lsn, name],
          );
          if (rows.length === 0)
            throw new Error(
              `the source has no replication slot ${name}: run the copy of ${dataset.name} before the cutover`,
            );
          return rows[0]!.behind === null ? Number.POSITIVE_INFINITY : Number(rows[0]!.behind);
        });
        if (behind <= 0) break;
        if (Date.now() - since >= timeout) {
          throw new Error(
            `the target of ${dataset.name} did not catch up within ${minutes(timeout)} of the freeze: ${formatBytes(behind)} of WAL still unconfirmed; check the subscription ${name} on the target (pg_stat_subscription) and its server log`,
          );
        }
        await pause();
      }
      const sequences = await copySequences(source, target, dataset);
      return {
        tables: tables.length,
        bytes: tables.reduce((s, t) => s + t.bytes, 0),
        seconds: (performance.now() - started) / 1000,
        details: { method: 'logical', stage: 'final sync', caughtUpTo: lsn, sequences },
      };
    },

    async finish(): Promise<void> {
      // First: the subscription keeps the source's password in the target's catalog.
      await dropSubscription(target, source, name);
      await withClient(source, 'dropping the publication', async (client) => {
        // The source stays frozen after the cutover; this session must still be able to drop.
        await client.query('SET default_transaction_read_only = off');
        await client.query(`DROP PUBLICATION IF EXISTS ${quoteIdent(name)}`);
      });
      await removeDatasetFolder(dataset);
    },
  };
}
