/**
 * The worker fleet's pure parts: cloud-init, systemd units and boot scripts (checked by the
 * real bash parser), sizing, placement, addresses, catalogue look-ups, the spec block.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fleetAddresses, stateUrl, workerEnvironment } from '../../src/infra/worker-fleet-args.ts';
import { pickFlavorId, pickImageId } from '../../src/infra/worker-fleet-catalogue.ts';
import {
  renderStateDatabaseUserData,
  renderWorkerUserData,
  userDataSecretFindings,
} from '../../src/infra/worker-fleet-cloud-init.ts';
import { stateDatabaseSize, statePlacement, workerFlavor } from '../../src/infra/worker-fleet-placement.ts';
import {
  fetchSecretsScript,
  installNodeScript,
  secretsUnit,
  setStateRoleScript,
  stateRoleUnit,
  WORKER_PATHS,
  workerUnit,
} from '../../src/infra/worker-fleet-systemd.ts';
import { loadWarehouseSpec } from '../../src/warehouse/load.ts';
import { warehouseSpec } from '../../src/warehouse/spec.ts';
import { SPEC_FILE } from './harness.ts';

const OKMS = {
  endpoint: 'https://eu-west-par.okms.ovh.net/',
  okmsId: '7f3a1c2e-0000-4000-8000-000000000001',
  secretPaths: ['cloudexit/emc2/workers/environment'],
  optionalSecretPaths: ['cloudexit/emc2/workers/source'],
};
const STATE_URL = stateUrl('10.41.0.5', 5432);

function worker(): string {
  return renderWorkerUserData({
    okms: OKMS,
    stateUrl: STATE_URL,
    plan: '/etc/cloudexit/plan.yaml',
    cloudexitPackage: 'cloudexit@0.1.0',
    nodeVersion: '24.11.1',
  });
}

interface CloudConfig {
  users: unknown[];
  packages: string[];
  write_files: { path: string; permissions: string; content: string }[];
  runcmd: string[][];
}

function cloudConfig(text: string): CloudConfig {
  expect(text.startsWith('#cloud-config\n')).toBe(true);
  return parse(text) as CloudConfig;
}

function file(doc: CloudConfig, path: string): string {
  const found = doc.write_files.find((f) => f.path === path);
  if (!found) throw new Error(`no ${path} in the user data`);
  return found.content;
}

/** `bash -n`: the real parser, so a quoting slip in a template fails here, not at boot. */
function bashParses(script: string): void {
  execFileSync('bash', ['-n'], { input: script });
}

describe('worker user data', () => {
  it('installs Node and cloudexit, creates the service user, enables the units without blocking cloud-init', () => {
    const doc = cloudConfig(worker());
    expect(doc.users).toContainEqual({
      name: 'cloudexit',
      system: true,
      shell: '/usr/sbin/nologin',
      homedir: WORKER_PATHS.home,
    });
    expect(doc.packages).toEqual(expect.arrayContaining(['curl', 'jq', 'xz-utils']));
    expect(doc.runcmd).toContainEqual([`${WORKER_PATHS.libexec}/install-node`, '24.11.1']);
    expect(doc.runcmd).toContainEqual([
      '/usr/local/bin/npm',
      'install',
      '--global',
      '--prefix',
      '/usr/local',
      'cloudexit@0.1.0',
    ]);
    expect(doc.runcmd).toContainEqual(['systemctl', 'enable', 'cloudexit-secrets.service', 'cloudexit-worker.service']);
    expect(doc.runcmd.at(-1)).toEqual(['systemctl', 'start', '--no-block', 'cloudexit-worker.service']);
  });

  it('runs `cloudexit worker --state --plan` as a service: own user, Restart=always, environment file', () => {
    const unit = file(cloudConfig(worker()), '/etc/systemd/system/cloudexit-worker.service');
    expect(unit).toContain(
      `ExecStart=/usr/local/bin/cloudexit worker --state "${STATE_URL}" --plan "/etc/cloudexit/plan.yaml"`,
    );
    expect(unit).toMatch(/^User=cloudexit$/m);
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(/^EnvironmentFile=\/run\/cloudexit\/worker\.env$/m);
    expect(unit).toMatch(/^Requires=cloudexit-secrets\.service$/m);
  });

  it('carries the OKMS coordinates, which are not secrets, and no secret at all', () => {
    const text = worker();
    const config = file(cloudConfig(text), WORKER_PATHS.okmsConfig);
    expect(config).toContain("OKMS_ENDPOINT='https://eu-west-par.okms.ovh.net'");
    expect(config).toContain("OKMS_SECRET_PATHS='cloudexit/emc2/workers/environment'");
    expect(config).toContain("OKMS_OPTIONAL_SECRET_PATHS='cloudexit/emc2/workers/source'");
    expect(userDataSecretFindings(text)).toEqual([]);
  });

  it('refuses a state URL that carries a password, rather than put it on a command line', () => {
    expect(() => workerUnit({ stateUrl: 'postgresql://w:hunter22@10.41.0.5/s', plan: '/p' })).toThrow(/PGPASSWORD/);
  });

  it('boot scripts parse in bash', () => {
    for (const script of [fetchSecretsScript(), installNodeScript(), setStateRoleScript('cloudexit_worker', 'db')])
      bashParses(script);
  });

  it('the fetch script reads OKMS with the machine certificate and writes the environment to tmpfs only', () => {
    const script = fetchSecretsScript();
    expect(script).toContain(`--cert ${WORKER_PATHS.okmsCert} --key ${WORKER_PATHS.okmsKey}`);
    expect(script).toContain(`mv "$tmp" ${WORKER_PATHS.envFile}`);
    expect(WORKER_PATHS.envFile.startsWith('/run/')).toBe(true);
    expect(script).toMatch(/^umask 077$/m);
  });
});

