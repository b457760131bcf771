"""The production image (OPS-1) without a Docker engine: the Dockerfile's build-time
commands replayed with exactly the variables it sets, and the hashed lock in step with
pyproject.toml."""

import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from validate_compose import dockerfile_instructions  # noqa: E402

WORKDIR = "/app"  # the image's WORKDIR: replaced by the copy of the repository


def final_stage():
    """The last stage's (INSTRUCTION, arguments) pairs."""
    stages: list[list[tuple[str, str]]] = []
    for instr, args in dockerfile_instructions((ROOT / "Dockerfile").read_text()):
        if instr == "FROM":
            stages.append([])
        elif stages:
            stages[-1].append((instr, args))
    return stages[-1]


def env_pairs(args: str) -> dict[str, str]:
    """ENV/ARG arguments (KEY=value pairs, or the old 'KEY value' form)."""
    words = shlex.split(args)
    if len(words) == 2 and "=" not in words[0]:
        return {words[0]: words[1]}
    return dict(w.split("=", 1) if "=" in w else (w, "") for w in words)


def build_time_commands():
    """Each RUN that calls manage.py, with the ENV and ARG values in force at that line."""
    variables: dict[str, str] = {}
    found = []
    workdir = "/"
    for instr, args in final_stage():
        if instr in ("ENV", "ARG"):
            variables.update(env_pairs(args))
        elif instr == "WORKDIR":
            workdir = args
        elif instr == "RUN" and "manage.py" in args:
            found.append((args, dict(variables), workdir))
    return found


@pytest.mark.spec("OPS-1")
def test_the_dockerfile_build_step_runs_with_only_the_variables_it_sets(tmp_path):
    """Replays the final stage's manage.py RUN lines (compiletranslations, collectstatic)
    under production settings, in a copy of the repository standing for /app, with the
    Dockerfile's ENV and ARG values and nothing else from this environment: a setting that
    production requires and the build step does not give fails here as it would in
    `docker build`."""
    commands = build_time_commands()
    assert commands, "no RUN line calls manage.py in the final stage"
    assert any("compiletranslations" in c and "collectstatic" in c for c, _, _ in commands)

    app = tmp_path / "app"
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (app / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, app / name)
    # The front-end assets come from the node stage (`make assets` here).
    vendor = ROOT / "static" / "vendor"
    assert vendor.is_dir(), "static/vendor is missing: run `make assets` first"
    shutil.copytree(vendor, app / "static" / "vendor")

    venv_bin = Path(sys.executable).parent
    for command, variables, workdir in commands:
        assert variables.get("DJANGO_SETTINGS_MODULE") == "carm_portal.settings.production"
        env = {k: v.replace(WORKDIR, str(app)) for k, v in variables.items()}
        # Only the interpreter comes from here: the image's `python` is its only Python.
        env["PATH"] = f"{venv_bin}:/usr/bin:/bin"
        result = subprocess.run(  # noqa: S603 - the Dockerfile's own command
            ["/bin/sh", "-c", command],
            cwd=workdir.replace(WORKDIR, str(app)),
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"RUN {command}\n{result.stdout}\n{result.stderr}"
    assert (app / "staticfiles" / "staticfiles.json").is_file()
    assert (app / "locale" / "fr" / "LC_MESSAGES" / "django.mo").is_file()


@pytest.mark.spec("OPS-1")
def test_the_build_step_gives_every_key_production_requires():
    """The build-only stand-ins: SECRET_KEY and each encryption key list that the production
    settings read without a default, never with ENV (which would stay in the image)."""
    production = (ROOT / "carm_portal" / "settings" / "production.py").read_text()
    required = set(re.findall(r'env\.(?:str|list)\("([A-Z_]+)"\)', production))
    assert {"SECRET_KEY", "PAD_ENCRYPTION_KEYS"} <= required
    for command, variables, _ in build_time_commands():
        given = set(re.findall(r"\b([A-Z][A-Z0-9_]*)=", command)) | set(variables)
        assert required <= given, f"the build step misses {required - given}"
    for instr, args in final_stage():
        if instr == "ENV":
            assert not re.search(r"SECRET_KEY|ENCRYPTION_KEYS", args)


def locked() -> dict[str, tuple[str, list[str], bool]]:
    """requirements.lock as {name: (version, [hashes], pinned for pyproject.toml itself)}."""
    text = (ROOT / "requirements.lock").read_text()
    out = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        m = re.match(r"([A-Za-z0-9._-]+)==(\S+)", block)
        if m:
            out[canonicalize_name(m.group(1))] = (
                m.group(2),
                re.findall(r"sha256:\w+", block),
                "carm-portal (pyproject.toml)" in block,
            )
    return out


@pytest.mark.spec("OPS-1")
def test_the_hashed_lock_is_in_step_with_pyproject():
    """Every production dependency of pyproject.toml is pinned in requirements.lock at a
    version its range accepts, with hashes; nothing is pinned 'via' pyproject.toml that it
    no longer names; the build backend is locked too (the image builds without isolation).
    `make lock` regenerates it; `make lock-check` re-resolves against the index."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    lock = locked()
    assert lock, "requirements.lock pins nothing"
    direct = {}
    for line in project["project"]["dependencies"] + project["build-system"]["requires"]:
        req = Requirement(line)
        direct[canonicalize_name(req.name)] = req
    for name, req in direct.items():
        assert name in lock, f"{req} is not in requirements.lock: run `make lock`"
        version, _, _ = lock[name]
        assert req.specifier.contains(version, prereleases=True), (
            f"requirements.lock pins {name}=={version}, outside {req}: run `make lock`"
        )
    for name, (version, hashes, _) in lock.items():
        assert hashes, f"{name}=={version} has no hash"
    stale = {name for name, (_, _, for_project) in lock.items() if for_project} - set(direct)
    assert not stale, f"requirements.lock still pins {stale} for pyproject.toml: run `make lock`"
    text = (ROOT / "requirements.lock").read_text()
    # No index or find-links address in the lock (the committed-file scan checks hosts).
    assert not re.search(r"^\s*--(?:index-url|extra-index-url|find-links|trusted-host)", text, re.M)


@pytest.mark.spec("OPS-1")
def test_compose_runs_the_image_command_with_its_redacted_access_log():
    """AU-3 through compose: the web service keeps the image's CMD and its log format."""
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert "command" not in compose["services"]["web"]
    cmd = [json.loads(a) for i, a in final_stage() if i == "CMD"][-1]
    log_format = cmd[cmd.index("--access-logformat") + 1]
    assert "%(h)s" not in log_format and "%(q)s" not in log_format and "%(r)s" not in log_format
    assert "%(U)s" in log_format  # the path, without its query string
    gunicorn_conf = (ROOT / "gunicorn.conf.py").read_text()
    assert f'access_log_format = "{log_format}"' in gunicorn_conf  # one format, with the request id


@pytest.mark.spec("OPS-1")
def test_the_image_installs_the_lock_before_the_code():
    """The locked dependencies form a layer of their own before `COPY . .`."""
    steps = [(i, a) for i, a in final_stage() if i in ("COPY", "RUN")]
    lock_copy = steps.index(("COPY", "requirements.lock ./"))
    lock_install = next(n for n, (i, a) in enumerate(steps) if "--require-hashes" in a)
    code = steps.index(("COPY", ". ."))
    assert lock_copy < lock_install < code
    assert "-r requirements.lock" in steps[lock_install][1]
    assert re.search(r"^lock:", (ROOT / "Makefile").read_text(), re.M), "no `make lock`"
