/**
 * Instance flavors and images are named by people (`b3-16`, `Debian 12`) but created by id,
 * and ids differ per region. The component looks them up (`getFlavors`, `getImages`) and
 * these pure functions pick the one that matches, or say what to change.
 */

export interface CatalogueFlavor {
  id: string;
  name: string;
  available?: boolean;
}

export interface CatalogueImage {
  id: string;
  name: string;
  status?: string;
  creationDate?: string;
}

export function pickFlavorId(flavors: readonly CatalogueFlavor[] | undefined, name: string, region: string): string {
  const found = (flavors ?? []).find((f) => f.name === name && f.available !== false);
  if (!found)
    throw new Error(
      `no available instance flavor "${name}" in ${region}; ` +
        'change workers.size in the spec or the flavor table in src/infra/worker-fleet-placement.ts',
    );
  return found.id;
}

/** The newest active image of that exact name: images are republished with security updates. */
export function pickImageId(images: readonly CatalogueImage[] | undefined, name: string, region: string): string {
  const found = (images ?? [])
    .filter((i) => i.name === name && (i.status ?? 'active') === 'active')
    .sort((a, b) => (b.creationDate ?? '').localeCompare(a.creationDate ?? ''))[0];
  if (!found) throw new Error(`no active image "${name}" in ${region}; set the fleet's image to one the region lists`);
  return found.id;
}

/**
 * What `pulumi.runtime.setMocks` answers for the two look-ups, so the fleet can be declared
 * offline (tests, and `cloudexit parity` once src/infra/mocks.ts delegates to it).
 */
export function catalogueMockCall(token: string, args: Record<string, unknown>): Record<string, unknown> | undefined {
  const region = typeof args['region'] === 'string' ? args['region'] : 'REGION';
  if (token === 'ovh:CloudProject/getFlavors:getFlavors') {
    const name = typeof args['nameFilter'] === 'string' ? args['nameFilter'] : 'b3-16';
    return { flavors: [{ id: `flavor-${name}-${region}`, name, available: true }] };
  }
  if (token === 'ovh:CloudProject/getImages:getImages')
    return {
      images: [
        { id: `image-debian-12-old-${region}`, name: 'Debian 12', status: 'active', creationDate: '2025-01-01' },
        { id: `image-debian-12-${region}`, name: 'Debian 12', status: 'active', creationDate: '2026-06-01' },
      ],
    };
  return undefined;
}
