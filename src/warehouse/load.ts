/**
 * Reads and validates a warehouse spec (`stacks/warehouse.yaml`). Every problem is
 * reported at once with `file:line:col`, the path inside the document and a fix, because
 * the spec is edited by people and a `pulumi up` that fails on the third typo in a row
 * wastes a deployment window.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { parseValidatedYaml } from '../yaml/validated.ts';
import { DEFAULT_SPEC_FILE } from './default-spec-file.ts';
import { warehouseSpec, type WarehouseSpec } from './spec.ts';

export { DEFAULT_SPEC_FILE };

/**
 * Loads `file`; throws a `UserError` listing every problem. Synchronous on purpose: the
 * Pulumi program needs the spec before it declares its first resource.
 */
export function loadWarehouseSpec(file: string): WarehouseSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read the warehouse spec: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      where: file,
      fix: `pass --spec with the path of a warehouse spec (the sample is ${DEFAULT_SPEC_FILE})`,
    });
  }
  return parseWarehouseSpec(text, file);
}

/** Parses and validates spec text; `file` only names the source in messages. */
export function parseWarehouseSpec(text: string, file: string): WarehouseSpec {
  try {
    return parseValidatedYaml(text, file, warehouseSpec, { what: 'the warehouse spec', sample: DEFAULT_SPEC_FILE });
  } catch (err) {
    // The spec's errors also name the file as a whole (`where`), for the parity command's output.
    if (err instanceof UserError)
      throw new UserError(err.message, { where: file, ...(err.fix ? { fix: err.fix } : {}) });
    throw err;
  }
}
