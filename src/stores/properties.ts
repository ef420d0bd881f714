/** Normalising what stores report about objects, shared by the adapters. */

/** The ETag without the quotes HTTP puts around it. */
export function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/"/g, '');
}

/** The whole object's size from a `Content-Range: bytes a-b/size` header. */
export function totalSize(contentRange: string | undefined): number | undefined {
  const match = contentRange?.match(/\/(\d+)$/);
  return match ? Number(match[1]) : undefined;
}

/** User metadata with lower-case names, as the ObjectStore contract promises on every store. */
export function lowerCaseNames(metadata: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!metadata) return undefined;
  return Object.fromEntries(Object.entries(metadata).map(([name, value]) => [name.toLowerCase(), value]));
}
