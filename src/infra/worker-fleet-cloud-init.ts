/**
 * Cloud-init user data of the fleet's machines, as text. Pure, and given only values that
 * are not secret: user data is readable by anyone on the machine (the metadata service) and
 * by anyone who can read the instance in the project's API. The secrets come at boot from
 * OKMS (worker-fleet-systemd.ts); `userDataSecretFindings` is the check the tests and the
 * policy pack both apply to what this renders.
 */
import { stringify } from 'yaml';
import {
  fetchSecretsScript,
  installNodeScript,
  SECRETS_UNIT,
  secretsUnit,
  setStateRoleScript,
  STATE_ROLE_UNIT,
  stateRoleUnit,
  WORKER_PATHS,
  WORKER_UNIT,
  workerUnit,
} from './worker-fleet-systemd.ts';

/** Where a machine reads its secrets: none of these is a secret. */
export interface OkmsCoordinates {
  /** OKMS REST endpoint, e.g. `https://eu-west-par.okms.ovh.net`. */
  endpoint: string;
  okmsId: string;
  /** Secrets the machine cannot start without. */
  secretPaths: readonly string[];
  /**
   * Secrets the operator writes, read when present (the source SAS).
   * @default []
   */
  optionalSecretPaths?: readonly string[];
}

export interface WorkerUserDataInput {
  okms: OkmsCoordinates;
  /** `--state` without password. */
  stateUrl: string;
  /** `--plan` on the machine. */
  plan: string;
  /** `npm install -g` argument. */
  cloudexitPackage: string;
  /** Node release installed from nodejs.org. */
  nodeVersion: string;
}

const BASE_PACKAGES = ['ca-certificates', 'curl', 'jq', 'xz-utils'];

