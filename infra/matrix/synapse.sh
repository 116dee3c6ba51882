#!/usr/bin/env bash
# Throw-away Matrix homeserver (Synapse, SQLite) for tests and local development, on 127.0.0.1 only.
#
#   infra/matrix/synapse.sh start DIR   install Synapse into its own virtualenv if missing (the
#                                       version pinned in infra/matrix/requirements.txt), write a
#                                       configuration into DIR, start it; prints its URL
#   infra/matrix/synapse.sh stop DIR    stop exactly the server started with DIR
#
# Settings (environment): MATRIX_PORT (18008), MATRIX_SERVER_NAME (weltoffen.test),
# MATRIX_SHARED_SECRET (the registration secret; random unless given), SYNAPSE_VENV
# (.venv-synapse next to the project's .venv). Users are registered with the shared secret; open
# registration, federation and rate limits are off: it is for tests, never for production.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

port=${MATRIX_PORT:-18008}
server_name=${MATRIX_SERVER_NAME:-weltoffen.test}
venv=${SYNAPSE_VENV:-$PWD/.venv-synapse}
log() { printf 'synapse: %s\n' "$*" >&2; }

install_server() {
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import synapse" 2>/dev/null; then return 0; fi
  log "installing Synapse into $venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r infra/matrix/requirements.txt >&2
}

configure() {
  local dir=$1 secret=$2
  mkdir -p "$dir/media"
  cat >"$dir/log.yaml" <<LOG
version: 1
formatters: {plain: {format: '%(asctime)s %(levelname)s %(name)s %(message)s'}}
handlers: {file: {class: logging.FileHandler, formatter: plain, filename: $dir/homeserver.log}}
root: {level: WARNING, handlers: [file]}
disable_existing_loggers: false
LOG
  cat >"$dir/homeserver.yaml" <<CONF
server_name: "$server_name"
public_baseurl: "http://127.0.0.1:$port/"
pid_file: "$dir/homeserver.pid"
listeners:
  - {port: $port, bind_addresses: ["127.0.0.1"], type: http, tls: false, x_forwarded: false,
     resources: [{names: [client], compress: false}]}
database: {name: sqlite3, args: {database: "$dir/homeserver.db"}}
log_config: "$dir/log.yaml"
media_store_path: "$dir/media"
signing_key_path: "$dir/signing.key"
registration_shared_secret: "$secret"
macaroon_secret_key: "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
form_secret: "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
report_stats: false
enable_registration: false
trusted_key_servers: []
suppress_key_server_warning: true
federation_domain_whitelist: []
presence: {enabled: false}
rc_message: {per_second: 10000, burst_count: 10000}
rc_login:
  address: {per_second: 10000, burst_count: 10000}
  account: {per_second: 10000, burst_count: 10000}
  failed_attempts: {per_second: 10000, burst_count: 10000}
rc_joins: {local: {per_second: 10000, burst_count: 10000}, remote: {per_second: 10000, burst_count: 10000}}
rc_invites:
  per_room: {per_second: 10000, burst_count: 10000}
  per_user: {per_second: 10000, burst_count: 10000}
  per_issuer: {per_second: 10000, burst_count: 10000}
rc_room_creation: {per_second: 10000, burst_count: 10000}
CONF
}

start() {
  local dir=$1
  install_server
  if [ -f "$dir/homeserver.pid" ] && kill -0 "$(cat "$dir/homeserver.pid")" 2>/dev/null; then
    log "already running on 127.0.0.1:$port"; echo "http://127.0.0.1:$port"; return 0
  fi
  local secret=${MATRIX_SHARED_SECRET:-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}
  configure "$dir" "$secret"
  echo "$secret" >"$dir/shared_secret"
  "$venv/bin/python" -m synapse.app.homeserver -c "$dir/homeserver.yaml" --generate-keys >/dev/null
  "$venv/bin/python" -m synapse.app.homeserver -c "$dir/homeserver.yaml" --daemonize
  for _ in $(seq 1 120); do
    if "$venv/bin/python" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
      "http://127.0.0.1:$port/_matrix/client/versions" >/dev/null 2>&1; then
      log "ready on 127.0.0.1:$port (data $dir)"; echo "http://127.0.0.1:$port"; return 0
    fi
    sleep 0.5
  done
  log "did not start; its log:"; tail -n 40 "$dir/homeserver.log" >&2 || true
  return 1
}

stop() {
  local dir=$1
  if [ ! -f "$dir/homeserver.pid" ]; then log "not running"; return 0; fi
  local pid; pid=$(cat "$dir/homeserver.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || { log "stopped"; return 0; }; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null || true
  log "killed"
}

case "${1:-}" in
  start) start "${2:?give the data directory}" ;;
  stop) stop "${2:?give the data directory}" ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