/** systemd's own checker, where this machine has it (Debian does): unknown keys, bad values. */
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('systemd units', () => {
  it.skipIf(!hasSystemdAnalyze)('pass `systemd-analyze verify`, apart from the programs installed at boot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudexit-units-'));
    try {
      const units = {
        'cloudexit-worker.service': workerUnit({ stateUrl: STATE_URL, plan: '/etc/cloudexit/plan.yaml' }),
        'cloudexit-secrets.service': secretsUnit(),
        'cloudexit-state-role.service': stateRoleUnit(),
      };
      for (const [unit, text] of Object.entries(units)) writeFileSync(join(dir, unit), text);
      const result = spawnSync('systemd-analyze', ['verify', ...Object.keys(units).map((u) => join(dir, u))], {
        encoding: 'utf8',
      });
      const complaints = `${result.stdout}${result.stderr}`
        .split('\n')
        .filter((line) => line.trim() !== '')
        // Not installed on this machine; cloud-init installs them on the worker.
        .filter(
          (line) => !/Command \/usr\/local\/(bin\/cloudexit|lib\/cloudexit\/[a-z-]+) is not executable/.test(line),
        );
      expect(complaints).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('state database user data', () => {
  const text = renderStateDatabaseUserData({
    okms: OKMS,
    fleetCidr: '10.41.0.0/24',
    listenAddress: '10.41.0.5',
    role: 'cloudexit_worker',
    database: 'cloudexit_state',
    maxConnections: 60,
  });

  it('listens on the private address only and admits TLS + SCRAM from the fleet network only', () => {
    const doc = cloudConfig(text);
    expect(doc.packages).toContain('postgresql');
    const conf = file(doc, '/etc/postgresql/cloudexit/conf.d/cloudexit.conf');
    expect(conf).toContain("listen_addresses = '10.41.0.5'");
    expect(conf).toContain("ssl_min_protocol_version = 'TLSv1.2'");
    expect(conf).toContain('max_connections = 60');
    const hba = file(doc, '/etc/postgresql/cloudexit/pg_hba.conf').trim().split('\n');
    expect(hba).toEqual([
      'local all postgres peer',
      'hostssl cloudexit_state cloudexit_worker 10.41.0.0/24 scram-sha-256',
    ]);
  });

  it('sets the role password from the environment file through stdin, and holds no secret itself', () => {
    const script = setStateRoleScript('cloudexit_worker', 'cloudexit_state');
    expect(script).toContain(`printf "ALTER ROLE cloudexit_worker WITH LOGIN PASSWORD '%s';\\n" "$pw"`);
    expect(userDataSecretFindings(text)).toEqual([]);
  });
});

describe('userDataSecretFindings', () => {
  it('names each kind of secret without echoing it, in plain and base64 user data', () => {
    const leaky = [
      '#cloud-config',
      'runcmd:',
      '  - [cloudexit, worker, --state, "postgresql://cloudexit_worker:s3cr3tpass@10.41.0.5/cloudexit_state"]',
      '  - echo CLOUDEXIT_TARGET_SECRET_ACCESS_KEY=abcd1234efgh5678 >> /etc/env',
      '  - echo "-----BEGIN PRIVATE KEY-----"',
      '  - curl "https://a.blob.core.windows.net/c?sv=2022&sig=AbCdEfGhIjKlMnOpQrSt%3D"',
    ].join('\n');
    const found = userDataSecretFindings(leaky);
    expect(found).toEqual([
      'a private key',
      'a password in a connection URL',
      'a password, secret or key assignment',
      'a SAS token signature',
    ]);
    expect(found.join(' ')).not.toContain('s3cr3tpass');
    expect(userDataSecretFindings(Buffer.from(leaky).toString('base64'))).toEqual(found);
    expect(
      userDataSecretFindings(
        workerEnvironment({ statePassword: 'pw-1234', targetAccessKeyId: 'AK', targetSecretAccessKey: 'sk-5678' }),
      ),
    ).toContain('a password, secret or key assignment');
  });
});

describe('sizing and placement', () => {
  it('places the state on a fleet machine wherever the managed offer is not listed as qualified', () => {
    expect(statePlacement('auto', 'EU-WEST-PAR')).toBe('instance');
    expect(statePlacement('auto', 'EU-WEST-PAR', ['EU-WEST-PAR'])).toBe('managed');
    expect(statePlacement('auto', 'eu-west-par-a', ['EU-WEST-PAR'])).toBe('managed');
    expect(statePlacement('managed', 'GRA')).toBe('managed');
    expect(statePlacement('instance', 'EU-WEST-PAR', ['EU-WEST-PAR'])).toBe('instance');
  });

  it('sizes workers from the catalogue and the state database from the fleet size', () => {
    expect(workerFlavor({ vcpus: 4, memoryGb: 16 })).toBe('b3-16');
    expect(workerFlavor({ vcpus: 3, memoryGb: 9 })).toBe('b3-16');
    expect(() => workerFlavor({ vcpus: 64, memoryGb: 512 })).toThrow(/worker-fleet-placement\.ts/);
    expect(stateDatabaseSize(10)).toEqual({ vcpus: 2, memoryGb: 8, maxConnections: 60 });
    expect(stateDatabaseSize(100)).toEqual({ vcpus: 4, memoryGb: 18, maxConnections: 420 });
  });

  it('puts the state database at a fixed address below the DHCP range of the fleet network', () => {
    expect(fleetAddresses('10.41.0.0/24')).toEqual({
      stateDatabase: '10.41.0.5',
      dhcpStart: '10.41.0.10',
      dhcpEnd: '10.41.0.254',
    });
    expect(() => fleetAddresses('10.41.0.0/28')).toThrow(/too small/);
  });

  it('picks catalogue ids by exact name, the newest active image, and says what to change otherwise', () => {
    const flavors = [
      { id: 'f1', name: 'b3-16', available: false },
      { id: 'f2', name: 'b3-16' },
    ];
    expect(pickFlavorId(flavors, 'b3-16', 'EU-WEST-PAR')).toBe('f2');
    expect(() => pickFlavorId([], 'b3-16', 'EU-WEST-PAR')).toThrow(
      /no available instance flavor "b3-16" in EU-WEST-PAR/,
    );
    const images = [
      { id: 'i1', name: 'Debian 12', creationDate: '2025-01-01' },
      { id: 'i2', name: 'Debian 12', creationDate: '2026-02-01' },
      { id: 'i3', name: 'Debian 12', creationDate: '2026-03-01', status: 'deleted' },
    ];
    expect(pickImageId(images, 'Debian 12', 'EU-WEST-PAR')).toBe('i2');
    expect(() => pickImageId(images, 'Debian 13', 'EU-WEST-PAR')).toThrow(/no active image "Debian 13"/);
  });
});

describe('the spec workers block', () => {
  const base = loadWarehouseSpec(SPEC_FILE);
  const { workers: _omit, ...withoutWorkers } = base;

  it('documents its defaults', () => {
    const spec = warehouseSpec.parse({ ...withoutWorkers, workers: { count: 3, package: 'cloudexit@0.1.0' } });
    expect(spec.workers).toEqual({
      count: 3,
      size: { vcpus: 4, memoryGb: 16 },
      cidr: '10.41.0.0/24',
      plan: '/etc/cloudexit/plan.yaml',
      package: 'cloudexit@0.1.0',
      stateDatabase: 'auto',
    });
  });

  it('the example commented out in stacks/warehouse.yaml is a valid spec once uncommented', () => {
    const text = readFileSync(SPEC_FILE, 'utf8');
    const example = text.slice(text.indexOf('# workers:')).replace(/^# ?/gm, '');
    const dir = mkdtempSync(join(tmpdir(), 'cloudexit-spec-'));
    try {
      writeFileSync(join(dir, 'warehouse.yaml'), `${text}\n${example}`);
      expect(loadWarehouseSpec(join(dir, 'warehouse.yaml')).workers).toMatchObject({ count: 4, stateDatabase: 'auto' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a fleet network overlapping the warehouse network, a public range and a relative plan', () => {
    const result = warehouseSpec.safeParse({
      ...withoutWorkers,
      workers: { count: 2, cidr: '10.40.8.0/24', plan: 'plan.yaml', package: '' },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'workers.cidr',
      'workers.package',
      'workers.plan',
    ]);
    const overlap = warehouseSpec.safeParse({
      ...withoutWorkers,
      workers: { count: 2, cidr: '10.40.8.0/24', package: 'cloudexit' },
    });
    expect(overlap.error?.issues[0]?.message).toMatch(/overlaps the warehouse network 10\.40\.0\.0\/16/);
    expect(
      warehouseSpec.safeParse({ ...withoutWorkers, workers: { count: 2, cidr: '8.8.8.0/24', package: 'cloudexit' } })
        .success,
    ).toBe(false);
  });
});
