#!/usr/bin/env bash
# Mutation testing of the pure code: mutmut over workflows/ and events/, running tests/unit
# (configured in pyproject.toml, [tool.mutmut]). mutmut needs a newer click than faust-streaming
# allows, and the unit tests need neither faust nor a broker, so it gets an environment of its own.
# Prints mutmut's summary and every surviving mutant.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
venv=.venv-mutation
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check "mutmut==3.8.1" \
  $(python3 - <<'PY'
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
deps = [d for d in project["dependencies"] if not d.startswith(("faust-streaming", "uvicorn"))]
extras = [d for d in project["optional-dependencies"]["test"] if not d.startswith(("ruff", "mypy", "playwright"))]
print(" ".join([*deps, *extras]))
PY
)
"$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e .
rm -rf mutants
"$venv/bin/mutmut" run --max-children "${MUTMUT_CHILDREN:-2}" "$@" | tr '\r' '\n' | grep -v '^$' | tail -n 2 | head -n 1
"$venv/bin/mutmut" results | grep -v ': killed' || true
