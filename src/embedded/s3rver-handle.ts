/** Where a running s3rver answers, and the credentials it accepts. */
export interface S3rverHandle {
  /** e.g. `http://127.0.0.1:PORT`; use path-style addressing. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /**
   * `in-process` when this Node runs with the OpenSSL legacy provider, otherwise
   * `child-process` (see `startS3rver` in s3rver.ts).
   */
  mode: 'in-process' | 'child-process';
  stop(): Promise<void>;
}
