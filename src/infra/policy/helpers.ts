/**
 * Small pure helpers shared by the SecNumCloud policies: reading nested properties,
 * region matching, CIDR checks. Policies see resource *inputs* during `pulumi preview`,
 * where values computed by the cloud are still unknown; helpers treat those as absent.
 */
import type { ResourceValidationArgs } from '@pulumi/policy';
import { isPrivateCidr } from '../../warehouse/spec.ts';

/** The spec's own rule, so the spec, parity and the pack agree on what a private range is. */
export { isPrivateCidr };

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

export function strings(obj: unknown, ...path: string[]): string[] {
  const v = get(obj, ...path);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * `GRA9` is in `GRA`, `EU-WEST-PAR-A` in `EU-WEST-PAR`, `eu-west-par` in `EU-WEST-PAR`:
 * the same region, a datacentre or zone of it, in any case.
 */
export function regionAllowed(region: string, allowed: readonly string[]): boolean {
  const r = region.toUpperCase();
  return allowed.some((a) => {
    const x = a.toUpperCase();
    return r === x || (r.startsWith(x) && /^[-0-9]/.test(r.slice(x.length)));
  });
}

/** True for a range open to the whole internet. */
export function isAnywhere(cidr: string): boolean {
  const c = cidr.trim();
  return c === '0.0.0.0/0' || c === '::/0' || c === '0.0.0.0' || c === '*' || c === 'Internet' || c === 'Any';
}

/** The policy's config with defaults applied (the policy server does not apply schema defaults). */
export function config<T extends object>(args: Pick<ResourceValidationArgs, 'getConfig'>, defaults: T): T {
  return { ...defaults, ...args.getConfig<Partial<T>>() };
}
