# Learnwise: `make run` serves the platform on the embedded defaults; `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
LEARNWISE := $(UV) run --project backend --frozen learnwise
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run test test-backend lint migrate seed clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

install: ## Install the Python dependencies (installs uv with pip when missing)
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 \
		|| $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --project backend --frozen

migrate: install ## Apply the database migrations
	$(LEARNWISE) db upgrade

seed: migrate ## Load the demo accounts and courses (idempotent)
	$(LEARNWISE) seed-demo

run: seed ## Install, migrate, load demo data and serve the platform (Ctrl-C stops it)
	@echo "Learnwise API on http://$(HOST):$(PORT)  (OpenAPI UI: http://$(HOST):$(PORT)/docs)"
	$(LEARNWISE) serve --host $(HOST) --port $(PORT)

test: install ## Run the test suites (SQLite and in-process parts)
	$(MAKE) --no-print-directory test-backend

test-backend:
	cd backend && $(UV) run --frozen pytest

lint: install ## Lint and check formatting
	cd backend && $(UV) run --frozen ruff check src tests migrations \
		&& $(UV) run --frozen ruff format --check src tests migrations

clean: ## Remove local data and environments
	rm -rf data backend/.venv
