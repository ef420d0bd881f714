/**
 * Opening a SQLite state file, read-only or for writing, at every kind of path a user can
 * give to --state: what a refusal says (a UserError, exit 2, the path and the fix) and that
 * it leaves the file system exactly as it was (the bytes of every file, and no file or
 * folder more).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT, formatError, UserError } from '../../src/errors.ts';
import { MIGRATIONS, SCHEMA_VERSION, STATE_APPLICATION_ID } from '../../src/state/sqlite-schema.ts';
import { openSqliteStateStore, SqliteStateStore } from '../../src/state/sqlite.ts';
import type { ProbeRecord } from '../../src/state/contracts/probes.ts';
import type { StateStore } from '../../src/state/state-store.ts';
import { sampleInput } from '../audit/helpers.ts';
import { emc2 } from './conformance/binding.ts';
import { COPIED } from './conformance/databases.ts';
import { stoppedPhase } from './conformance/phases.ts';
import { UPLOAD, part } from './conformance/uploads.ts';
import { objectRecord, tempDir } from './helpers.ts';

const CHILD = fileURLToPath(new URL('./fixtures/state-child.ts', import.meta.url));
const isRoot = process.getuid?.() === 0;

let dir: Awaited<ReturnType<typeof tempDir>>;
let file: string;

beforeEach(async () => {
  dir = await tempDir();
  file = join(dir.path, 'state.db');
});

afterEach(async () => {
  await chmod(dir.path, 0o700).catch(() => undefined);
  await dir.remove();
});

/** Every file and folder under `root`: a file's SHA-256, or "folder". */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    out[relative(root, path)] = entry.isDirectory()
      ? 'folder'
      : createHash('sha256')
          .update(await readFile(path))
          .digest('hex');
  }
  return out;
}

/** Runs `open` and expects it to be refused with a UserError that names `where`, leaving `dir` as it was. */
async function refusedUntouched(open: () => Promise<unknown>, where: string, message: RegExp): Promise<UserError> {
  const before = await snapshot(dir.path);
  const err = await open().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  const user = err as UserError;
  expect(user.exitCode).toBe(EXIT.usage);
  expect(user.where).toBe(where);
  expect(user.message).toMatch(message);
  expect(user.fix).toBeTruthy();
  expect(formatError(user)).toContain(`error: ${where}: `);
  expect(await snapshot(dir.path)).toEqual(before);
  return user;
}

/** Both ways of opening, for the cases where they must refuse alike. */
const MODES = [
  ['for writing', (path: string) => openSqliteStateStore(path)],
  ['read-only', (path: string) => openSqliteStateStore(path, { readOnly: true })],
] as const;

/** One call of every write method. */
const WRITES: Record<string, (s: StateStore) => Promise<unknown>> = {
  bind: (s) => s.bind(emc2()),
  rebind: (s) => s.rebind(emc2(), 'test'),
  startRun: (s) => s.startRun({ command: 'copy', scope: 'all' }),
  finishRun: (s) => s.finishRun('run-x', 'failed', { objects: 0, bytes: 0, failed: 0 }),
  putObjects: (s) => s.putObjects([objectRecord('d', 'new')]),
  updateObject: (s) => s.updateObject('d', 'a', { attempts: 9 }),
  markUnseenDeleted: (s) => s.markUnseenDeleted('d', 'inv-9'),
  startUpload: (s) => s.startUpload(UPLOAD),
  recordPart: (s) => s.recordPart(UPLOAD.dataset, UPLOAD.key, UPLOAD.uploadId, part(2)),
  clearUpload: (s) => s.clearUpload(UPLOAD.dataset, UPLOAD.key),
  appendAudit: (s) => s.appendAudit(sampleInput(2)),
  putPhase: (s) => s.putPhase(stoppedPhase()),
  putDatabase: (s) => s.putDatabase(COPIED),
  putProbe: (s) =>
    s.putProbe({
      target: 'https://s3.example/b',
      capabilities: {} as ProbeRecord['capabilities'],
      observations: [],
      at: '2026-11-02T10:00:00.000Z',
    }),
  acquirePhaseLock: (s) => s.acquirePhaseLock(1, { host: 'h', pid: 1, command: 'cutover 1' }),
};
const READS = [
  'constructor',
  'close',
  'getBinding',
  'listRuns',
  'getObjects',
  'iterateObjects',
  'countObjects',
  'countVerifiedFull',
  'getUpload',
  'iterateAudit',
  'auditHead',
  'getPhase',
  'getDatabase',
  'getProbe',
  'listProbes',
];

