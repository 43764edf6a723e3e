# NomadCloud: `make run` serves the demo zone on SQLite; `make test` runs every check.
# Both set everything up first (virtual environment, Python and npm packages, static assets,
# compiled translations, migrations) and are safe to run again.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
VENDOR := var/vendor
export NOMADCLOUD_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test quick setup deps assets messages migrate demo lint typecheck checks pytest-sqlite \
        pytest-postgres openapi system-deps clean

run: setup migrate demo
	NOMADCLOUD_DEBUG=1 $(BIN)/nomadcloud runserver 127.0.0.1:8000

setup: deps assets messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*; touch $(STAMP)

deps: $(STAMP)

node_modules/.package-lock.json: package.json
	npm install --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/@picocss/pico/css/pico.min.css node_modules/htmx.org/dist/htmx.min.js \
		node_modules/jsqr/dist/jsQR.js node_modules/echarts/dist/echarts.min.js $(VENDOR)/

messages: deps
	$(BIN)/pybabel compile -D django -d nomadcloud/locale

migrate: setup
	NOMADCLOUD_DEBUG=1 $(BIN)/nomadcloud migrate --no-input

demo: migrate
	NOMADCLOUD_DEBUG=1 $(BIN)/nomadcloud seed_demo

# --- tests ---------------------------------------------------------------------------------------
test: system-deps setup
	$(BIN)/python scripts/run_tests.py

# The inner loop: ruff, then pytest on SQLite without browser and fuzz tests, two workers.
# `make quick ARGS="tests/test_api.py -k envelope"` narrows it.
quick: setup
	$(BIN)/python scripts/run_tests.py --quick $(ARGS)

system-deps:
	bash scripts/ensure-system-deps

openapi: setup
	$(BIN)/python scripts/write_openapi.py

clean:
	rm -rf $(VENV) node_modules var
