/**
 * Calling policies directly, as the policy engine would: the PolicyPack itself is never
 * constructed (its constructor starts a gRPC server).
 */
import type {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from '@pulumi/policy';
import type { ProgramRun } from './harness.ts';

export function args(
  type: string,
  props: Record<string, unknown>,
  config: object = {},
  name = 'test',
): ResourceValidationArgs {
  return {
    type,
    props,
    urn: `urn:pulumi:ovh-emc2::cloudexit-warehouse::${type}::${name}`,
    name,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => config as T,
    notApplicable: () => {
      throw new Error('not applicable');
    },
  };
}

export async function violations(policy: ResourceValidationPolicy, a: ResourceValidationArgs): Promise<string[]> {
  const found: string[] = [];
  const validators = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
  for (const v of validators) await v(a, (m) => found.push(m));
  return found;
}

export function resource(
  type: string,
  name: string,
  props: Record<string, unknown>,
  propertyDependencies: Record<string, PolicyResource[]> = {},
): PolicyResource {
  return {
    type,
    name,
    props,
    urn: `urn:pulumi:s::p::${type}::${name}`,
    opts: args(type, props).opts,
    dependencies: [],
    propertyDependencies,
    isType: () => false,
    asType: () => undefined,
  };
}

export async function stackViolations(
  policy: StackValidationPolicy,
  resources: PolicyResource[],
  config: object = {},
): Promise<string[]> {
  const found: string[] = [];
  await policy.validateStack(
    {
      resources,
      stackTags: new Map(),
      getConfig: <T extends object>() => config as T,
      notApplicable: () => {
        throw new Error('n/a');
      },
    },
    (m) => found.push(m),
  );
  return found;
}

/**
 * The resources of a program run as the policy engine sees them, with the property
 * dependencies and parents Pulumi records recreated from the ids the mocks handed out.
 */
export function asPolicyResources(run: ProgramRun): PolicyResource[] {
  const byId = new Map(run.resources.map((r) => [r.id, r]));
  const asPolicy = run.resources.map((r) => resource(r.type, r.name, { ...r.inputs, id: r.id }));
  for (const p of asPolicy)
    for (const [key, v] of Object.entries(p.props)) {
      const target = typeof v === 'string' ? byId.get(v) : undefined;
      if (target) p.propertyDependencies[key] = asPolicy.filter((x) => x.name === target.name);
    }
  return asPolicy;
}

/** Every violation every policy reports on `resources`, advisory ones included. */
export async function allViolations(
  policies: readonly (ResourceValidationPolicy | StackValidationPolicy)[],
  resources: PolicyResource[],
): Promise<string[]> {
  const found: string[] = [];
  for (const policy of policies) {
    if ('validateStack' in policy) found.push(...(await stackViolations(policy, resources)));
    else for (const p of resources) found.push(...(await violations(policy, args(p.type, p.props, {}, p.name))));
  }
  return found;
}
