import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { UserError } from '../../src/errors.ts';
import { loadPlan, parsePlan } from '../../src/plan/load.ts';

const SAMPLE = 'runbooks/emc2/plan.yaml';
let sampleText: string;
let dir: string;

beforeAll(async () => {
  sampleText = await readFile(SAMPLE, 'utf8');
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-plan-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The sample plan with one edit applied to its parsed document. */
function edited(edit: (doc: ReturnType<typeof parseDocument>) => void): string {
  const doc = parseDocument(sampleText);
  edit(doc);
  return doc.toString();
}

function problemsOf(text: string): UserError {
  try {
    parsePlan(text, 'plan.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as UserError;
  }
  throw new Error('expected the plan to be rejected');
}

describe('the sample EMC2 plan', () => {
  it('is valid and models four hospitals, SNDS, nomenclatures and the PostgreSQL catalogue in three phases', async () => {
    const plan = await loadPlan(SAMPLE);
    expect(plan.datasets.map((d) => d.name)).toEqual([
      'nomenclatures',
      'clb',
      'hcl',
      'chru-nancy',
      'hpsj',
      'snds-extracts',
      'catalog',
    ]);
    expect(plan.datasets.at(-1)).toMatchObject({
      kind: 'postgres',
      method: 'dump-restore',
      source: { port: 5432 },
      target: { port: 20184 },
    });
    expect(plan.datasets.map((d) => d.title).join(' ')).toMatch(/Hospices Civils de Lyon.*|Centre Léon Bérard/);
    expect(plan.phases.map((p) => p.id)).toEqual([1, 2, 3]);
    expect(plan.limits.multipartThreshold).toBe(16 * 2 ** 20);
    expect(plan.limits.bandwidth).toBeUndefined();
  });
});

describe('a bad plan is rejected with the file, the path, the line and the fix', () => {
  it('names a missing field and where to add it', () => {
    const err = problemsOf(edited((doc) => doc.deleteIn(['window', 'authorisedOn'])));
    expect(err.message).toMatch(/plan\.yaml:\d+:\d+: window\.authorisedOn: missing required field "authorisedOn"/);
    expect(err.message).toContain('fix: add "authorisedOn" under window');
  });

  it('names an unknown dataset in a phase, with the line it stands on', () => {
    const text = edited((doc) => doc.setIn(['phases', 1, 'datasets', 2], 'hpsj-typo'));
    const err = problemsOf(text);
    const line = text.split('\n').findIndex((l) => l.includes('hpsj-typo')) + 1;
    expect(err.message).toContain(`plan.yaml:${line}:`);
    expect(err.message).toContain('phases[1].datasets[2]: unknown dataset "hpsj-typo"');
    expect(err.message).toMatch(/fix: use one of: nomenclatures, clb, hcl/);
  });

  it('refuses a multipart threshold or a part size that S3 targets cannot take', () => {
    const zero = problemsOf(edited((doc) => doc.setIn(['limits', 'multipartThreshold'], '0B')));
    expect(zero.message).toMatch(
      /plan\.yaml:\d+:\d+: limits\.multipartThreshold: is 0 bytes, below minPartSize \(5242880 bytes\)/,
    );
    expect(zero.message).toContain('fix: set multipartThreshold to minPartSize or more');
    const small = problemsOf(edited((doc) => doc.setIn(['limits', 'minPartSize'], '1MiB')));
    expect(small.message).toContain('limits.minPartSize: is 1048576 bytes, below the 5 MiB every S3 target requires');
  });

  it('refuses a date that does not exist', () => {
    const err = problemsOf(edited((doc) => doc.setIn(['phases', 0, 'plannedCutover'], '2026-02-30')));
    expect(err.message).toContain('phases[0].plannedCutover: must be a real calendar date');
  });

  it('refuses two datasets writing to the same target prefix', () => {
    const err = problemsOf(
      edited((doc) => {
        doc.setIn(['datasets', 3, 'target', 'bucket'], 'emc2-hcl');
        doc.setIn(['datasets', 3, 'target', 'prefix'], 'nancy/');
      }),
    );
    expect(err.message).toContain('datasets[3].target.prefix: datasets "hcl" and "chru-nancy" write to the same place');
    expect(err.message).toContain('fix: give each dataset its own bucket');
  });

  it('refuses two PostgreSQL datasets restoring into the same database', () => {
    const err = problemsOf(
      edited((doc) => {
        const copy = doc.getIn(['datasets', 6]) as { toJSON(): Record<string, unknown> };
        doc.addIn(['datasets'], doc.createNode({ ...copy.toJSON(), name: 'catalog-2' }));
        doc.addIn(['phases', 2, 'datasets'], 'catalog-2');
      }),
    );
    expect(err.message).toContain(
      'datasets[7].target.database: datasets "catalog" and "catalog-2" restore into the same database emc2_catalog',
    );
  });

  it('refuses a secret pasted where an environment variable name belongs, without echoing it', () => {
    const err = problemsOf(
      edited((doc) => doc.setIn(['source', 'auth', 'sasTokenEnv'], 'sv=2024-01-01&sig=AbC123secret')),
    );
    expect(err.message).toContain('source.auth.sasTokenEnv: must be the NAME of an environment variable');
    expect(err.message).not.toContain('AbC123secret');
  });

  it('lists every problem at once and reports YAML syntax errors with a position', () => {
    const err = problemsOf(
      edited((doc) => {
        doc.setIn(['phases', 2, 'plannedCutover'], '14/12/2026');
        doc.setIn(['limits', 'memoryBudget'], 'lots');
        doc.setIn(['target', 'region'], '');
      }),
    );
    expect(err.message).toMatch(/the plan has 3 problems/);
    expect(err.message).toContain('phases[2].plannedCutover');
    expect(err.message).toContain('limits.memoryBudget: must be a size');
    expect(err.message).toContain('target.region');
    const syntax = problemsOf('migration: emc2\n  title: [broken\n');
    expect(syntax.message).toMatch(/plan\.yaml:\d+:\d+: YAML:/);
  });

  it('reports field errors and cross-checks in one report', () => {
    const text = edited((doc) => {
      doc.deleteIn(['title']);
      doc.addIn(['phases', 1, 'datasets'], 'hpsj-typo');
      doc.setIn(['phases', 2, 'plannedCutover'], '2026-12-20');
    });
    const err = problemsOf(text);
    expect(err.message).toMatch(/the plan has 3 problems/);
    expect(err.message).toContain('title: missing required field "title" (fix: add "title" at the top level)');
    expect(err.message).toMatch(/phases\[1\]\.datasets\[\d\]: unknown dataset "hpsj-typo"/);
    expect(err.message).toMatch(/phases\[2\]\.plannedCutover: phase 3 is planned for 2026-12-20, after/);
  });

  it('runs each cross-check on the pieces that parsed, and skips what it cannot judge', () => {
    const err = problemsOf(
      edited((doc) => {
        doc.setIn(['window', 'years'], 'three');
        doc.setIn(['datasets', 3, 'target', 'bucket'], 'emc2-hcl');
        doc.setIn(['datasets', 3, 'target', 'prefix'], 'nancy/');
        doc.setIn(['datasets', 2, 'target', 'prefix'], 'nancy/');
        doc.setIn(['datasets', 0, 'source', 'container'], 7);
      }),
    );
    // The window is invalid, so no phase is judged against it; the two valid datasets still clash.
    expect(err.message).toMatch(/the plan has 3 problems/);
    expect(err.message).toContain('window.years: must be a whole number, found the text "three"');
    expect(err.message).toContain('datasets[0].source.container: must be a text, found the number 7');
    expect(err.message).toContain('datasets "hcl" and "chru-nancy" write to the same place');
  });

  it('words every field error itself, naming what was expected and what was found', () => {
    const err = problemsOf(
      edited((doc) => {
        doc.setIn(['limits', 'concurrency'], '8');
        doc.setIn(['limits', 'maxAttempts'], 0);
        doc.setIn(['target', 'forcePathStyle'], 'yes');
        doc.setIn(['target', 'kind'], 'gcs');
        doc.setIn(['source', 'auth', 'method'], 'password');
        doc.setIn(['phases', 0, 'datasets'], []);
        doc.setIn(['datasets', 6, 'sslmodes'], 'require');
        doc.setIn(['datasets', 6, 'method'], 'rsync');
        doc.setIn(['limits', 'multipartThreshold'], true);
      }),
    );
    const message = err.message;
    expect(message).toContain('limits.concurrency: must be a whole number, found the text "8"');
    expect(message).toContain('limits.maxAttempts: must be at least 1, found the number 0');
    expect(message).toContain('target.forcePathStyle: must be true or false, found the text "yes"');
    expect(message).toContain('target.kind: must be "s3", found the text "gcs"');
    expect(message).toContain('source.auth.method: must be one of "sas", "key", "entra", found the text "password"');
    expect(message).toContain('(fix: write one of: sas, key, entra)');
    expect(message).toContain('phases[0].datasets: must list at least 1 item, found a list of 0 items');
    expect(message).toContain('datasets[6]: unknown field "sslmodes" (fix: remove it or correct its spelling)');
    expect(message).toContain('datasets[6].method: must be one of "dump-restore", "logical", found the text "rsync"');
    expect(message).toContain('limits.multipartThreshold: must be a text or a number, found true');
    expect(message).not.toMatch(/Invalid|expected \w+, received|Too (small|big)|Unrecognized/);
  });

  it('refuses an endpoint that is not a plain http(s) URL, without echoing it', () => {
    const cases: [string[], string, RegExp][] = [
      [
        ['source', 'endpoint'],
        'ftp://files.example.org',
        /source\.endpoint: uses ftp:\/\/.*fix: write it as https:\/\//,
      ],
      [['target', 'endpoint'], 's3.example.org', /target\.endpoint: is not a URL.*fix: write the whole URL/],
      [['target', 'endpoint'], 'https://AKIA:s3cr3tValue@s3.example.org', /target\.endpoint: holds credentials/],
      [
        ['source', 'endpoint'],
        'https://acct.blob.core.windows.net/?sv=2024-01-01&sig=s3cr3tValue',
        /source\.endpoint: has a query .*SAS.*fix: remove everything from "\?" on/,
      ],
    ];
    for (const [path, value, expected] of cases) {
      const err = problemsOf(edited((doc) => doc.setIn(path, value)));
      expect(err.message).toMatch(expected);
      expect(err.message).not.toContain('s3cr3tValue');
    }
    expect(() =>
      parsePlan(
        edited((doc) => doc.setIn(['target', 'endpoint'], 'http://127.0.0.1:9000')),
        'p.yaml',
      ),
    ).not.toThrow();
  });

  it('says which file it could not read', async () => {
    await expect(loadPlan(join(dir, 'missing.yaml'))).rejects.toThrow(/cannot read the plan: ENOENT/);
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'migration: Bad Name\n');
    await expect(loadPlan(bad)).rejects.toThrow(/bad\.yaml:1:\d+: migration: must be lower case/);
  });
});

describe('hook scripts are checked when the plan is loaded', () => {
  async function load(edit: (doc: ReturnType<typeof parseDocument>) => void): Promise<unknown> {
    const file = join(dir, 'hooks-plan.yaml');
    await writeFile(file, edited(edit));
    return loadPlan(file).catch((err: unknown) => err);
  }

  it('refuses a misspelt hook with file:line:col, the path it looked for and a fix', async () => {
    const file = join(dir, 'hooks-plan.yaml');
    const err = await load((doc) => doc.setIn(['hooks', 'switch'], 'scripts/hooks/swtich.mjs'));
    expect(err).toBeInstanceOf(UserError);
    const text = await readFile(file, 'utf8');
    const line = text.split('\n').findIndex((l) => l.includes('swtich.mjs')) + 1;
    const message = (err as UserError).message;
    expect(message).toContain(`${file}:${line}:`);
    expect(message).toContain(
      `hooks.switch: hook file ${join(process.cwd(), 'scripts/hooks/swtich.mjs')} does not exist`,
    );
    expect(message).toContain('fix: correct the path of hooks.switch, or remove it');
  });

  it('refuses a hook cloudexit cannot run, and says which extensions it can', async () => {
    const err = await load((doc) => doc.setIn(['hooks', 'freeze'], 'package.json'));
    expect((err as UserError).message).toMatch(
      /hooks\.freeze: "package\.json" is neither a Node script nor a shell script/,
    );
    expect((err as UserError).message).toContain('.sh runs with bash');
  });

  it('accepts a .sh hook that exists', async () => {
    const script = join(dir, 'freeze.sh');
    await writeFile(script, 'exit 0\n');
    const plan = await load((doc) => doc.setIn(['hooks', 'freeze'], script));
    expect(plan).not.toBeInstanceOf(Error);
    expect((plan as Awaited<ReturnType<typeof loadPlan>>).hooks.freeze).toBe(script);
  });

  it('points at the plan folder when the path is right relative to the plan, not to the working folder', async () => {
    await writeFile(join(dir, 'thaw.sh'), 'exit 0\n');
    const err = await load((doc) => doc.setIn(['hooks', 'thaw'], 'thaw.sh'));
    expect((err as UserError).message).toContain(
      `the file is next to the plan: write "${relative(process.cwd(), join(dir, 'thaw.sh'))}"`,
    );
  });
});
