/**
 * Tags every taggable resource of a warehouse carries, on either host: who it belongs
 * to and that this toolkit manages it. Dataset-level tags (`dataset`, `classification`)
 * are added by the builders; `cloudexit parity --from-state` reads them back.
 */
import type { ObjectDataset, WarehouseSpec } from '../warehouse/spec.ts';

export function warehouseTags(spec: Pick<WarehouseSpec, 'name'>): Record<string, string> {
  return { warehouse: spec.name, 'managed-by': 'cloudexit' };
}

export function datasetTags(spec: Pick<WarehouseSpec, 'name'>, dataset: ObjectDataset): Record<string, string> {
  return { ...warehouseTags(spec), dataset: dataset.name, classification: dataset.classification };
}
