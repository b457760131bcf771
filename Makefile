# The two commands of the README: `make run` and `make test`.
# Works on a fresh Debian/Ubuntu machine with Python 3.11+, Node 18+ and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test install assets oidc-provider translations messages lint clean stop \
	lock lock-check tools deploy-check rehearsal

run: install assets oidc-provider ## The portal with demo data, a Celery worker and its services
	$(PY) scripts/devserver.py

test: install assets oidc-provider translations ## The whole test suite
	bash scripts/test.sh $(PYTEST_ARGS)

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

assets: static/vendor/.built

static/vendor/.built: frontend/package.json frontend/package-lock.json frontend/build.mjs
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && node build.mjs

# The test OpenID Connect provider standing for the Sign-In Partner federation (ADR 0006)
oidc-provider: tests/oidc/node_modules/.installed

tests/oidc/node_modules/.installed: tests/oidc/package.json tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error
	touch $@

translations: install
	$(PY) manage.py compiletranslations

messages: install ## Refresh the French catalogue from the code (needs gettext)
	$(PY) manage.py makemessages -l fr --no-obsolete --add-location file \
		-i 'frontend/*' -i 'static/*' -i 'staticfiles/*' -i 'test-artifacts/*'

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

stop: install ## Stop the embedded PostgreSQL/Redis and clamd left running
	$(PY) -c "from carm_portal import embedded; embedded.stop_all()"
	-bash scripts/clamd.sh stop

clean: stop
	rm -rf $(VENV) static/vendor frontend/node_modules tests/oidc/node_modules .local

# ---- Production (OPS-1 to OPS-3) ------------------------------------------------------
# Tools with pinned dependency trees of their own live in their own venvs, never in .venv:
# pip-tools, checkov and kubernetes-validate in .venv-tools; locust and moto (rehearsal)
# in .venv-rehearsal.
TOOLS := .venv-tools
REHEARSAL := .venv-rehearsal
LOCK_ARGS := --quiet --generate-hashes --no-emit-index-url --no-emit-find-links \
	--allow-unsafe --build-deps-for=wheel --strip-extras pyproject.toml

tools: $(TOOLS)/.installed

$(TOOLS)/.installed: requirements-tools.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --upgrade pip
	$(TOOLS)/bin/python -m pip install --quiet -r requirements-tools.txt
	touch $@

lock: tools ## Regenerate requirements.lock (hashed, no index address) from pyproject.toml
	$(TOOLS)/bin/pip-compile $(LOCK_ARGS) --output-file requirements.lock

lock-check: tools ## Fail when requirements.lock is out of step with pyproject.toml
	$(TOOLS)/bin/python scripts/lock_check.py

deploy-check: tools ## checkov on the Dockerfile and the manifests; manifests against the schemas
	bash scripts/deploy_check.sh

$(REHEARSAL)/.installed: requirements-rehearsal.txt
	$(PYTHON) -m venv $(REHEARSAL)
	$(REHEARSAL)/bin/python -m pip install --quiet --upgrade pip
	$(REHEARSAL)/bin/python -m pip install --quiet -r requirements-rehearsal.txt
	touch $@

# Needs HAProxy (apt-get install haproxy) and clamd; loopback only, stops by itself.
rehearsal: install assets $(REHEARSAL)/.installed ## Multi-node rehearsal under load (OPS-3)
	$(PY) scripts/rehearsal.py
