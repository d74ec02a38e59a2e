#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian machine, then lint and run it all.
# Usage: bash scripts/test.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/lint.sh
# Bytecode caches on, whatever the machine's default: with PYTHONDONTWRITEBYTECODE=1 (these
# machines set it) pytest re-rewrites the asserts of every module of its plugins (hypothesis,
# schemathesis: ~440 modules, ~10 s a process) and every server a test starts recompiles the app.
unset PYTHONDONTWRITEBYTECODE
# Two processes: the suite is mostly waiting on browsers and servers, and CI has two cores.
echo "== pytest" && .venv/bin/pytest -n 2 --durations=15 "$@"