async function expectEveryWriteRefused(store: StateStore): Promise<void> {
  for (const [method, call] of Object.entries(WRITES)) {
    await expect(call(store), method).rejects.toThrow(
      new RegExp(`cannot ${method}: the state .* was opened read-only`),
    );
  }
}

/** A state file with a little of everything in it, closed. */
async function writeState(path: string): Promise<void> {
  const store = await openSqliteStateStore(path);
  await store.bind(emc2());
  await store.putObjects([objectRecord('d', 'a', { status: 'copied' })]);
  await store.startUpload(UPLOAD);
  await store.recordPart(UPLOAD.dataset, UPLOAD.key, UPLOAD.uploadId, part(1));
  await store.appendAudit(sampleInput(1));
  await store.close();
}

/** A state file as cloudexit with schema `version` wrote it, in rollback-journal mode unless `wal`. */
function writeOldState(path: string, version: number, { wal = false } = {}): void {
  const db = new DatabaseSync(path);
  if (wal) db.exec('PRAGMA journal_mode = WAL');
  db.exec(`PRAGMA application_id = ${STATE_APPLICATION_ID}`);
  db.exec(
    'CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT',
  );
  for (const m of MIGRATIONS.filter((m) => m.version <= version)) {
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_version VALUES (?, ?, ?)').run(m.version, m.description, '2026-01-01T00:00:00Z');
  }
  db.prepare(
    `INSERT INTO objects (dataset, key, target_key, size, source_etag, source_last_modified, status, inventory_id)
    VALUES ('d', 'a', 'target/a', 1024, '"0x8DC0000000000"', '2026-01-02T03:04:05.000Z', 'pending', 'inv-1')`,
  ).run();
  db.close();
}

/** Another application's SQLite database, optionally in WAL mode or with its own application id. */
function writeForeignDatabase(path: string, { wal = false, applicationId = 0 } = {}): void {
  const db = new DatabaseSync(path);
  if (wal) db.exec('PRAGMA journal_mode = WAL');
  if (applicationId) db.exec(`PRAGMA application_id = ${applicationId}`);
  db.exec("CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO patients (name) VALUES ('Jeanne')");
  db.close();
}

function journalModeInHeader(bytes: Buffer): 'wal' | 'rollback' {
  return bytes[18] === 2 ? 'wal' : 'rollback';
}

