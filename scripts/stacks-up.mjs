#!/usr/bin/env node
/**
 * Brings both warehouse stacks up, in order: the Azure source (azure-emc2), then the
 * OVHcloud target (ovh-emc2), each with `pulumi preview` then `pulumi up`, the target's
 * preview under the SecNumCloud policy pack. Then writes each stack's outputs to
 * `.cloudexit/stacks/<stack>.outputs.json`, where cloudexit reads endpoints from
 * (secrets stay "[secret]": nothing secret is written to disk).
 *
 *   node scripts/stacks-up.mjs            # previews, then `pulumi up` asks before changing anything
 *   node scripts/stacks-up.mjs --yes      # non-interactive (CI): up without asking
 *   node scripts/stacks-up.mjs --preview-only
 *   node scripts/stacks-up.mjs --stacks ovh-emc2
 *
 * Stops before touching anything when the pulumi CLI, a Pulumi backend login, or cloud
 * credentials are missing, and says which and how to fix it.
 */
import { $, argv, fs, path, which } from 'zx';

const root = path.resolve(import.meta.dirname, '..');
const ALL_STACKS = ['azure-emc2', 'ovh-emc2'];
const TARGETS = new Set(['ovh-emc2']);
const stacks = argv.stacks ? String(argv.stacks).split(',') : ALL_STACKS;
const outDir = path.join(root, '.cloudexit', 'stacks');

function fail(message, fix) {
  process.stderr.write(`error: ${message}\n  fix: ${fix}\n`);
  process.exit(2);
}

// The program and the policy pack are TypeScript run directly by Node 24; the pulumi
// language host starts the `node` on PATH, so put the project's Node 24 first.
process.env.PATH = `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`;
$.cwd = root;
$.env = process.env;

const unknown = stacks.filter((s) => !ALL_STACKS.includes(s));
if (unknown.length > 0) fail(`unknown stack ${unknown.join(', ')}`, `use --stacks with ${ALL_STACKS.join(' and/or ')}`);
if (Number(process.versions.node.split('.')[0]) < 24)
  fail(
    `Node ${process.version} cannot run the TypeScript program`,
    'run through npm so the pinned Node 24 is used: npx zx scripts/stacks-up.mjs, or put node_modules/.bin first on PATH',
  );
if (!(await which('pulumi', { nothrow: true })))
  fail(
    'the pulumi CLI is not installed or not on PATH',
    'install it (see pulumi.com/docs/install) and run `pulumi version`',
  );
const whoami = await $({ nothrow: true, quiet: true })`pulumi whoami --non-interactive`;
if (whoami.exitCode !== 0)
  fail(
    'not logged in to a Pulumi backend',
    'run `pulumi login` (or set PULUMI_ACCESS_TOKEN, or `pulumi login file://...` for a self-managed backend)',
  );

/** Names of credentials a stack needs, checked by presence only: values are never read or printed. */
async function missingCredentials(stack) {
  const env = (...names) => names.every((n) => Boolean(process.env[n]));
  if (stack.startsWith('azure')) {
    if (env('ARM_CLIENT_ID', 'ARM_TENANT_ID', 'ARM_SUBSCRIPTION_ID')) return undefined;
    const az = await $({ nothrow: true, quiet: true })`az account show --only-show-errors`;
    return az.exitCode === 0
      ? undefined
      : 'Azure: no ARM_CLIENT_ID/ARM_TENANT_ID/ARM_SUBSCRIPTION_ID and no `az login` session';
  }
  if (
    env('OVH_APPLICATION_KEY', 'OVH_APPLICATION_SECRET', 'OVH_CONSUMER_KEY') ||
    env('OVH_CLIENT_ID', 'OVH_CLIENT_SECRET')
  )
    return undefined;
  const configured = await $({ nothrow: true, quiet: true })`pulumi config get ovh:applicationKey --stack ${stack}`;
  return configured.exitCode === 0
    ? undefined
    : 'OVHcloud: no OVH_APPLICATION_KEY/OVH_APPLICATION_SECRET/OVH_CONSUMER_KEY (or OVH_CLIENT_ID/OVH_CLIENT_SECRET), and no ovh:applicationKey in the stack config';
}

for (const stack of stacks) {
  const missing = await missingCredentials(stack);
  if (missing)
    fail(
      `missing credentials for ${stack}: ${missing}`,
      'export them in this shell (or `pulumi config set --secret ovh:applicationSecret ...`), never in a committed file',
    );
}

await fs.mkdirp(outDir);
for (const stack of stacks) {
  const policy = TARGETS.has(stack) ? ['--policy-pack', path.join('src', 'infra', 'policy')] : [];
  process.stdout.write(`\n== ${stack}: preview${policy.length ? ' (SecNumCloud policy pack)' : ''}\n`);
  await $({ verbose: true })`pulumi preview --stack ${stack} --non-interactive --diff ${policy}`;
  if (argv['preview-only']) continue;
  process.stdout.write(`\n== ${stack}: up\n`);
  if (argv.yes) await $({ verbose: true })`pulumi up --stack ${stack} --yes --non-interactive ${policy}`;
  else await $({ verbose: true, stdio: 'inherit' })`pulumi up --stack ${stack} ${policy}`;
  const outputs = await $({ quiet: true })`pulumi stack output --stack ${stack} --json`;
  const file = path.join(outDir, `${stack}.outputs.json`);
  await fs.writeFile(file, outputs.stdout);
  process.stdout.write(`outputs of ${stack} written to ${path.relative(root, file)}\n`);
}
