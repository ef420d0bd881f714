/** Plain output helpers: one JSON object for scripts, aligned text tables for people. */
export { renderTable } from '../report/text-table.ts';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
