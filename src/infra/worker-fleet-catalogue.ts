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
