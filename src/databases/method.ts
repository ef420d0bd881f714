/**
 * The method a PostgreSQL dataset moves with, chosen by the plan (`method`, `dump-restore`
 * by default).
 */
import type { DatabaseMethod, MethodContext } from './contract.ts';
import { createDumpRestore } from './dump-restore.ts';
import { createLogical } from './logical.ts';

export function createMethod(ctx: MethodContext): DatabaseMethod {
  switch (ctx.dataset.method) {
    case 'dump-restore':
      return createDumpRestore(ctx);
    case 'logical':
      return createLogical(ctx);
  }
}