describe('read-only', () => {
  it('every method that writes is refused (and no method is forgotten)', () => {
    const methods = Object.getOwnPropertyNames(SqliteStateStore.prototype).filter((m) => !READS.includes(m));
    expect(methods.sort()).toEqual(Object.keys(WRITES).sort());
  });

  it('a missing state is an empty view in memory: no file, no folder created, every write refused', async () => {
    const path = join(dir.path, 'nested', 'folders', 'state.db');
    const before = await snapshot(dir.path);
    const store = await openSqliteStateStore(path, { readOnly: true });
    try {
      expect(store).toMatchObject({ location: path, readOnly: true, exists: false });
      expect(await store.getBinding()).toBeUndefined();
      expect(await store.listRuns()).toEqual([]);
      expect((await store.countObjects('d')).pending).toEqual({ objects: 0, bytes: 0 });
      expect(await store.auditHead()).toBeUndefined();
      await expectEveryWriteRefused(store);
    } finally {
      await store.close();
    }
    expect(await snapshot(dir.path)).toEqual(before);
  });

  it('an empty file, or a SQLite database with no table, is a state not started yet, left as it is', async () => {
    await writeFile(file, '');
    const emptyDb = join(dir.path, 'empty.db');
    new DatabaseSync(emptyDb).exec('VACUUM'); // writes a header and an empty schema
    expect((await stat(emptyDb)).size).toBeGreaterThan(0);
    const before = await snapshot(dir.path);
    for (const path of [file, emptyDb]) {
      const store = await openSqliteStateStore(path, { readOnly: true });
      expect(store).toMatchObject({ readOnly: true, exists: false });
      await store.close();
    }
    expect(await snapshot(dir.path)).toEqual(before);
  });

  it('reads a state file without changing a byte of it, nor switching it to WAL', async () => {
    await writeState(file);
    const db = new DatabaseSync(file);
    db.exec('PRAGMA journal_mode = DELETE');
    db.close();
    const before = await snapshot(dir.path);
    expect(Object.keys(before)).toEqual(['state.db']);

    const store = await openSqliteStateStore(file, { readOnly: true });
    try {
      expect(store).toMatchObject({ location: file, readOnly: true, exists: true });
      expect((await store.getBinding())?.migration).toBe('emc2');
      expect((await store.getObjects('d', ['a'])).get('a')?.status).toBe('copied');
      expect((await store.getUpload(UPLOAD.dataset, UPLOAD.key))?.parts).toEqual([part(1)]);
      expect((await store.auditHead())?.seq).toBe(1);
      await expectEveryWriteRefused(store);
    } finally {
      await store.close();
    }
    expect(await snapshot(dir.path)).toEqual(before);
    expect(journalModeInHeader(await readFile(file))).toBe('rollback');
  });

  it('reads a WAL state file no writer holds without changing a byte of it or creating any file', async () => {
    await writeState(file);
    const before = await snapshot(dir.path);
    expect(Object.keys(before)).toEqual(['state.db']);
    const store = await openSqliteStateStore(file, { readOnly: true });
    expect((await store.getObjects('d', ['a'])).size).toBe(1);
    await store.close();
    expect(await snapshot(dir.path)).toEqual(before);
  });

  it('reads a state file while another handle writes to it', async () => {
    const writer = await openSqliteStateStore(file);
    const reader = await openSqliteStateStore(file, { readOnly: true });
    try {
      await writer.putObjects([objectRecord('d', 'a')]);
      expect((await reader.countObjects('d')).pending.objects).toBe(1);
      await writer.putObjects([objectRecord('d', 'b')]);
      expect((await reader.countObjects('d')).pending.objects).toBe(2);
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  it('refuses a state file of an older schema, which only a writing open upgrades', async () => {
    writeOldState(file, SCHEMA_VERSION - 1);
    const err = await refusedUntouched(
      () => openSqliteStateStore(file, { readOnly: true }),
      file,
      new RegExp(`schema version ${SCHEMA_VERSION - 1}, older than this cloudexit's \\(${SCHEMA_VERSION}\\)`),
    );
    expect(err.fix).toMatch(/run a command that writes the state/);
  });

  it('refuses a state file of a newer schema', async () => {
    await writeState(file);
    const db = new DatabaseSync(file);
    db.prepare('INSERT INTO schema_version VALUES (?, ?, ?)').run(SCHEMA_VERSION + 1, 'future', '2030-01-01T00:00:00Z');
    db.exec('PRAGMA journal_mode = DELETE');
    db.close();
    await refusedUntouched(
      () => openSqliteStateStore(file, { readOnly: true }),
      file,
      /newer than this cloudexit knows.*upgrade cloudexit/,
    );
  });

  it('reads a state whose creator was killed before its first checkpoint (marked only in the WAL)', async () => {
    const child = spawn(process.execPath, [CHILD, file, 'record-then-die', 'd'], { stdio: 'ignore' });
    await new Promise((resolve) => child.on('close', resolve));
    const header = await readFile(file);
    expect(header.readUInt32BE(68)).toBe(0); // the mark is still in the WAL only
    expect((await stat(`${file}-wal`)).size).toBeGreaterThan(32);
    const before = await snapshot(dir.path);

    const store = await openSqliteStateStore(file, { readOnly: true });
    expect(store.exists).toBe(true);
    expect((await store.getObjects('d', ['big.bin'])).get('big.bin')?.status).toBe('copied');
    await store.close();
    const after = await snapshot(dir.path);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(after['state.db']).toBe(before['state.db']);

    const writer = await openSqliteStateStore(file); // and a writing open takes it over as well
    expect((await writer.countObjects('d')).copied.objects).toBe(1);
    await writer.close();
  });
});

describe('files that are not a cloudexit state, refused and left byte for byte', () => {
  for (const [mode, open] of MODES) {
    describe(mode, () => {
      it("another application's SQLite database", async () => {
        writeForeignDatabase(file);
        await refusedUntouched(
          () => open(file),
          file,
          /is a SQLite database but not a cloudexit state file \(it has tables of its own\); it was left as it is/,
        );
      });

      it("another application's SQLite database in WAL mode", async () => {
        writeForeignDatabase(file, { wal: true });
        expect(journalModeInHeader(await readFile(file))).toBe('wal');
        await refusedUntouched(() => open(file), file, /not a cloudexit state file/);
      });

      it('a SQLite database marked by another application', async () => {
        writeForeignDatabase(file, { applicationId: 0x12345678 });
        await refusedUntouched(
          () => open(file),
          file,
          /not a cloudexit state file \(another application marked it, application id 0x12345678\)/,
        );
      });

      it('a file that is not SQLite at all, long or short', async () => {
        await writeFile(file, 'dataset,key,size\n'.repeat(500));
        await refusedUntouched(() => open(file), file, /not a SQLite database, so not a cloudexit state file/);
        await writeFile(file, 'hello');
        await refusedUntouched(() => open(file), file, /not a SQLite database/);
      });

      it('a SQLite header on a damaged file', async () => {
        writeForeignDatabase(file);
        const bytes = await readFile(file);
        bytes.writeUInt32BE(STATE_APPLICATION_ID, 68); // claims to be a state
        bytes.fill(0xff, 100, 200); // but its schema page is garbage
        await writeFile(file, bytes);
        const before = await snapshot(dir.path);
        const err = await open(file).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(UserError);
        expect((err as UserError).where).toBe(file);
        expect(await snapshot(dir.path)).toEqual(before);
      });
    });
  }
});

describe('paths that cannot hold a state', () => {
  for (const [mode, open] of MODES) {
    describe(mode, () => {
      it('a path inside a regular file', async () => {
        const somefile = join(dir.path, 'somefile');
        await writeFile(somefile, 'not a folder');
        for (const path of [join(somefile, 'state.db'), join(somefile, 'deeper', 'state.db')]) {
          const err = await refusedUntouched(() => open(path), path, new RegExp(`${somefile} is a file, not a folder`));
          expect(err.fix).toContain(join(dir.path, 'state.db'));
        }
      });

      it('a folder', async () => {
        await mkdir(join(dir.path, 'states'));
        const path = join(dir.path, 'states');
        const err = await refusedUntouched(() => open(path), path, /is a folder, not a state file/);
        expect(err.fix).toContain(join(path, 'state.db'));
      });
    });
  }

  it.runIf(existsSync('/proc/self'))(
    'a place nobody can write (a folder or a file under /proc), without hanging',
    async () => {
      const folder = join('/proc', `cloudexit-test-${process.pid}`);
      const inFolder = join(folder, 'state.db');
      const err = await refusedUntouched(
        () => openSqliteStateStore(inFolder),
        inFolder,
        new RegExp(`cannot create the folder ${folder} for the state file`),
      );
      expect(err.fix).toMatch(/a place this user can write/);
      const direct = `${folder}.db`;
      await refusedUntouched(
        () => openSqliteStateStore(direct),
        direct,
        /cannot create or open the state file for writing/,
      );
      expect(existsSync(folder) || existsSync(direct)).toBe(false);
      // Read-only, nothing is there: a state not started.
      const reader = await openSqliteStateStore(direct, { readOnly: true });
      expect(reader.exists).toBe(false);
      await reader.close();
    },
  );

  it.skipIf(isRoot)('a folder this user cannot write (not as root: root writes anywhere)', async () => {
    const locked = join(dir.path, 'locked');
    await mkdir(locked);
    await chmod(locked, 0o555);
    await refusedUntouched(
      () => openSqliteStateStore(join(locked, 'state.db')),
      join(locked, 'state.db'),
      /cannot create or open the state file for writing/,
    );
    await refusedUntouched(
      () => openSqliteStateStore(join(locked, 'a', 'state.db')),
      join(locked, 'a', 'state.db'),
      /cannot create the folder/,
    );
  });

  it.skipIf(isRoot)('a WAL state file in a folder this user cannot write, read-only: copy it elsewhere', async () => {
    await writeState(file);
    await chmod(dir.path, 0o555);
    const err = await refusedUntouched(
      () => openSqliteStateStore(file, { readOnly: true }),
      file,
      /SQLite needs to create state.db-shm next to this WAL state file/,
    );
    expect(err.fix).toMatch(/copy the state file/);
  });

  it.skipIf(isRoot)('a state file this user cannot write', async () => {
    await writeState(file);
    await chmod(file, 0o444);
    await refusedUntouched(() => openSqliteStateStore(file), file, /cannot be written by this user/);
    const reader = await openSqliteStateStore(file, { readOnly: true });
    expect(reader.exists).toBe(true);
    await reader.close();
  });
});

describe('opening for writing', () => {
  it('creates the missing folders of a new state, and makes an empty file a state', async () => {
    const path = join(dir.path, 'a', 'b', 'state.db');
    const store = await openSqliteStateStore(path);
    expect(store).toMatchObject({ location: path, readOnly: false, exists: true });
    await store.close();
    await writeFile(file, '');
    const claimed = await openSqliteStateStore(file);
    await claimed.bind(emc2());
    await claimed.close();
    expect((await readFile(file)).readUInt32BE(68)).toBe(STATE_APPLICATION_ID);
  });

  it('upgrades a state file of any earlier schema version (4: before bindings), which keeps its data and can then be bound', async () => {
    for (let version = 1; version < SCHEMA_VERSION; version++) {
      const path = join(dir.path, `v${version}.db`);
      writeOldState(path, version, { wal: true });
      const store = await openSqliteStateStore(path);
      try {
        expect((await store.getObjects('d', ['a'])).get('a'), `v${version}`).toMatchObject({
          key: 'a',
          status: 'pending',
        });
        expect(await store.getBinding()).toBeUndefined();
        expect((await store.bind(emc2())).first).toBe(true);
      } finally {
        await store.close();
      }
      const raw = new DatabaseSync(path, { readOnly: true });
      expect(raw.prepare('SELECT max(version) AS v FROM schema_version').get()).toEqual({ v: SCHEMA_VERSION });
      raw.close();
      const reader = await openSqliteStateStore(path, { readOnly: true }); // now readable read-only too
      expect((await reader.getBinding())?.migration).toBe('emc2');
      await reader.close();
    }
  });

  it('keeps the rebinds append-only', async () => {
    const store = await openSqliteStateStore(file);
    await store.rebind(emc2(), 'first');
    await store.close();
    const raw = new DatabaseSync(file);
    try {
      expect(() => raw.exec("UPDATE binding_rebinds SET reason = 'other'")).toThrow(
        /append-only: a rebind cannot be changed/,
      );
      expect(() => raw.exec('DELETE FROM binding_rebinds')).toThrow(/append-only: a rebind cannot be deleted/);
    } finally {
      raw.close();
    }
  });
});
