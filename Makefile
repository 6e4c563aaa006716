# servflow — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export SERVFLOW_DATABASE_URL ?= sqlite:///$(CURDIR)/instance/servflow.sqlite

.PHONY: install frontend browser identity-servers run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

.stamp-python: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@

.stamp-frontend: web/frontend/package.json web/frontend/package-lock.json web/frontend/build.mjs $(shell find web/frontend/src web/frontend/plugins -type f)
	cd web/frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build
	touch $@

frontend: .stamp-frontend

install: .stamp-python .stamp-frontend

browser:
	@command -v /usr/bin/chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; }

# The identity tests' real servers: OpenLDAP's slapd (Debian) and node's oidc-provider (test-only package.json).
.stamp-identity: tests/identity/oidc_provider/package.json tests/identity/oidc_provider/package-lock.json
	@command -v /usr/sbin/slapd >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slapd ldap-utils >/dev/null; }
	cd tests/identity/oidc_provider && npm ci --no-audit --no-fund --loglevel=error
	touch $@

identity-servers: .stamp-identity

run: install
	$(BIN)/servflow db upgrade
	$(BIN)/servflow deploy
	$(BIN)/servflow seed
	$(BIN)/servflow serve --host $(HOST) --port $(PORT) --demo-systems

lint: .stamp-python
	$(BIN)/ruff check .

test: install browser identity-servers lint
	$(BIN)/python -m pytest -q -p no:cacheprovider --durations=20

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .stamp-* instance web/static/dist web/frontend/node_modules tests/identity/oidc_provider/node_modules
