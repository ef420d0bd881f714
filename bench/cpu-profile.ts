/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) into self time per owner — a package
 * of node_modules, a folder of src/, Node's internals, the garbage collector — and per
 * function: where a copier's CPU goes, per object, in figures a report can quote.
 */
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time by owner, largest first; `(idle)` left out of the total. */
  byOwner: SelfTime[];
  /** Self time by function (`name owner:line`), largest first. */
  byFunction: SelfTime[];
}

/** Who a function belongs to: `node_modules/@scope/pkg`, `src/stores`, `node:internal`, `(garbage collector)`… */
export function ownerOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const ours = /\/(src|bench|bin)\/([^/]+)\//.exec(url) ?? /\/(src|bench|bin)\/([^/]+)$/.exec(url);
  if (ours) return `${ours[1]}/${ours[2]!.replace(/\.ts$/, '')}`;
  if (url.startsWith('node:')) return url.startsWith('node:internal') ? 'node:internal' : url;
  return url;
}

export function summariseProfile(profile: Profile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const us = profile.timeDeltas[i] ?? 0;
    if (!node || node.callFrame.functionName === '(idle)') continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const owner = ownerOf(url, functionName);
    totalUs += us;
    owners.set(owner, (owners.get(owner) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'} ${owner}:${lineNumber + 1}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  }
  const sorted = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10 }));
  return { totalMs: Math.round(totalUs / 1000), byOwner: sorted(owners), byFunction: sorted(functions) };
}

export async function readProfile(file: string): Promise<Profile> {
  return JSON.parse(await readFile(file, 'utf8')) as Profile;
}

/** The summary as text, with each figure per object when `objects` is given. */
export function renderProfile(summary: ProfileSummary, objects: number): string {
  const line = (t: SelfTime) =>
    `  ${t.ms.toFixed(1).padStart(8)} ms  ${(t.ms / objects).toFixed(3).padStart(7)} ms/object  ${t.name}`;
  return [
    `CPU in the profile: ${summary.totalMs} ms (${(summary.totalMs / objects).toFixed(3)} ms per object)`,
    'by owner:',
    ...summary.byOwner.map(line),
    'by function:',
    ...summary.byFunction.map(line),
  ].join('\n');
}
