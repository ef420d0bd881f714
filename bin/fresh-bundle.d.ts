// Types of fresh-bundle.js (plain JavaScript, run before any TypeScript loads), for scripts/build.ts.
export declare const STAMP_FILE: string;
export declare const BUNDLE_ENTRY: string;
export declare const STAMPED_EXTRAS: readonly string[];
/** `[path relative to root, size, mtimeMs]`. */
export type FileStamp = [file: string, size: number, mtimeMs: number];
/** The stamp of a file that is not there. */
export declare function absent(file: string): FileStamp;
export declare function fileStamp(root: string, file: string): FileStamp | undefined;
export declare function freshBundle(
  root: string,
): { entry: string; stale?: undefined } | { stale: string; entry?: undefined };
