# One-command workflows. `make` alone lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STACK := $(BIN)/python deploy/local/stack.py
REQUIREMENTS := requirements-dev.txt services/users/requirements.txt services/feed/requirements.txt services/notifications/requirements.txt shared/pyproject.toml

.PHONY: help setup system-deps run up down manage backup restore test lint format openapi dockerfiles bench bench-quick clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# A virtualenv without pip (made while python3-venv was missing) or whose interpreter is gone
# (Python upgraded) is rebuilt from scratch: its stamp goes, so the rule below runs again.
ifneq ($(wildcard $(BIN)/.installed),)
ifneq ($(shell $(BIN)/python -c "import pip" >/dev/null 2>&1 && echo ok),ok)
$(shell rm -f $(BIN)/.installed)
endif
endif

$(BIN)/.installed: $(REQUIREMENTS)
	@if ! $(BIN)/python -c "import pip" >/dev/null 2>&1; then \
		if [ -e $(VENV) ]; then echo "==> $(VENV) is broken (no pip, or no interpreter): rebuilding it"; fi; \
		rm -rf $(VENV); echo "==> creating $(VENV)"; \
		$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
			echo "error: '$(PYTHON) -m venv' failed; on Debian install python3-venv (apt-get install python3-venv)" >&2; exit 1; }; \
	fi
	@echo "==> installing pinned requirements"
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -r requirements-dev.txt
	@touch $@

system-deps: ## Install nginx, the PostgreSQL server and RabbitMQ when missing (Debian)
	@bash deploy/local/install-system-deps.sh

.env: | $(BIN)/.installed
	@$(STACK) init-env

setup: $(BIN)/.installed system-deps .env ## Everything `run` and `test` need

run: setup ## Run the whole stack in the foreground at http://127.0.0.1:8000 (Ctrl-C stops it)
	@$(STACK) run

up: setup ## Start the whole stack in the background
	@$(STACK) up

down: ## Stop everything `up` started
	@test -x $(BIN)/python && $(STACK) down || true

manage: setup ## Run a management command on the running stack: make manage SERVICE=users ARGS="createsuperuser"
	@$(STACK) manage $(SERVICE) $(ARGS)

backup: setup ## Dump every database and copy the media of the running stack into var/backups/<time>
	@$(STACK) backup $(BACKUP)

restore: setup ## Replace the databases and media with a backup (stack stopped): make restore BACKUP=var/backups/<time>
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/<time>" >&2; exit 2; }
	@$(STACK) restore $(BACKUP)

lint: $(BIN)/.installed ## ruff lint and format check; each service's import contracts (docs/architecture.md)
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@for service in users feed notifications; do \
		(cd services/$$service && ../../$(BIN)/lint-imports --no-cache) || exit 1; \
	done

format: $(BIN)/.installed ## Apply ruff's fixes and formatting
	@$(BIN)/ruff check --fix .
	@$(BIN)/ruff format .

test: setup lint ## Lint, every service's suite on a throwaway Postgres and RabbitMQ, end-to-end through nginx
	@$(STACK) test

openapi: $(BIN)/.installed ## Regenerate docs/openapi/{users,feed,notifications}.yaml from the code
	@for service in users feed notifications; do \
		(cd services/$$service && DJANGO_SETTINGS_MODULE=config.settings.test ../../$(BIN)/python \
			manage.py spectacular --validate --fail-on-warn --file ../../docs/openapi/$$service.yaml) \
			|| exit 1; \
	done
	@echo "==> wrote docs/openapi/users.yaml, feed.yaml and notifications.yaml"

dockerfiles: ## Write services/*/Dockerfile from deploy/docker/service.Dockerfile.in
	@$(BIN)/python deploy/docker/render_dockerfiles.py
	@echo "==> wrote services/users/Dockerfile, services/feed/Dockerfile, services/notifications/Dockerfile"

bench: setup ## Seed 1M posts into a separate benchmark stack, load it with wrk, write docs/performance.md
	@$(BIN)/python bench/bench.py $(BENCH_ARGS)

bench-quick: setup ## The same scenarios on a small data set in a few minutes (a check in review; var/bench/report.md)
	@$(BIN)/python bench/bench.py --quick $(BENCH_ARGS)

clean: down ## Remove local state (database, media, logs) and the virtualenv
	rm -rf var $(VENV)
