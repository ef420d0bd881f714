/**
 * Inventory: list every selected dataset at the source and bring the state up to date.
 * New and changed objects become pending; objects gone from the source are reported,
 * never deleted at the target.
 */
import type { DatabaseInventory } from '../databases/operations.ts';
import { inventoryDataset, type InventorySummary } from '../engine/inventory.ts';
import { sessionDatabases } from './databases.ts';
import { stopped, withSession, type Session, type SessionOptions } from './session.ts';

export type InventoryOptions = SessionOptions;

export interface InventoryReport {
  runId: string;
  datasets: InventorySummary[];
  /** PostgreSQL datasets: tables and size at the source. */
  databases: DatabaseInventory[];
}

/** Lists the selected datasets at the source and records what is new, changed or deleted. */
export async function inventory(options: InventoryOptions = {}): Promise<InventoryReport> {
  return withSession(options, 'inventory', inventoryInSession, (report) => ({
    outcome: 'succeeded',
    totals: {
      objects: report.datasets.reduce((n, d) => n + d.objects, 0),
      bytes: report.datasets.reduce((n, d) => n + d.bytes, 0),
      failed: 0,
    },
  }));
}

async function inventoryInSession(session: Session): Promise<InventoryReport> {
  const datasets: InventorySummary[] = [];
  for (const dataset of session.datasets) {
    if (stopped(session)) break;
    datasets.push(await inventoryDataset(session.ctx, dataset));
  }
  const databases: DatabaseInventory[] = [];
  const opened = await sessionDatabases(session);
  for (const handle of opened?.handles ?? []) {
    if (stopped(session)) break;
    databases.push(await opened!.operations.inventoryDatabase(handle, opened!.ops));
  }
  return { runId: session.ctx.runId, datasets, databases };
}
