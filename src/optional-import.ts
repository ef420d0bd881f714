/**
 * Packages that only some commands need — the emulators behind `rehearse`, the Pulumi SDK
 * and providers behind `parity` — are optional peer dependencies: a clone gets them with
 * `npm ci`, a production install may leave them out. A command that needs a missing one
 * stops with the exact install command instead of a module-resolution stack trace.
 */
import { UserError } from './errors.ts';
import { packageManifest } from './package-root.ts';

/**
 * Runs `load` (a dynamic `import()` of a module that imports `packages`) and turns a
 * missing package among them into a `UserError` naming the command to run.
 * @param what the command or feature that needs them, for the message, e.g. `cloudexit rehearse`
 */
export async function importOptional<T>(load: () => Promise<T>, packages: readonly string[], what: string): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const missing = missingPackage(err, packages);
    if (missing === undefined) throw err;
    const pinned = packages.map((p) => `${p}@${packageManifest().peerDependencies?.[p] ?? 'latest'}`).join(' ');
    throw new UserError(`${what} needs the package ${missing}, which is not installed here`, {
      fix: `npm install --no-save ${pinned} (a clone has them after \`npm ci\`)`,
    });
  }
}

function missingPackage(err: unknown, packages: readonly string[]): string | undefined {
  const { code, message } = err as { code?: string; message?: string };
  if (code !== 'ERR_MODULE_NOT_FOUND' || typeof message !== 'string') return undefined;
  // Node names the package it could not find: "Cannot find package 'azurite' imported from …".
  return packages.find((p) => message.includes(`'${p}'`));
}
