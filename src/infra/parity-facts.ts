/**
 * The vocabulary parity compares in: for each subject (a dataset, the database, the
 * keys) and each property, either a normalised value or the statement that the host
 * cannot declare it, with what compensates. Extractors (parity-azure.ts,
 * parity-ovh.ts) turn declared resources into these facts.
 */
import type { DeclaredResource } from './declared.ts';
import type { HostName } from './settings.ts';

export type Fact =
  | { kind: 'value'; value: string; detail?: string }
  | { kind: 'unsupported'; reason: string; compensation: string };

export const DATASET_PROPERTIES = ['encryption at rest', 'key holder', 'versioning', 'recovery window', 'immutability', 'network exposure', 'TLS', 'audit logging'] as const;
export const DATABASE_PROPERTIES = ['encryption at rest', 'key holder', 'network exposure', 'TLS', 'version', 'compute', 'storage', 'high availability', 'backups', 'audit logging', 'databases'] as const;
export const KEY_PROPERTIES = ['key service', 'rotation'] as const;
export type Property = (typeof DATASET_PROPERTIES)[number] | (typeof DATABASE_PROPERTIES)[number] | (typeof KEY_PROPERTIES)[number];

/** `dataset hcl`, `database`, `keys`. */
export type Subject = string;

export interface HostFacts {
  host: HostName;
  /** Subject → property → fact, in declaration order. */
  facts: Map<Subject, Map<Property, Fact>>;
}

export function value(v: string, detail?: string): Fact {
  return detail === undefined ? { kind: 'value', value: v } : { kind: 'value', value: v, detail };
}

export function unsupported(reason: string, compensation: string): Fact {
  return { kind: 'unsupported', reason, compensation };
}

/** Which host a set of declared resources belongs to, from their type tokens. */
export function hostOf(resources: readonly DeclaredResource[]): HostName | undefined {
  if (resources.some((r) => r.type.startsWith('azure-native:'))) return 'azure';
  if (resources.some((r) => r.type.startsWith('ovh:'))) return 'ovh';
  return undefined;
}

export function ofType(resources: readonly DeclaredResource[], type: string): DeclaredResource[] {
  return resources.filter((r) => r.type === type);
}

/** Reads a nested input (`get(r.inputs, 'encryption', 'services', 'blob', 'enabled')`). */
export function get(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export function str(obj: unknown, ...path: string[]): string | undefined {
  const v = get(obj, ...path);
  return typeof v === 'string' ? v : undefined;
}

export function num(obj: unknown, ...path: string[]): number | undefined {
  const v = get(obj, ...path);
  return typeof v === 'number' ? v : undefined;
}

/** Days of an ISO 8601 period (`P30D`, `P1Y`, `P2W`), for object-lock periods. */
export function periodDays(period: string | undefined): number | undefined {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(period ?? '');
  if (!m || period === 'P') return undefined;
  const [, y, mo, w, d] = m.map((x) => Number(x ?? 0));
  return (y ?? 0) * 365 + (mo ?? 0) * 30 + (w ?? 0) * 7 + (d ?? 0);
}

/** True for RFC 1918 IPv4 ranges; `0.0.0.0/0` and public ranges are not private. */
export function isPrivateCidr(cidr: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}\/(\d{1,2})$/.exec(cidr);
  if (!m) return false;
  const [a, b, bits] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (a === 10) return bits >= 8;
  if (a === 172) return b >= 16 && b <= 31 && bits >= 12;
  if (a === 192) return b === 168 && bits >= 16;
  return false;
}

/** Dataset of a container or bucket: its `dataset` tag or metadata, else the name after the warehouse prefix. */
export function datasetOf(r: DeclaredResource, nameField: string): string {
  const tagged = str(r.inputs, 'tags', 'dataset') ?? str(r.inputs, 'metadata', 'dataset');
  if (tagged) return tagged;
  const name = str(r.inputs, nameField) ?? r.name;
  return name.includes('-') ? name.slice(name.indexOf('-') + 1) : name;
}
