# The two commands of the README: `make run` and `make test`.
# Works on a fresh Debian/Ubuntu machine with Python 3.11+, Node 18+ and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test install assets oidc-provider translations messages lint clean stop

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
