/** The `UploadLog` contract on a SQLite state file: the `uploads` and `upload_parts` tables. */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { PartRecord, UploadLog, UploadRecord } from './contracts/uploads.ts';
import { uploadFromRows } from './sqlite-rows.ts';
import type { WriteTransaction } from './sqlite-transaction.ts';

export class SqliteUploadLog implements UploadLog {
  readonly #db: DatabaseSync;
  readonly #write: WriteTransaction;
  readonly #getUpload: StatementSync;
  readonly #getParts: StatementSync;
  readonly #deleteUpload: StatementSync;
  readonly #insertUpload: StatementSync;
  readonly #upsertPart: StatementSync;

  constructor(db: DatabaseSync, write: WriteTransaction) {
    this.#db = db;
    this.#write = write;
    this.#getUpload = db.prepare('SELECT * FROM uploads WHERE dataset = ? AND key = ?');
    this.#getParts = db.prepare(
      'SELECT part_number, etag, md5, size FROM upload_parts WHERE dataset = ? AND key = ? ORDER BY part_number',
    );
    this.#deleteUpload = db.prepare('DELETE FROM uploads WHERE dataset = ? AND key = ?');
    this.#insertUpload = db.prepare(
      'INSERT INTO uploads (dataset, key, target_key, upload_id, part_size, source_etag, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    // Inserting through a SELECT on the upload row refuses a part of an upload that was
    // replaced meanwhile (a stale worker), in the same statement, without a race.
    this.#upsertPart = db.prepare(`INSERT INTO upload_parts (dataset, key, part_number, etag, md5, size)
      SELECT dataset, key, ?, ?, ?, ? FROM uploads WHERE dataset = ? AND key = ? AND upload_id = ?
      ON CONFLICT (dataset, key, part_number) DO UPDATE SET etag = excluded.etag, md5 = excluded.md5, size = excluded.size`);
  }

  async getUpload(dataset: string, key: string): Promise<UploadRecord | undefined> {
    // One read transaction so the upload and its parts come from the same moment.
    this.#db.exec('BEGIN');
    try {
      const row = this.#getUpload.get(dataset, key);
      return row && uploadFromRows(row, this.#getParts.all(dataset, key));
    } finally {
      this.#db.exec('COMMIT');
    }
  }

  async startUpload(upload: Omit<UploadRecord, 'parts'>): Promise<void> {
    this.#write(() => {
      // ON DELETE CASCADE drops the parts of the upload being replaced.
      this.#deleteUpload.run(upload.dataset, upload.key);
      this.#insertUpload.run(
        upload.dataset,
        upload.key,
        upload.targetKey,
        upload.uploadId,
        upload.partSize,
        upload.sourceEtag,
        upload.startedAt,
      );
    });
  }

  async recordPart(dataset: string, key: string, uploadId: string, part: PartRecord): Promise<void> {
    // An autocommit statement: committed to the WAL, hence durable, when run() returns.
    const { changes } = this.#upsertPart.run(part.partNumber, part.etag, part.md5, part.size, dataset, key, uploadId);
    if (changes === 0) {
      throw new Error(
        `cannot record part ${part.partNumber} of ${dataset}/${key}: upload ${uploadId} is not the upload in progress ` +
          '(it was cleared or replaced by a newer one); restart the copy of this object',
      );
    }
  }

  async clearUpload(dataset: string, key: string): Promise<void> {
    this.#deleteUpload.run(dataset, key);
  }
}
