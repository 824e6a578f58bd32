# Gongwen: `make run` serves on http://127.0.0.1:8000, `make test` runs the whole suite.
# Both install what is missing first (Debian packages as root, then the project's .venv).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help setup system venv run test fuzz load image lint format bench bench-archive bench-access bench-templates templates clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

setup: system venv ## install everything the service and its tests need

system: ## Debian packages and fonts (LibreOffice, UNO, Noto CJK, Fandol, poppler)
	@bash scripts/setup-system.sh

venv: $(STAMP) ## the project's virtual environment in .venv

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

run: setup ## serve on http://$(HOST):$(PORT) with embedded defaults, and the job worker beside it
	$(BIN)/gongwen db upgrade
	@# On an empty database: the first admin's login and API key, printed this once.
	$(BIN)/gongwen bootstrap
	@# The worker carries out archive runs; Ctrl-C (SIGINT to the whole process group) stops both.
	@$(BIN)/gongwen worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/gongwen serve --host $(HOST) --port $(PORT)

test: setup ## the whole suite
	$(BIN)/python -m pytest

fuzz: setup ## schemathesis over every API route, longer than in make test (FUZZ_EXAMPLES per operation, default 300)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-300} $(BIN)/python -m pytest tests/api/test_fuzz.py

load: setup ## production setup (gunicorn, warm pool, huey) under 50 clients and an archive run for 5 minutes (DURATION, CLIENTS)
	$(BIN)/python tools/load.py --clients $${CLIENTS:-50} --duration $${DURATION:-300}

image: ## build the Dockerfile with podman on a debootstrap base, start it and smoke-test it (health, one PDF, fonts)
	bash scripts/image.sh

lint: venv ## ruff (lint and format check), mypy and hadolint
	$(BIN)/ruff check service schemas tests tools scripts
	$(BIN)/ruff format --check service schemas tests tools scripts
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile

format: venv ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix service schemas tests tools scripts
	$(BIN)/ruff format service schemas tests tools scripts

bench-archive: setup ## archive 1,000 generated documents through gongwen worker: wall time, documents/s, peak RSS
	$(BIN)/python tools/bench_archive.py --documents $${DOCUMENTS:-1000}

bench-access: venv ## what access control adds to a request (in-process): no credentials, API key, session, sign-in
	$(BIN)/python tools/bench_access.py

bench-templates: setup ## what template maintainers wait for: checking an upload, lint, refusing a zip bomb, a preview
	$(BIN)/python tools/bench_templates.py

bench: setup ## timings in-process and over HTTP (DOCX, PDF; 1 and 8 clients), RSS, vs carbone
	$(BIN)/python tools/bench.py

templates: venv ## rebuild the built-in DOCX templates from tools/build_templates.py
	$(BIN)/python tools/build_templates.py

clean: ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
