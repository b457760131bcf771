# CARM Client Portal: production image (used by docker-compose.yml for web, worker, beat, migrate).
#   docker build -t carm-portal .
# Stage 1 builds the front-end assets (static/vendor, git-ignored); stage 2 is the runtime.

# ---- Stage 1: front-end assets ------------------------------------------------------------
FROM node:20-slim AS frontend
WORKDIR /src/frontend
# Lock file first, so the npm layer is cached until the dependencies change.
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
# Writes /src/static/vendor (build.mjs also runs `npm pack` and `tar`, both in this image).
RUN node build.mjs

# ---- Stage 2: runtime ---------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS runtime

# PYTHONPATH: the code in /app wins over the copy that `pip install .` puts in site-packages,
# so BASE_DIR (templates, locale, static) is /app for gunicorn, celery and manage.py alike.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=carm_portal.settings.production \
    MEDIA_ROOT=/app/media

# libmagic1: python-magic (upload type sniffing). Translations compile with polib.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmagic1 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# OPS-1: the production dependencies from the hashed lock (`make lock` regenerates it from
# pyproject.toml), in their own layer before the code: cached until the lock changes, and a
# file whose hash is not in the lock stops the build.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock
COPY . .
# The project itself, without resolving anything again (setuptools comes from the lock).
RUN pip install --no-deps --no-build-isolation . && rm -rf build ./*.egg-info

# Front-end assets from stage 1.
COPY --from=frontend /src/static/vendor ./static/vendor

# Translations and static files, with production settings. The dummy values exist only for
# this RUN step (ARG, not ENV): nothing is connected to, nothing is encrypted, and the
# runtime gets real ones. Production settings require every key below, so each one has its
# build-only stand-in (a well-formed Fernet key for the encryption key lists).
# tests/test_image_build.py replays this step with exactly these variables (OPS-1).
ARG BUILD_SECRET_KEY=build-time-dummy-key-not-used-at-runtime
ARG BUILD_FERNET_KEY=YnVpbGQtb25seS1kdW1teS1rZXktbm90LXNlY3JldCE=
RUN SECRET_KEY="$BUILD_SECRET_KEY" \
    PAD_ENCRYPTION_KEYS="$BUILD_FERNET_KEY" \
    MFA_ENCRYPTION_KEYS="$BUILD_FERNET_KEY" \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build@localhost:5432/build \
    REDIS_URL=redis://localhost:6379/0 \
    STORAGE_BACKEND=filesystem \
    sh -c 'python manage.py compiletranslations && python manage.py collectstatic --noinput'

# Unprivileged runtime user: it owns only its home (gunicorn's control socket goes there)
# and the media directory (a volume in compose); the code in /app stays read-only to it.
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/carm carm \
    && mkdir -p /app/media \
    && chown carm:carm /app/media
USER carm

EXPOSE 8000
# No HEALTHCHECK in the image: /healthz needs the deployment's host name and back-ends, so
# each runtime declares its own check (compose: healthcheck; Kubernetes: probes).
# checkov:skip=CKV_DOCKER_2: health is checked by compose's healthcheck and Kubernetes' probes on /healthz, which need the deployment's Host and back-ends
# Worker count: gunicorn reads WEB_CONCURRENCY; extra flags: GUNICORN_CMD_ARGS.
# The access log names no client address and no query string (AU-3: no personal information),
# only the request id; the same format as gunicorn.conf.py, whose logger redacts (SEC-9).
CMD ["gunicorn", "carm_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", \
     "--access-logformat", "%(m)s %(U)s %(s)s %(b)s %(L)s %({x-request-id}o)s"]
