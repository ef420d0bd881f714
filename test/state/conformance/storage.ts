/**
 * What the conformance suites ask of a state implementation, so that SQLite today and
 * PostgreSQL later run the very same tests: fresh, empty storages that can be connected
 * to more than once ("close and reopen", "two workers on one storage" are part of the
 * contracts, so a suite needs more than one handle on the same storage).
 */
import { afterEach, beforeEach } from 'vitest';

export interface Closable {
  /** Closing twice is no error (the suites close everything they opened after each test). */
  close(): Promise<void>;
}

/** One storage: a SQLite file, a PostgreSQL database or schema. */
export interface TestStorage<T> {
  /** Opens a new handle on this storage; every handle sees what the others wrote. */
  connect(): Promise<T & Closable>;
  /** Deletes the storage, once every handle is closed. */
  destroy(): Promise<void>;
}

/** Makes a new, empty storage; called once per test. */
export type CreateStorage<T> = () => Promise<TestStorage<T>>;

/** The store a test works with, and ways to get more handles on its storage. */
export interface StorageFixture<T> {
  /** The handle opened before the test (or by the last `reopen`). */
  readonly store: T;
  /** Another handle on the same storage, closed after the test. */
  connect(): Promise<T>;
  /** Closes `store` and opens a new handle in its place: what survives this is durable. */
  reopen(): Promise<T>;
}

/**
 * Gives each test of the calling `describe` a fresh storage with one open handle, and
 * closes every handle and destroys the storage afterwards.
 */
export function useStorage<T>(create: CreateStorage<T>): StorageFixture<T> {
  let storage: TestStorage<T> | undefined;
  let current: (T & Closable) | undefined;
  let opened: Closable[] = [];
  const connect = async (): Promise<T & Closable> => {
    if (!storage) throw new Error('the storage exists only while a test runs');
    const handle = await storage.connect();
    opened.push(handle);
    return handle;
  };
  beforeEach(async () => {
    storage = await create();
    current = await connect();
  });
  afterEach(async () => {
    for (const handle of opened) await handle.close();
    opened = [];
    current = undefined;
    await storage?.destroy();
    storage = undefined;
  });
  return {
    get store(): T {
      if (!current) throw new Error('the store exists only while a test runs');
      return current;
    },
    connect,
    async reopen() {
      await current?.close();
      current = await connect();
      return current;
    },
  };
}
