/** The `UploadLog` contract on a PostgreSQL state: the `uploads` and `upload_parts` tables. */
import type pg from 'pg';
import type { PartRecord, UploadLog, UploadRecord } from './contracts/uploads.ts';
import type { PgTransaction } from './postgres-schema.ts';
import { uploadFromRows, type Row } from './records.ts';

export class PostgresUploadLog implements UploadLog {
  readonly #pool: pg.Pool;
  readonly #write: PgTransaction;

  constructor(pool: pg.Pool, write: PgTransaction) {
    this.#pool = pool;
    this.#write = write;
  }

  async getUpload(dataset: string, key: string): Promise<UploadRecord | undefined> {
    // One statement, hence one snapshot: the upload and its parts from the same moment.
    const { rows } = await this.#pool.query(
      `SELECT u.*, (
         SELECT coalesce(json_agg(json_build_object(
           'part_number', p.part_number, 'etag', p.etag, 'md5', p.md5, 'size', p.size) ORDER BY p.part_number), '[]')
         FROM upload_parts p WHERE p.dataset = u.dataset AND p.key = u.key
       ) AS parts
       FROM uploads u WHERE u.dataset = $1 AND u.key = $2`,
      [dataset, key],
    );
    const row = rows[0] as (Row & { parts: Row[] }) | undefined;
    return row && uploadFromRows(row, row.parts);
  }

  async startUpload(upload: Omit<UploadRecord, 'parts'>): Promise<void> {
    await this.#write(async (client) => {
      // ON DELETE CASCADE drops the parts of the upload being replaced.
      await client.query('DELETE FROM uploads WHERE dataset = $1 AND key = $2', [upload.dataset, upload.key]);
      await client.query(
        `INSERT INTO uploads (dataset, key, target_key, upload_id, part_size, source_etag, started_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          upload.dataset,
          upload.key,
          upload.targetKey,
          upload.uploadId,
          upload.partSize,
          upload.sourceEtag,
          upload.startedAt,
        ],
      );
    });
  }

  async recordPart(dataset: string, key: string, uploadId: string, part: PartRecord): Promise<void> {
    // Inserting through a SELECT on the upload row refuses a part of an upload that was
    // replaced meanwhile (a stale worker), in the same statement; the foreign key keeps a
    // concurrent replacement from slipping in between.
    const { rowCount } = await this.#pool.query(
      `INSERT INTO upload_parts (dataset, key, part_number, etag, md5, size)
       SELECT dataset, key, $1, $2, $3, $4 FROM uploads WHERE dataset = $5 AND key = $6 AND upload_id = $7
       ON CONFLICT (dataset, key, part_number) DO UPDATE SET etag = excluded.etag, md5 = excluded.md5, size = excluded.size`,
      [part.partNumber, part.etag, part.md5, part.size, dataset, key, uploadId],
    );
    if (rowCount === 0) {
      throw new Error(
        `cannot record part ${part.partNumber} of ${dataset}/${key}: upload ${uploadId} is not the upload in progress ` +
          '(it was cleared or replaced by a newer one); restart the copy of this object',
      );
    }
  }

  async clearUpload(dataset: string, key: string): Promise<void> {
    await this.#pool.query('DELETE FROM uploads WHERE dataset = $1 AND key = $2', [dataset, key]);
  }
}
