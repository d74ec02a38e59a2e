# Task commands; CI runs `make test` (= bash scripts/test.sh, the command README gives).
# Every target but setup, test and run expects the .venv that `make setup` makes.
.PHONY: setup lint test test-fast test-browser bench run

setup:            ## Debian packages the tests need, and .venv with the test extra
	bash scripts/setup.sh

lint:             ## ruff, ruff format, mypy (app and tests), hadolint
	bash scripts/lint.sh

test:             ## set up, lint, run the whole suite (browser journeys and nginx included)
	bash scripts/test.sh

test-fast:        ## everything but the browser, nginx and slow tests, under a minute
	env -u PYTHONDONTWRITEBYTECODE .venv/bin/pytest -n 2 -q -m "not browser and not nginx and not slow"

test-browser:     ## the browser journeys in headless Chromium
	.venv/bin/pytest -m browser -q

bench:            ## the benchmarks that need no PyTorch (docs/benchmarks.md has the others)
	.venv/bin/python bench/bench_api.py
	.venv/bin/python bench/bench_sizes.py
	.venv/bin/python bench/bench_frontend.py

run:              ## set up and start the app on its default settings
	[ -x .venv/bin/activation-lab ] || (python3 -m venv .venv && .venv/bin/pip install -e .)
	.venv/bin/activation-lab
