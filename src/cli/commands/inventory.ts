import type { Command } from 'commander';
import type { InventoryReport } from '../../app/inventory.ts';
import { formatBytes } from '../../plan/sizes.ts';
import { addDataOptions, sessionOptionsOf, type DataOptions } from '../data-options.ts';
import { withCommandIo } from '../interrupts.ts';
import { printJson, renderTable } from '../output.ts';

export function renderInventory(report: InventoryReport): string {
  const rows = report.datasets.map((d) => [
    d.dataset,
    d.objects,
    formatBytes(d.bytes),
    d.added,
    d.changed,
    d.unchanged,
    d.deletedAtSource.length,
  ]);
  const lines = [renderTable(['dataset', 'objects', 'size', 'new', 'changed', 'unchanged', 'deleted at source'], rows)];
  for (const d of report.datasets) {
    for (const key of d.deletedAtSource.slice(0, 20)) lines.push(`  ${d.dataset}: deleted at source: ${key}`);
    if (d.deletedAtSource.length > 20)
      lines.push(`  ${d.dataset}: … and ${d.deletedAtSource.length - 20} more deleted at source`);
  }
  for (const db of report.databases) {
    lines.push(
      `  ${db.dataset} (PostgreSQL): ${db.tables} tables, ${formatBytes(db.bytes)}${db.withoutPrimaryKey.length ? `; without a primary key (they block the logical method): ${db.withoutPrimaryKey.join(', ')}` : ''}`,
    );
  }
  return lines.join('\n');
}

export function registerInventoryCommand(program: Command): void {
  addDataOptions(
    program
      .command('inventory')
      .summary('list the source and record what is new, changed or deleted')
      .description(
        'List every dataset at the source and bring the state up to date: new and changed objects (ETag, size or ' +
          'last-modified time) become pending; objects gone from the source are reported, never deleted at the target.',
      ),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ npx cloudexit inventory                        every dataset of the plan
  $ npx cloudexit inventory --phase 3 --json`,
    )
    .action(async (options: DataOptions) => {
      const { inventory } = await import('../../app/inventory.ts');
      const report = await withCommandIo(options, (io) => inventory(sessionOptionsOf(options, io)));
      if (options.json) printJson(report);
      else process.stdout.write(`${renderInventory(report)}\n`);
    });
}
