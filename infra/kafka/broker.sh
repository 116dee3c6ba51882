#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft: broker + controller in one JVM) for development and tests.
#
#   infra/kafka/broker.sh fetch                 resolve the broker jars with Maven into the cache
#   infra/kafka/broker.sh start [DATA_DIR]      format storage if new, start, wait until it answers
#   infra/kafka/broker.sh stop  [DATA_DIR]      stop exactly the process this script started there
#   infra/kafka/broker.sh status [DATA_DIR]
#
# Settings (environment): KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (KAFKA_PORT + 1),
# KAFKA_HEAP (512m), WELTOFFEN_CACHE (~/.cache/weltoffen): where the jars are kept, outside git.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${WELTOFFEN_CACHE:-$HOME/.cache/weltoffen}
kafka_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")
libs="$cache/kafka-$kafka_version/libs"
port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-$((port + 1))}
heap=${KAFKA_HEAP:-512m}
data=${2:-${KAFKA_DATA_DIR:-$cache/kafka-data-$port}}
pidfile="$data/broker.pid"

log() { printf 'kafka: %s\n' "$*" >&2; }

fetch() {
  if [ -f "$libs/.complete" ]; then return 0; fi
  command -v mvn >/dev/null || { log "Maven (mvn) is needed to fetch the broker jars"; exit 1; }
  log "fetching Apache Kafka $kafka_version jars into $libs"
  rm -rf "$libs"; mkdir -p "$libs"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$libs"
  touch "$libs/.complete"
}

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

java_run() {
  java "-Xmx$heap" -Xms128m -XX:+UseG1GC -Djava.awt.headless=true \
    "-Dkafka.logs.dir=$data" "-Dlog4j2.configurationFile=$here/log4j2.properties" \
    -cp "$libs/*" "$@"
}

write_config() {
  sed -e "s#@PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$controller_port#g" -e "s#@LOG_DIR@#$data/log#g" \
    "$here/server.properties.in" > "$data/server.properties"
}

start() {
  fetch
  if running; then log "already running on 127.0.0.1:$port (pid $(cat "$pidfile"))"; return 0; fi
  if answers; then log "port $port is taken by another process"; exit 1; fi
  mkdir -p "$data"
  write_config
  if [ ! -f "$data/log/meta.properties" ]; then
    cluster_id=$(java_run kafka.tools.StorageTool random-uuid)
    java_run kafka.tools.StorageTool format -t "$cluster_id" -c "$data/server.properties" >/dev/null
  fi
  nohup java "-Xmx$heap" -Xms128m -XX:+UseG1GC -Djava.awt.headless=true \
    "-Dkafka.logs.dir=$data" "-Dlog4j2.configurationFile=$here/log4j2.properties" \
    -cp "$libs/*" kafka.Kafka "$data/server.properties" >"$data/stdout.log" 2>&1 &
  echo $! > "$pidfile"
  for _ in $(seq 1 120); do
    if answers; then log "ready on 127.0.0.1:$port (pid $(cat "$pidfile"), data $data)"; return 0; fi
    if ! running; then log "broker exited; see $data/stdout.log and $data/broker.log"; tail -20 "$data/stdout.log" >&2; exit 1; fi
    sleep 0.5
  done
  log "broker did not answer on port $port within 60 s"; stop; exit 1
}

stop() {
  if ! running; then rm -f "$pidfile"; log "not running"; return 0; fi
  pid=$(cat "$pidfile")
  kill "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; log "stopped (pid $pid)"; return 0; }
    sleep 0.5
  done
  log "pid $pid did not stop in 30 s; killing it"; kill -9 "$pid" || true; rm -f "$pidfile"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running (pid $(cat "$pidfile"), port $port)"; else echo "stopped"; exit 3; fi ;;
  *) sed -n '2,10p' "$0"; exit 2 ;;
esac
