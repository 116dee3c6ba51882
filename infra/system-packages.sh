#!/usr/bin/env bash
# Debian packages the project needs besides Python's: Pango, HarfBuzz and a font for the PDF report
# (WeasyPrint), and with "test" Chromium for the browser tests. Installs only what is missing.
set -euo pipefail
wanted=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
if [ "${1:-}" = "test" ]; then wanted+=(chromium); fi
missing=()
for package in "${wanted[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
