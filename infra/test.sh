#!/usr/bin/env bash
# The test command: set up the project, start a real Kafka broker and PostgreSQL, run the linters
# and the whole test suite, stop what it started. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
install_log=$(mktemp)
if ! .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]" >"$install_log" 2>&1; then
  cat "$install_log"; exit 1
fi
rm -f "$install_log"

# Pages are checked in Debian's Chromium (a browser of its own cannot be downloaded here); the PDF
# report needs Pango.
bash infra/system-packages.sh test

export KAFKA_PORT=${KAFKA_PORT:-19092} KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-19093}
export KAFKA_DATA_DIR=${KAFKA_DATA_DIR:-$(mktemp -d /tmp/weltoffen-kafka-test.XXXXXX)}
export PG_PORT=${PG_PORT:-55433}
export PG_DATA=${PG_DATA:-$(mktemp -d /tmp/weltoffen-pg-test.XXXXXX)}
export MATRIX_PORT=${MATRIX_PORT:-18008}
MATRIX_DATA_DIR=${MATRIX_DATA_DIR:-$(mktemp -d /tmp/weltoffen-synapse-test.XXXXXX)}

cleanup() {
  bash infra/kafka/broker.sh stop "$KAFKA_DATA_DIR" || true
  bash infra/postgres/postgres.sh stop || true
  bash infra/matrix/synapse.sh stop "$MATRIX_DATA_DIR" || true
  rm -rf "$KAFKA_DATA_DIR" "$PG_DATA" "$MATRIX_DATA_DIR"
}
trap cleanup EXIT

WELTOFFEN_TEST_POSTGRES_URL=$(bash infra/postgres/postgres.sh start)
bash infra/kafka/broker.sh start "$KAFKA_DATA_DIR"
WELTOFFEN_TEST_MATRIX=$(bash infra/matrix/synapse.sh start "$MATRIX_DATA_DIR")
WELTOFFEN_TEST_MATRIX_SECRET=$(cat "$MATRIX_DATA_DIR/shared_secret")
export WELTOFFEN_TEST_POSTGRES_URL WELTOFFEN_TEST_KAFKA="127.0.0.1:$KAFKA_PORT"
export WELTOFFEN_TEST_MATRIX WELTOFFEN_TEST_MATRIX_SECRET

echo "== ruff, mypy"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy

echo "== pytest"
.venv/bin/pytest "$@"
