# Learnwise: `make run` serves the platform on the embedded defaults; `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
LEARNWISE := $(UV) run --project backend --frozen learnwise
HOST ?= 127.0.0.1
PORT ?= 8000
WEB_PORT ?= 3000
export NEXT_TELEMETRY_DISABLED := 1
WEB_INSTALLED := web/node_modules/.package-lock.json

.PHONY: help install web-install run test test-backend test-web e2e api-client lint migrate seed clean

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

web-install: $(WEB_INSTALLED) ## Install the web app's dependencies (npm ci, when the lock file changed)

$(WEB_INSTALLED): web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

run: migrate web-install ## Install, build, migrate, load demo data, serve API and web app (Ctrl-C stops both)
	HOST=$(HOST) PORT=$(PORT) WEB_PORT=$(WEB_PORT) LEARNWISE_BIN="$(abspath backend/.venv/bin/learnwise)" \
		node web/scripts/run.mjs

test: install web-install ## Run the test suites (backend on SQLite and in-process parts; web unit tests, types, lint)
	$(MAKE) --no-print-directory test-backend
	$(MAKE) --no-print-directory test-web

test-backend:
	cd backend && $(UV) run --frozen pytest

test-web: web-install
	$(LEARNWISE) openapi | node web/scripts/generate-api-client.mjs --check
	cd web && npx tsc --noEmit && npx eslint --max-warnings 0 . && npx vitest run

api-client: install web-install ## Regenerate the web app's typed API client from the backend's OpenAPI schema
	$(LEARNWISE) openapi | node web/scripts/generate-api-client.mjs

e2e: install web-install ## End-to-end tests in Chromium (/usr/bin/chromium) against a throwaway stack
	cd web && LEARNWISE_BIN="$(abspath backend/.venv/bin/learnwise)" node e2e/run.mjs

lint: install ## Lint and check formatting
	cd backend && $(UV) run --frozen ruff check src tests migrations \
		&& $(UV) run --frozen ruff format --check src tests migrations

clean: ## Remove local data and environments
	rm -rf data backend/.venv web/node_modules web/.next web/.next-e2e
