#!/usr/bin/env python3
"""Validate docker-compose.yml, Dockerfile and .dockerignore without a Docker engine.

    python scripts/validate_compose.py [REPO_ROOT]

Checks what can be checked statically: every service has an image or a build, depends_on
targets and conditions make sense, the app containers get the environment they need and
point at services that exist, the backing services have healthchecks, no secret is written
literally, named volumes are declared; the Dockerfile has its node and python stages, builds
the assets, compiles translations, collects static files and runs unprivileged.
Exits 0 when all pass, 1 with one line per problem otherwise. Needs PyYAML (dev extra).
Tests can call validate(root) -> list of problems.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

try:
    import yaml
except ImportError:  # pragma: no cover - the dev extras bring it
    sys.exit("validate_compose: PyYAML is missing (pip install '.[dev]' or pip install pyyaml)")

# Environment every app container (web, worker, beat, migrate) needs: name -> service it names.
APP_ENV = {
    "DJANGO_SETTINGS_MODULE": None,
    "DATABASE_URL": "postgres",
    "REDIS_URL": "redis",
    "CLAMAV_URL": "clamav",
    "EMAIL_URL": "mailpit",
    "ALLOWED_HOSTS": None,
}
# Backing services that must declare a healthcheck, found by image prefix.
NEED_HEALTHCHECK = ("postgres:", "redis:", "clamav/clamav")
EXPECTED_IMAGES = {
    "postgres": "postgres:16",
    "redis": "redis:7",
    "clamav": "clamav/clamav",
    "mailpit": "axllent/mailpit",
}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|ACCESS_KEY|PRIVATE_KEY")
# One ${VAR}, ${VAR:?msg} or ${VAR?msg}: a value that only refers to the environment.
PURE_REF = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?\?[^}]*)?\}")
REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-?])([^}]*))?\}")
DOCKERIGNORE_NEEDS = [
    ".venv",
    ".local",
    "node_modules",
    ".git",
    "static/vendor",
    "media",
    "__pycache__",
    ".env",
]


def resolve(value: str) -> str:
    """Interpolate like compose would with an empty environment: defaults, else 'x'."""
    return REF.sub(lambda m: m.group(3) if m.group(2) == "-" else "x", value)


def as_env(environment) -> dict[str, str]:
    """A service's environment as a dict, from either the mapping or the list form."""
    if isinstance(environment, dict):
        return {k: "" if v is None else str(v) for k, v in environment.items()}
    out = {}
    for item in environment or []:
        key, _, val = str(item).partition("=")
        out[key] = val
    return out