/** A value of a shell `KEY=value` file, single-quoted. */
function shellValue(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function okmsConfigFile(okms: OkmsCoordinates): string {
  return [
    `OKMS_ENDPOINT=${shellValue(okms.endpoint.replace(/\/+$/, ''))}`,
    `OKMS_ID=${shellValue(okms.okmsId)}`,
    `OKMS_SECRET_PATHS=${shellValue(okms.secretPaths.join(' '))}`,
    `OKMS_OPTIONAL_SECRET_PATHS=${shellValue((okms.optionalSecretPaths ?? []).join(' '))}`,
    '',
  ].join('\n');
}

interface WriteFile {
  path: string;
  permissions: string;
  content: string;
}

/** What every machine of the fleet gets: the service user, the OKMS coordinates, the secrets unit. */
function commonFiles(okms: OkmsCoordinates): WriteFile[] {
  return [
    { path: WORKER_PATHS.okmsConfig, permissions: '0644', content: okmsConfigFile(okms) },
    { path: `${WORKER_PATHS.libexec}/fetch-secrets`, permissions: '0755', content: fetchSecretsScript() },
    { path: `/etc/systemd/system/${SECRETS_UNIT}`, permissions: '0644', content: secretsUnit() },
  ];
}

function cloudConfig(doc: Record<string, unknown>): string {
  return `#cloud-config\n${stringify(doc, { lineWidth: 0 })}`;
}

/** User data of a worker machine: Node, cloudexit, the service user and the units. */
export function renderWorkerUserData(input: WorkerUserDataInput): string {
  return cloudConfig({
    users: [
      'default',
      { name: WORKER_PATHS.user, system: true, shell: '/usr/sbin/nologin', homedir: WORKER_PATHS.home },
    ],
    package_update: true,
    packages: BASE_PACKAGES,
    write_files: [
      ...commonFiles(input.okms),
      { path: `${WORKER_PATHS.libexec}/install-node`, permissions: '0755', content: installNodeScript() },
      {
        path: `/etc/systemd/system/${WORKER_UNIT}`,
        permissions: '0644',
        content: workerUnit({ stateUrl: input.stateUrl, plan: input.plan }),
      },
    ],
    runcmd: [
      [`${WORKER_PATHS.libexec}/install-node`, input.nodeVersion],
      ['/usr/local/bin/npm', 'install', '--global', '--prefix', '/usr/local', input.cloudexitPackage],
      ['install', '-d', '-o', WORKER_PATHS.user, '-g', WORKER_PATHS.user, '-m', '0750', WORKER_PATHS.home],
      ['install', '-d', '-m', '0700', '/etc/cloudexit/okms'],
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', SECRETS_UNIT, WORKER_UNIT],
      // --no-block: the secrets unit waits for the access certificate; cloud-init must not.
      ['systemctl', 'start', '--no-block', WORKER_UNIT],
    ],
  });
}

export interface StateDatabaseUserDataInput {
  okms: OkmsCoordinates;
  /** The fleet's network: the only range pg_hba.conf admits. */
  fleetCidr: string;
  /** The machine's fixed private address, the only one PostgreSQL listens on. */
  listenAddress: string;
  role: string;
  database: string;
  maxConnections: number;
}

/**
 * User data of the machine running the state database where no qualified managed offer
 * exists: Debian's PostgreSQL, listening on the private address only, TLS and SCRAM only,
 * from the fleet's network only.
 */
export function renderStateDatabaseUserData(input: StateDatabaseUserDataInput): string {
  const conf = [
    `listen_addresses = '${input.listenAddress}'`,
    `max_connections = ${input.maxConnections}`,
    'ssl = on',
    "ssl_min_protocol_version = 'TLSv1.2'",
    "password_encryption = 'scram-sha-256'",
    'log_connections = on',
    '',
  ].join('\n');
  const hba = [
    'local all postgres peer',
    `hostssl ${input.database} ${input.role} ${input.fleetCidr} scram-sha-256`,
    '',
  ].join('\n');
  return cloudConfig({
    package_update: true,
    packages: [...BASE_PACKAGES.filter((p) => p !== 'xz-utils'), 'postgresql'],
    write_files: [
      ...commonFiles(input.okms),
      { path: '/etc/postgresql/cloudexit/conf.d/cloudexit.conf', permissions: '0644', content: conf },
      { path: '/etc/postgresql/cloudexit/pg_hba.conf', permissions: '0640', content: hba },
      {
        path: `${WORKER_PATHS.libexec}/set-state-role`,
        permissions: '0755',
        content: setStateRoleScript(input.role, input.database),
      },
      { path: `/etc/systemd/system/${STATE_ROLE_UNIT}`, permissions: '0644', content: stateRoleUnit() },
    ],
    runcmd: [
      // Debian's cluster includes conf.d; point it at the files above, whatever the major version.
      [
        'sh',
        '-c',
        [
          'd=$(ls -d /etc/postgresql/*/main | head -n1)',
          'ln -sf /etc/postgresql/cloudexit/conf.d/cloudexit.conf "$d/conf.d/"',
          'cp /etc/postgresql/cloudexit/pg_hba.conf "$d/pg_hba.conf"',
        ].join(' && '),
      ],
      ['systemctl', 'restart', 'postgresql'],
      ['install', '-d', '-m', '0700', '/etc/cloudexit/okms'],
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', SECRETS_UNIT, STATE_ROLE_UNIT],
      ['systemctl', 'start', '--no-block', STATE_ROLE_UNIT],
    ],
  });
}

/**
 * What in a user-data text looks like a secret, by kind, never with the value itself (the
 * findings go to policy reports and test failures). Base64 user data is decoded first.
 */
export function userDataSecretFindings(userData: string): string[] {
  const texts = [userData];
  const compact = userData.replace(/\s+/g, '');
  if (compact.length >= 16 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact))
    texts.push(Buffer.from(compact, 'base64').toString('utf8'));
  const found = new Set<string>();
  for (const text of texts) for (const [kind, pattern] of SECRET_PATTERNS) if (pattern.test(text)) found.add(kind);
  return [...found];
}

const SECRET_PATTERNS: readonly (readonly [string, RegExp])[] = [
  ['a private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['a password in a connection URL', /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@'"]+:[^/\s@'"]+@/i],
  [
    'a password, secret or key assignment',
    /\b[A-Z0-9_]*(PASSWORD|PASSWD|SECRET|SECRET_ACCESS_KEY|API_KEY|PRIVATE_KEY|TOKEN)['"]?\s*[=:]\s*['"]?[^\s'"$]{4,}/i,
  ],
  ['a SAS token signature', /[?&]sig=[A-Za-z0-9%+/=]{16,}/],
];
