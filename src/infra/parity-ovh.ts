/**
 * Facts of an OVHcloud warehouse, read from what its stack declared (resource inputs).
 * Where `@ovhcloud/pulumi-ovh` 2.19 has no field for a property, the fact says so and
 * names what compensates, instead of inventing a value.
 */
import type { DeclaredResource } from './declared.ts';
import {
  datasetOf,
  get,
  isPrivateCidr,
  num,
  ofType,
  periodDays,
  str,
  unsupported,
  value,
  type Fact,
  type HostFacts,
  type Property,
} from './parity-facts.ts';
import { describeSize, OVH_POSTGRES_FLAVORS } from './postgres-compute-sizes.ts';

export function ovhFacts(resources: readonly DeclaredResource[]): HostFacts {
  const facts = new Map<string, Map<Property, Fact>>();
  const lifecycles = new Map(
    ofType(
      resources,
      'ovh:index/cloudProjectStorageObjectBucketLifecycleConfiguration:CloudProjectStorageObjectBucketLifecycleConfiguration',
    ).map((r) => [str(r.inputs, 'containerName'), r.inputs]),
  );
  const keyName = str(ofType(resources, 'ovh:Okms/serviceKey:ServiceKey')[0]?.inputs, 'name');

  for (const bucket of ofType(resources, 'ovh:CloudProject/storage:Storage')) {
    const b = bucket.inputs;
    const f = new Map<Property, Fact>();
    const sse = str(b, 'encryption', 'sseAlgorithm');
    f.set(
      'encryption at rest',
      sse && sse.toLowerCase() !== 'plaintext' ? value('encrypted', `SSE ${sse}`) : value('not declared'),
    );
    f.set(
      'key holder',
      unsupported(
        'the OVH provider (2.19) has no customer-managed-key field for buckets: SSE uses a key OVHcloud holds',
        keyName
          ? `the stack's OKMS service key "${keyName}" can encrypt objects client-side before upload (not applied by the stack)`
          : 'none declared',
      ),
    );
    const versioning = str(b, 'versioning', 'status') === 'enabled';
    f.set('versioning', value(versioning ? 'on' : 'off', 'per bucket'));
    const noncurrent = (get(lifecycles.get(str(b, 'name')), 'rules') as unknown[] | undefined)
      ?.map((r) => num(r, 'noncurrentVersionExpiration', 'noncurrentDays'))
      .find((d) => d !== undefined);
    f.set(
      'recovery window',
      versioning && noncurrent
        ? value(`${noncurrent} days`, 'noncurrent versions expire after this many days')
        : value(
            versioning ? 'unbounded' : 'none',
            versioning ? 'noncurrent versions never expire' : 'no versioning: a deletion is final',
          ),
    );
    const lock = str(b, 'objectLock', 'status') === 'enabled';
    const lockDays = periodDays(str(b, 'objectLock', 'rule', 'period'));
    f.set(
      'immutability',
      lock
        ? value(
            `${str(b, 'objectLock', 'rule', 'mode') ?? 'no default mode'}, ${lockDays ?? '?'} days`,
            'S3 object lock',
          )
        : value('none'),
    );
    f.set(
      'network exposure',
      unsupported(
        'OVHcloud Object Storage endpoints are reachable from the internet; the provider has no setting to restrict a bucket to a private network',
        'no anonymous access is declared; every request must be signed with credentials whose S3 policy names these buckets only',
      ),
    );
    f.set(
      'TLS',
      unsupported(
        'the minimum TLS version of the S3 endpoint is not declarable in the provider',
        'the endpoint is HTTPS; check its TLS versions with a scanner after deployment',
      ),
    );
    f.set(
      'audit logging',
      unsupported(
        'the OVH provider has no access-logging setting for buckets',
        'database logs go to Logs Data Platform; audit bucket access outside Pulumi (not checked by code)',
      ),
    );
    facts.set(`dataset ${datasetOf(bucket, 'name')}`, f);
  }

  const db = ofType(resources, 'ovh:CloudProject/database:Database')[0];
  if (db) {
    const d = db.inputs;
    const f = new Map<Property, Fact>();
    const plan = str(d, 'plan') ?? '?';
    f.set(
      'encryption at rest',
      unsupported(
        'the provider declares no encryption setting for managed databases',
        "the offer's own encryption at rest: verify in its documentation (not checked by code)",
      ),
    );
    f.set(
      'key holder',
      unsupported(
        'the provider has no customer-managed-key field for managed databases',
        'keys are held by OVHcloud; restrict who can restore backups instead',
      ),
    );
    const nodes = (get(d, 'nodes') as unknown[] | undefined) ?? [];
    const restrictions = ((get(d, 'ipRestrictions') as unknown[] | undefined) ?? []).map((r) => str(r, 'ip') ?? '');
    const privateOnly =
      nodes.length > 0 &&
      nodes.every((n) => get(n, 'networkId') !== undefined && get(n, 'subnetId') !== undefined) &&
      restrictions.every(isPrivateCidr);
    f.set(
      'network exposure',
      value(
        privateOnly ? 'private only' : 'public',
        `nodes on a private network; IP restrictions: ${restrictions.join(', ') || 'none'}`,
      ),
    );
    f.set(
      'TLS',
      unsupported(
        'the minimum TLS version is not declarable for managed databases in the provider',
        'the cluster reports sslMode in its endpoints output: check it is "require" after deployment',
      ),
    );
    f.set('version', value(`PostgreSQL ${str(d, 'version') ?? '?'}`));
    f.set('compute', value(describeSize(OVH_POSTGRES_FLAVORS, str(d, 'flavor')), str(d, 'flavor')));
    f.set('storage', value(`${num(d, 'diskSize') ?? '?'} GB`));
    f.set('high availability', value(nodes.length >= 2 ? 'on' : 'off', `${nodes.length} node(s), plan "${plan}"`));
    f.set(
      'backups',
      unsupported(
        'backup retention is set by the plan, not declarable in the provider',
        `plan "${plan}"; backups in ${((get(d, 'backupRegions') as string[] | undefined) ?? []).join(', ') || 'the node region'}`,
      ),
    );
    f.set(
      'audit logging',
      ofType(resources, 'ovh:CloudProjectDatabase/logSubscription:LogSubscription').length > 0
        ? value('on', 'PostgreSQL logs to Logs Data Platform')
        : value('off'),
    );
    const dbs = ofType(resources, 'ovh:CloudProjectDatabase/databaseInstance:DatabaseInstance').map(
      (r) => str(r.inputs, 'name') ?? r.name,
    );
    f.set('databases', value(dbs.sort().join(', ') || 'none'));
    facts.set('database', f);
  }

  if (keyName !== undefined) {
    const f = new Map<Property, Fact>();
    f.set('key service', value('customer-managed', 'OKMS service key'));
    f.set(
      'rotation',
      unsupported(
        'the provider has no rotation setting for OKMS service keys',
        'rotate through the OKMS API on a schedule (outside Pulumi)',
      ),
    );
    facts.set('keys', f);
  }
  return { host: 'ovh', facts };
}
