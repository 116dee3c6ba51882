#!/usr/bin/env bash
# Throw-away PostgreSQL server for tests and local development, on 127.0.0.1 only.
#
#   infra/postgres/postgres.sh start   install the server (Debian packages) if missing, create a
#                                      cluster, start it and create the database; prints the URL
#   infra/postgres/postgres.sh stop    stop exactly the server this script started
#   infra/postgres/postgres.sh url
#
# Settings (environment): PG_PORT (55432), PG_DATA (/tmp/weltoffen-pg-$PG_PORT), PG_DB (weltoffen).
# The cluster trusts local connections: it is for tests, never for production.
set -euo pipefail

port=${PG_PORT:-55432}
data=${PG_DATA:-/tmp/weltoffen-pg-$port}
db=${PG_DB:-weltoffen}
log() { printf 'postgres: %s\n' "$*" >&2; }

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

install_server() {
  if [ -n "$(bindir)" ] && [ -x "$(bindir)/pg_ctl" ]; then return 0; fi
  log "installing the PostgreSQL server from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
}

as_owner() {
  # PostgreSQL refuses to run as root; run its tools as the 'postgres' system user then.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

url() { echo "postgresql+psycopg://postgres@127.0.0.1:$port/$db"; }

start() {
  install_server
  bin=$(bindir)
  if [ -f "$data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "already running on 127.0.0.1:$port"; url; return 0
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres: "$data"
    as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  # Tuned for a disposable test cluster: durability is traded for speed.
  as_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  if ! as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "select 1 from pg_database where datname='$db'" | grep -q 1; then
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db"
  fi
  log "ready on 127.0.0.1:$port (data $data)"
  url
}

stop() {
  bin=$(bindir)
  if [ -z "$bin" ] || [ ! -f "$data/postmaster.pid" ]; then log "not running"; return 0; fi
  as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null && log "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  *) sed -n '2,10p' "$0"; exit 2 ;;
esac