def as_list(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def command_text(svc: dict) -> str:
    cmd = svc.get("command")
    return " ".join(as_list(cmd)) if cmd is not None else ""


def check_compose(path: Path, problems: list[str]) -> None:
    def bad(msg: str) -> None:
        problems.append(f"{path.name}: {msg}")

    try:
        doc = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        bad(f"cannot be read as YAML: {exc}")
        return
    services = (doc or {}).get("services")
    if not isinstance(services, dict) or not services:
        bad("no services")
        return

    for name, image in EXPECTED_IMAGES.items():
        if name not in services:
            bad(f"service '{name}' is missing")
        elif not str(services[name].get("image", "")).startswith(image):
            bad(f"service '{name}' should use image {image}")

    built = {str(s.get("image")) for s in services.values() if s.get("build") and s.get("image")}
    app = {n for n, s in services.items() if s.get("build") or str(s.get("image")) in built}
    declared_volumes = set((doc.get("volumes") or {}).keys())

    for name, svc in services.items():
        where = f"service '{name}'"
        if not isinstance(svc, dict):
            bad(f"{where} is not a mapping")
            continue
        if not svc.get("image") and not svc.get("build"):
            bad(f"{where} has neither image nor build")

        # depends_on: targets exist, conditions are known and can be met.
        deps = svc.get("depends_on") or {}
        deps = {d: {} for d in deps} if isinstance(deps, list) else deps
        for target, spec in deps.items():
            if target not in services:
                bad(f"{where} depends on unknown service '{target}'")
                continue
            cond = (spec or {}).get("condition", "service_started")
            if cond not in CONDITIONS:
                bad(f"{where}: unknown depends_on condition '{cond}' for '{target}'")
            if cond == "service_healthy" and not services[target].get("healthcheck"):
                bad(f"{where} waits for '{target}' to be healthy, but it has no healthcheck")
            if cond == "service_completed_successfully" and str(
                services[target].get("restart", "no")
            ) not in ("no", "on-failure"):
                bad(f"{where} waits for one-shot '{target}' whose restart policy reruns it")

        # Healthchecks of the backing services.
        hc = svc.get("healthcheck") or {}
        needs_hc = str(svc.get("image", "")).startswith(NEED_HEALTHCHECK)
        if needs_hc and (not hc.get("test") or hc.get("disable")):
            bad(f"{where} ({svc.get('image')}) has no healthcheck")

        # Named volumes must be declared at the top level.
        for vol in svc.get("volumes") or []:
            if isinstance(vol, dict):  # long syntax
                source = vol.get("source", "") if vol.get("type") == "volume" else ""
            else:  # "name:/path[:mode]"; a bind mount starts with . / ~ or $
                source = str(vol).split(":")[0] if ":" in str(vol) else ""
            named = source and not source.startswith((".", "/", "~", "$"))
            if named and source not in declared_volumes:
                bad(f"{where} uses volume '{source}' that is not declared under volumes:")

        env = as_env(svc.get("environment"))
        args = svc.get("build", {}).get("args", {}) if isinstance(svc.get("build"), dict) else {}
        check_secrets(where, {**env, **as_env(args)}, bad)

        if name in app:
            check_app_service(where, svc, env, services, bad)

    # Migrations run somewhere, and the three processes exist. A service without a command
    # runs the image's CMD (the Dockerfile's).
    image_cmd = dockerfile_cmd(path.parent / "Dockerfile")
    commands = {n: command_text(services[n]) or image_cmd for n in app}
    # The image's access log names no client address and no query string (AU-3): compose
    # keeps that format wherever it runs gunicorn.
    for n, c in commands.items():
        if "gunicorn" in c and "--access-logformat" not in c:
            bad(f"service '{n}' runs gunicorn without the image's redacted --access-logformat")
    for what, pattern in [
        ("migrations (manage.py migrate)", r"manage\.py migrate"),
        ("gunicorn carm_portal.wsgi:application", r"gunicorn .*carm_portal\.wsgi:application"),
        ("a celery worker", r"celery -A carm_portal worker"),
        ("celery beat", r"celery -A carm_portal beat"),
    ]:
        if not any(re.search(pattern, c) for c in commands.values()):
            bad(f"no app service runs {what}")

    # Literal secrets anywhere in the file, whatever the key (${...} references blanked out).
    text = re.sub(r"\$\{[^}]*\}", "REF", path.read_text())
    for pattern, label in [
        (r"-----BEGIN [A-Z ]*PRIVATE KEY", "a private key"),
        (r"AKIA[0-9A-Z]{16}", "an AWS access key id"),
        (r"://[^/\s:@]+:(?!REF@)[^@\s/]+@", "a password inside a URL"),
    ]:
        if re.search(pattern, text):
            bad(f"contains {label}")


def check_secrets(where: str, env: dict[str, str], bad) -> None:
    for key, value in env.items():
        if SECRET_NAME.search(key) and value and not PURE_REF.fullmatch(value):
            bad(
                f"{where}: {key} must come from .env (${{{key}}} or ${{{key}:?...}}), "
                "not a literal or a default"
            )


def check_app_service(where: str, svc: dict, env: dict[str, str], services: dict, bad) -> None:
    raw = svc.get("env_file") or []
    raw = [raw] if isinstance(raw, (str, dict)) else raw  # string, list, or {path, required}
    env_files = [str(e.get("path", "")) if isinstance(e, dict) else str(e) for e in raw]
    for key, service in APP_ENV.items():
        if key not in env:
            bad(f"{where} (app image) lacks {key} in environment")
            continue
        if service:
            host = urlsplit(resolve(env[key])).hostname
            if host not in services:
                bad(f"{where}: {key} points at '{host}', which is not a service of this file")
    settings = env.get("DJANGO_SETTINGS_MODULE", "")
    if settings and settings != "carm_portal.settings.production":
        bad(f"{where}: DJANGO_SETTINGS_MODULE is {settings}, not carm_portal.settings.production")
    if "SECRET_KEY" not in env and ".env" not in env_files:
        bad(f"{where} (app image) gets no SECRET_KEY (neither environment nor env_file .env)")
    if ".env" not in env_files:
        bad(f"{where} (app image) does not read env_file .env")
    mounts = " ".join(str(v) for v in svc.get("volumes") or [])
    if "/app/media" not in mounts:
        bad(f"{where} (app image) does not mount the media volume at /app/media")


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuations joined."""
    out, buf = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        line, buf = buf + line, ""
        word, _, rest = line.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def dockerfile_cmd(path: Path) -> str:
    """The final CMD of a Dockerfile as one line ('' when there is none)."""
    try:
        instructions = dockerfile_instructions(path.read_text())
    except OSError:
        return ""
    cmds = [a for i, a in instructions if i == "CMD"]
    if not cmds:
        return ""
    try:
        return " ".join(json.loads(cmds[-1]))
    except ValueError:
        return cmds[-1]


def check_dockerfile(path: Path, problems: list[str]) -> None:
    def bad(msg: str) -> None:
        problems.append(f"{path.name}: {msg}")

    try:
        instructions = dockerfile_instructions(path.read_text())
    except OSError as exc:
        bad(f"cannot be read: {exc}")
        return
    stages: list[dict] = []  # {"base", "name", "lines": [(instr, args)]}
    for instr, args in instructions:
        if instr == "FROM":
            m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?", args, re.IGNORECASE)
            stages.append({"base": m.group(1), "name": (m.group(2) or "").lower(), "lines": []})
        elif stages:
            stages[-1]["lines"].append((instr, args))
    if len(stages) < 2:
        bad(f"expected a multi-stage build, found {len(stages)} stage(s)")
        return
    node = next((s for s in stages if s["base"] == "node:20-slim"), None)
    final = stages[-1]
    if node is None:
        bad("no node:20-slim stage for the front-end assets")
    else:
        runs = " ".join(a for i, a in node["lines"] if i == "RUN")
        for needle in ("npm ci", "build.mjs"):
            if needle not in runs:
                bad(f"node stage does not run '{needle}'")
    if final["base"] != "python:3.11-slim-bookworm":
        bad(f"final stage is {final['base']}, expected python:3.11-slim-bookworm")

    lines = final["lines"]
    runs = " ".join(a for i, a in lines if i == "RUN")
    for needle in (
        "libmagic1",
        "--require-hashes",
        "requirements.lock",
        "compiletranslations",
        "collectstatic",
    ):
        if not re.search(rf"(?<![\w-]){re.escape(needle)}(?![\w-])", runs):
            bad(f"final stage does not RUN anything with '{needle}'")
    # OPS-1: the locked dependencies install in a layer before the code is copied.
    order = [(i, a) for i, a in lines if i in ("COPY", "RUN")]
    lock_run = next((n for n, (i, a) in enumerate(order) if "--require-hashes" in a), None)
    code_copy = next((n for n, (i, a) in enumerate(order) if i == "COPY" and a == ". ."), None)
    if lock_run is not None and code_copy is not None and lock_run > code_copy:
        bad("the hashed lock is installed after the code is copied (no cached layer)")
    copies = [a for i, a in lines if i == "COPY" and "--from=" in a]
    if node and not any(f"--from={node['name']}" in c and "static/vendor" in c for c in copies):
        bad("final stage does not COPY static/vendor from the node stage")
    users = [a for i, a in lines if i == "USER"]
    if not users or users[-1].split(":")[0] in ("root", "0"):
        bad("final stage does not switch to a non-root USER")
    if not any(i == "EXPOSE" and "8000" in a.split() for i, a in lines):
        bad("final stage does not EXPOSE 8000")
    cmd = [a for i, a in lines if i in ("CMD", "ENTRYPOINT")]
    if not cmd or "gunicorn" not in cmd[-1]:
        bad("final stage CMD does not run gunicorn")
    for stage in stages:
        for instr, args in stage["lines"]:
            if instr == "ENV" and re.search(r"\bSECRET_KEY\b", args):
                bad("SECRET_KEY is set with ENV (it would stay in the image): use a build ARG")


def check_dockerignore(path: Path, problems: list[str]) -> None:
    try:
        entries = [
            ln.strip()
            for ln in path.read_text().splitlines()
            if ln.strip() and not ln.startswith("#")
        ]
    except OSError:
        problems.append(f"{path.name}: missing")
        return
    for need in DOCKERIGNORE_NEEDS:
        if not any(e.strip("/").removeprefix("**/") == need for e in entries):
            problems.append(f"{path.name}: does not exclude {need}")


def validate(root: Path) -> list[str]:
    problems: list[str] = []
    check_compose(root / "docker-compose.yml", problems)
    check_dockerfile(root / "Dockerfile", problems)
    check_dockerignore(root / ".dockerignore", problems)
    return problems


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    problems = validate(root)
    for p in problems:
        print(f"validate_compose: ERROR {p}", file=sys.stderr)
    if problems:
        print(f"validate_compose: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("validate_compose: OK (docker-compose.yml, Dockerfile, .dockerignore)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
