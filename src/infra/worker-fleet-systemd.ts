/**
 * The systemd units and boot scripts a worker machine runs, as text. Pure: the cloud-init
 * renderer writes them to disk, the tests read them.
 *
 * Secrets never reach user data, a unit file or a command line: `cloudexit-secrets.service`
 * fetches them at boot from OKMS (mutual TLS, with the machine's OKMS access certificate)
 * into `/run/cloudexit/worker.env` — tmpfs, root only, gone at shutdown — and the worker
 * unit reads it as its `EnvironmentFile` (systemd reads it as root, then drops to the
 * worker's user, which cannot read the file itself).
 */

/** Where everything lives on a worker machine; one place so the units and scripts agree. */
export const WORKER_PATHS = {
  user: 'cloudexit',
  home: '/var/lib/cloudexit',
  libexec: '/usr/local/lib/cloudexit',
  /** Non-secret OKMS coordinates written by cloud-init: endpoint, OKMS id, secret paths. */
  okmsConfig: '/etc/cloudexit/okms.env',
  /** The access certificate and key, installed once per machine by the operator (docs/infra.md). */
  okmsCert: '/etc/cloudexit/okms/client.crt',
  okmsKey: '/etc/cloudexit/okms/client.key',
  envFile: '/run/cloudexit/worker.env',
  cloudexit: '/usr/local/bin/cloudexit',
} as const;

export const SECRETS_UNIT = 'cloudexit-secrets.service';
export const WORKER_UNIT = 'cloudexit-worker.service';
export const STATE_ROLE_UNIT = 'cloudexit-state-role.service';

/**
 * Fetches the secrets at boot. It waits for the access key (installed after the first boot)
 * and retries OKMS forever: the units after it simply wait, and nothing starts half-configured.
 */
export function secretsUnit(): string {
  return `[Unit]
Description=cloudexit: fetch the worker environment from OKMS into ${WORKER_PATHS.envFile}
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
TimeoutStartSec=infinity
ExecStart=${WORKER_PATHS.libexec}/fetch-secrets
`;
}

export interface WorkerUnitOptions {
  /** `--state`: a PostgreSQL URL without password (PGPASSWORD comes from the environment file). */
  stateUrl: string;
  /** `--plan`: path of the plan on the machine. */
  plan: string;
}

/** The worker: a dedicated user, restarted whatever happens, hardened like a network daemon. */
export function workerUnit({ stateUrl, plan }: WorkerUnitOptions): string {
  if (/:[^/@]*@/.test(stateUrl))
    throw new Error('the worker state URL carries a password; pass it through PGPASSWORD, never on the command line');
  return `[Unit]
Description=cloudexit worker (claims and copies objects of the plan)
Documentation=https://github.com/cloudexit/cloudexit/blob/main/docs/workers.md
Requires=${SECRETS_UNIT}
After=${SECRETS_UNIT} network-online.target
# A worker that keeps failing keeps being restarted: leases make a restart safe.
StartLimitIntervalSec=0

[Service]
Type=exec
User=${WORKER_PATHS.user}
Group=${WORKER_PATHS.user}
EnvironmentFile=${WORKER_PATHS.envFile}
Environment=NODE_ENV=production
WorkingDirectory=${WORKER_PATHS.home}
ExecStart=${WORKER_PATHS.cloudexit} worker --state ${systemdQuote(stateUrl)} --plan ${systemdQuote(plan)}
# Restart=always also after a clean exit: a worker exits 0 when nothing is left, and the
# next start picks up what a new inventory made pending.
Restart=always
RestartSec=30
# SIGTERM lets the objects in flight be recorded before the worker exits.
KillSignal=SIGTERM
TimeoutStopSec=120
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectControlGroups=yes
ReadWritePaths=${WORKER_PATHS.home}

[Install]
WantedBy=multi-user.target
`;
}

/** A systemd command-line argument in double quotes (`%` and `$` would otherwise expand). */
function systemdQuote(arg: string): string {
  return `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
}

/**
 * The boot script behind `cloudexit-secrets.service`. Each OKMS secret holds a JSON object of
 * environment variables; required paths must be readable, optional ones (written by the
 * operator, such as the source SAS) are skipped with a note until they exist.
 */
export function fetchSecretsScript(): string {
  const p = WORKER_PATHS;
  return `#!/bin/bash
# Fetches the worker environment from OKMS over mutual TLS. No secret is ever printed.
set -euo pipefail
. ${p.okmsConfig}
until [ -r ${p.okmsKey} ] && [ -r ${p.okmsCert} ]; do
  echo "waiting for the OKMS access certificate in ${p.okmsCert} and ${p.okmsKey} (docs/infra.md)"
  sleep 30
done
fetch() {
  curl --fail --silent --show-error --cert ${p.okmsCert} --key ${p.okmsKey} \\
    "$OKMS_ENDPOINT/api/$OKMS_ID/v2/secret/$1?includeData=true" |
    jq -r '.version.data | (if type == "string" then fromjson else . end) | to_entries[] | "\\(.key)=\\(.value)"'
}
install -d -m 0700 /run/cloudexit
umask 077
while :; do
  tmp=$(mktemp /run/cloudexit/worker.env.XXXXXX)
  ok=1
  for path in $OKMS_SECRET_PATHS; do fetch "$path" >>"$tmp" || { ok=0; break; }; done
  for path in $OKMS_OPTIONAL_SECRET_PATHS; do
    fetch "$path" >>"$tmp" || echo "optional secret $path not readable yet; the worker starts without it"
  done
  if [ "$ok" = 1 ]; then mv "$tmp" ${p.envFile}; exit 0; fi
  rm -f "$tmp"
  echo "OKMS did not answer for a required secret; retrying in 30 s"
  sleep 30
done
`;
}

/** Installs Node from nodejs.org, checked against the release's SHA-256 list. */
export function installNodeScript(): string {
  return `#!/bin/bash
set -euo pipefail
v="$1"
arch=linux-x64
cd "$(mktemp -d)"
curl --fail --silent --show-error --location -O "https://nodejs.org/dist/v$v/node-v$v-$arch.tar.xz" \\
  -O "https://nodejs.org/dist/v$v/SHASUMS256.txt"
grep " node-v$v-$arch.tar.xz$" SHASUMS256.txt | sha256sum --check --strict -
tar -xJf "node-v$v-$arch.tar.xz" -C /usr/local --strip-components=1 --no-same-owner
`;
}

/**
 * On the state-database machine: gives the worker role the password from the environment
 * file. The password goes to psql on stdin, never in a process's arguments.
 */
export function stateRoleUnit(): string {
  return `[Unit]
Description=cloudexit: set the worker role's password on the state database
Requires=${SECRETS_UNIT} postgresql.service
After=${SECRETS_UNIT} postgresql.service

[Service]
Type=oneshot
RemainAfterExit=yes
EnvironmentFile=${WORKER_PATHS.envFile}
ExecStart=${WORKER_PATHS.libexec}/set-state-role

[Install]
WantedBy=multi-user.target
`;
}

export function setStateRoleScript(role: string, database: string): string {
  return `#!/bin/bash
set -euo pipefail
pw=\${PGPASSWORD//\\'/\\'\\'}
{
  cat <<'SQL'
SELECT 'CREATE ROLE ${role} LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}')\\gexec
SQL
  printf "ALTER ROLE ${role} WITH LOGIN PASSWORD '%s';\\n" "$pw"
  cat <<'SQL'
SELECT 'CREATE DATABASE ${database} OWNER ${role}'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${database}')\\gexec
SQL
} | runuser -u postgres -- psql --quiet -v ON_ERROR_STOP=1
`;
}
