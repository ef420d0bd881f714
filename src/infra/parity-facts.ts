/**
 * The vocabulary parity compares in: for each subject (a dataset, the database, the
 * keys) and each property, either a normalised value or the statement that the host
 * cannot declare it, with what compensates. Extractors (parity-azure.ts,
 * parity-ovh.ts) turn declared resources into these facts.
 */
import type { DeclaredResource } from './declared.ts';
import type { HostName } from './settings.ts';
// Resource inputs are read the way the policy pack reads them, and a private range is the spec's.
import { get, str } from './policy/helpers.ts';
import { isPrivateCidr } from '../warehouse/spec.ts';

export { get, isPrivateCidr, str };

export type Fact =
  { kind: 'value'; value: string; detail?: string } | { kind: 'unsupported'; reason: string; compensation: string };

type DatasetProperty =
  | 'encryption at rest'
  | 'key holder'
  | 'versioning'
  | 'recovery window'
  | 'immutability'
  | 'network exposure'
  | 'TLS'
  | 'audit logging';
type DatabaseProperty =
  | 'encryption at rest'
  | 'key holder'
  | 'network exposure'
  | 'TLS'
  | 'version'
  | 'compute'
  | 'storage'
  | 'high availability'
  | 'backups'
  | 'audit logging'
  | 'databases';
type KeyProperty = 'key service' | 'rotation';
export type Property = DatasetProperty | DatabaseProperty | KeyProperty;

/** `dataset hcl`, `database`, `keys`. */
type Subject = string;

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

/** Dataset of a container or bucket: its `dataset` tag or metadata, else the name after the warehouse prefix. */
export function datasetOf(r: DeclaredResource, nameField: string): string {
  const tagged = str(r.inputs, 'tags', 'dataset') ?? str(r.inputs, 'metadata', 'dataset');
  if (tagged) return tagged;
  const name = str(r.inputs, nameField) ?? r.name;
  return name.includes('-') ? name.slice(name.indexOf('-') + 1) : name;
}
