/**
 * What is at a `--state` path, found without SQLite touching the file, and the user errors
 * of state paths: a folder, a path inside a file, a place this user cannot write, a file
 * that is not a cloudexit state. Every refusal here leaves the file system as it was.
 */
import { constants } from 'node:fs';
import { access, open, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.ts';
import { makeFolder, removeFolders } from '../make-folder.ts';

/**
 * Marks a SQLite file as a cloudexit state file (`PRAGMA application_id`, ASCII "CXST"), so
 * `--state` pointed at some other database fails instead of gaining our tables.
 */
export const STATE_APPLICATION_ID = 0x43585354;

/**
 * What the path holds, as far as the bytes of the file tell:
 * - `missing`: nothing there;
 * - `empty`: an empty file, or a SQLite database with no table and no application id;
 * - `state`: a SQLite database marked as a cloudexit state;
 * - `unsure`: a SQLite database with no application id in the file itself but a write-ahead
 *   log with content (e.g. a state created by a process killed before the log was copied
 *   into the file): only SQLite, reading the log, can tell.
 */
export type StateFileKind = 'missing' | 'empty' | 'state' | 'unsure';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
/** Size of a WAL file's header; frames follow it. */
const WAL_HEADER_BYTES = 32;

const FIX_STATE_PATH = 'point --state at the state file of this migration, or at a new file in a folder you can write';

/** Why a file is not a cloudexit state, for `notAStateFile`. */
export const NOT_A_STATE = {
  notSqlite: 'this file is not a SQLite database, so not a cloudexit state file',
  foreignTables: 'this file is a SQLite database but not a cloudexit state file (it has tables of its own)',
  foreignApplication: (id: number): string =>
    `this file is a SQLite database but not a cloudexit state file (another application marked it, application id 0x${id.toString(16)})`,
};

/** The refusal for a file that is not a cloudexit state (the file is left as it is). */
export function notAStateFile(location: string, why: string): UserError {
  return new UserError(`${why}; it was left as it is`, { where: location, fix: FIX_STATE_PATH });
}

/**
 * Looks at `location` (an absolute path) with plain file reads: the SQLite header
 * (https://www.sqlite.org/fileformat.html) says whether it is a SQLite database, which
 * application marked it, and, when unmarked, whether its schema is empty. Throws a
 * `UserError` for a folder, a path through a file, anything but a regular file, a file
 * that is not SQLite, and another application's database.
 */
export async function inspectStateFile(location: string): Promise<StateFileKind> {
  let size: number;
  try {
    const info = await stat(location);
    if (info.isDirectory()) {
      throw new UserError('the state path is a folder, not a state file', {
        where: location,
        fix: `point --state at a file, e.g. ${join(location, 'state.db')}`,
      });
    }
    if (!info.isFile())
      throw new UserError('the state path is not a regular file', { where: location, fix: FIX_STATE_PATH });
    size = info.size;
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = errnoCode(err);
    if (code === 'ENOENT') return 'missing';
    if (code === 'ENOTDIR') throw await throughAFile(location);
    throw pathError(location, `cannot look at the state file (${code ?? String(err)})`, err);
  }

  const walHasFrames = (await fileSize(`${location}-wal`)) > WAL_HEADER_BYTES;
  if (size === 0) return walHasFrames ? 'unsure' : 'empty';
  let header: Buffer;
  try {
    header = await readStart(location, 108);
  } catch (err) {
    throw pathError(location, `cannot read the state file (${errnoCode(err) ?? String(err)})`, err);
  }
  if (header.length < 108 || !header.subarray(0, 16).equals(SQLITE_MAGIC))
    throw notAStateFile(location, NOT_A_STATE.notSqlite);
  const applicationId = header.readUInt32BE(68);
  if (applicationId === STATE_APPLICATION_ID) return 'state';
  if (applicationId !== 0) throw notAStateFile(location, NOT_A_STATE.foreignApplication(applicationId));
  if (walHasFrames) return 'unsure';
  // Page 1 holds the schema table: a leaf (0x0d) with no cell is a database with no table.
  const schemaIsEmpty = header[100] === 0x0d && header.readUInt16BE(103) === 0;
  if (!schemaIsEmpty) throw notAStateFile(location, NOT_A_STATE.foreignTables);
  return 'empty';
}

/**
 * Creates the missing folders above `location` (make-folder.ts: one level at a time, as
 * Node's recursive mkdir loops forever under /proc), and returns a function that removes
 * again the folders it created.
 */
export async function createParentFolders(location: string): Promise<() => Promise<void>> {
  let made: string[];
  try {
    made = makeFolder(dirname(location));
  } catch (err) {
    const code = errnoCode(err);
    // A file where a folder should be, or on the way to it (`somefile/state.db`).
    if (code === 'ENOTDIR' || code === 'EEXIST') throw await throughAFile(location);
    const dir = (err as NodeJS.ErrnoException).path ?? dirname(location);
    const error = new UserError(`cannot create the folder ${dir} for the state file (${code ?? String(err)})`, {
      where: location,
      fix: `point --state at a place this user can write, or create ${dir} with write permission for this user`,
    });
    error.cause = err;
    throw error;
  }
  return async () => removeFolders(made);
}

/**
 * Throws a `UserError` when this user cannot write the existing file at `location`: SQLite
 * would open it read-only without a word, and the first write would fail mid-command.
 */
export async function checkWritable(location: string): Promise<void> {
  try {
    await access(location, constants.W_OK);
  } catch (err) {
    const error = new UserError(`the state file cannot be written by this user (${errnoCode(err) ?? String(err)})`, {
      where: location,
      fix: 'run the command as a user who can write the file and its folder, or use a command that only reads the state (status, runbook, audit verify)',
    });
    error.cause = err;
    throw error;
  }
}

/** The refusal for a path that goes through a regular file (`somefile/state.db`). */
async function throughAFile(location: string): Promise<UserError> {
  let file = dirname(location);
  while (dirname(file) !== file && !(await isRegularFile(file))) file = dirname(file);
  return new UserError(`the state file cannot be there: ${file} is a file, not a folder`, {
    where: location,
    fix: `point --state at a file in a folder (e.g. ${join(dirname(file), 'state.db')}), or move ${file} away`,
  });
}

/** A user error about the state path, for an operating system error while looking at it. */
export function pathError(location: string, message: string, cause: unknown): UserError {
  const error = new UserError(message, { where: location, fix: 'check the path given to --state and its permissions' });
  error.cause = cause;
  return error;
}

function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function isRegularFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** Up to `length` bytes from the start of the file, read only. */
async function readStart(path: string, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
