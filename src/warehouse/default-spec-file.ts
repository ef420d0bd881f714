/**
 * Where the warehouse spec is when nobody says. Apart from load.ts, which loads YAML and the
 * spec's schema: `cloudexit parity --help` shows this default without loading either.
 */

/** The sample spec, relative to the project root. */
export const DEFAULT_SPEC_FILE = 'stacks/warehouse.yaml';
