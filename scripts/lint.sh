#!/usr/bin/env bash
# Every static check CI runs; the same hooks run on commit (.pre-commit-config.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== ruff" && .venv/bin/ruff check . && .venv/bin/ruff format --check .
echo "== mypy" && .venv/bin/mypy
echo "== import contracts" && .venv/bin/lint-imports
echo "== hadolint" && .venv/bin/hadolint Dockerfile
