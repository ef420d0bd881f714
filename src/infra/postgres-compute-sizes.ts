/**
 * PostgreSQL compute sizes on each host. The spec asks for vCPUs and memory; each host
 * sells named sizes, so the stacks pick the smallest catalogue size that covers the spec,
 * and `cloudexit parity` maps the name a stack declared back to vCPUs and memory.
 *
 * The tables are transcribed from the hosts' public catalogues for the sizes a warehouse
 * of this class uses; they are not fetched, so a size outside them is reported as
 * unknown rather than guessed. Extend them when you pick another size.
 */

export interface ComputeSize {
  readonly vcpus: number;
  readonly memoryGb: number;
}

/** Azure Database for PostgreSQL flexible server SKUs (General Purpose and Memory Optimized, Ddsv5/Edsv5). */
export const AZURE_POSTGRES_SKUS: Readonly<
  Record<string, ComputeSize & { tier: 'GeneralPurpose' | 'MemoryOptimized' }>
> = {
  Standard_D2ds_v5: { vcpus: 2, memoryGb: 8, tier: 'GeneralPurpose' },
  Standard_D4ds_v5: { vcpus: 4, memoryGb: 16, tier: 'GeneralPurpose' },
  Standard_D8ds_v5: { vcpus: 8, memoryGb: 32, tier: 'GeneralPurpose' },
  Standard_D16ds_v5: { vcpus: 16, memoryGb: 64, tier: 'GeneralPurpose' },
  Standard_E4ds_v5: { vcpus: 4, memoryGb: 32, tier: 'MemoryOptimized' },
  Standard_E8ds_v5: { vcpus: 8, memoryGb: 64, tier: 'MemoryOptimized' },
};

/** OVHcloud Public Cloud Databases flavors (b3 general purpose). */
export const OVH_POSTGRES_FLAVORS: Readonly<Record<string, ComputeSize>> = {
  'b3-8': { vcpus: 2, memoryGb: 8 },
  'b3-16': { vcpus: 4, memoryGb: 16 },
  'b3-32': { vcpus: 8, memoryGb: 32 },
  'b3-64': { vcpus: 16, memoryGb: 64 },
};

/** The smallest entry of `table` with at least the requested vCPUs and memory. */
export function smallestCovering<T extends ComputeSize>(
  table: Readonly<Record<string, T>>,
  want: ComputeSize,
): string | undefined {
  const fits = Object.entries(table)
    .filter(([, s]) => s.vcpus >= want.vcpus && s.memoryGb >= want.memoryGb)
    .sort(([, a], [, b]) => a.vcpus - b.vcpus || a.memoryGb - b.memoryGb);
  return fits[0]?.[0];
}

/** `4 vCPU / 16 GB`, or `unknown size "x"` when the table does not know the name. */
export function describeSize(table: Readonly<Record<string, ComputeSize>>, name: string | undefined): string {
  const size = name === undefined ? undefined : table[name];
  return size ? `${size.vcpus} vCPU / ${size.memoryGb} GB` : `unknown size "${name ?? ''}"`;
}
