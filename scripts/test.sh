#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian machine, then lint and run it all.
# Usage: bash scripts/test.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/lint.sh
# Two processes: the suite is mostly waiting on browsers and servers, and CI has two cores.
echo "== pytest" && .venv/bin/pytest -n 2 --durations=15 "$@"
