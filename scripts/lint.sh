#!/usr/bin/env bash
# Every static check CI runs; the same hooks run on commit (.pre-commit-config.yaml).
# One command per line: under `set -e` a failure before the last `&&` of a list does not stop
# the script (ruff's errors went through that way).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== import contracts"
.venv/bin/lint-imports
echo "== hadolint"
.venv/bin/hadolint Dockerfile
