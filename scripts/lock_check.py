#!/usr/bin/env python3
"""OPS-1: fail when requirements.lock is out of step with pyproject.toml.

    .venv-tools/bin/python scripts/lock_check.py      (make lock-check; .ci/run)

Resolves pyproject.toml again with pip-compile, the same options as `make lock`, starting
from a copy of the committed lock (pip-compile keeps every pin that still fits), and
compares the pins. A dependency added, removed or given a range the pin no longer meets
changes them; a new release upstream does not. Hashes are not compared (an upstream can
add a wheel to a pinned version); tests/test_image_build.py checks that each pin has some.
Exits 0 when in step, 1 with the difference and the command that fixes it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"


def make_lock_args() -> list[str]:
    """LOCK_ARGS of the Makefile, so the check and `make lock` cannot drift apart."""
    text = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    m = re.search(r"^LOCK_ARGS := (.*)$", text, re.M)
    if not m:
        sys.exit("lock_check: no LOCK_ARGS in the Makefile")
    return m.group(1).split()


def pins(path: Path) -> set[str]:
    return {
        m.group(0).lower() for m in re.finditer(r"^[A-Za-z0-9._-]+==\S+", path.read_text(), re.M)
    }


def main() -> int:
    compile_ = Path(sys.executable).parent / "pip-compile"
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "requirements.lock"
        shutil.copy(LOCK, fresh)
        result = subprocess.run(  # noqa: S603
            [str(compile_), *make_lock_args(), "--output-file", str(fresh)],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            print(result.stderr[-4000:], file=sys.stderr)
            print("lock_check: pip-compile failed", file=sys.stderr)
            return 1
        before, after = pins(LOCK), pins(fresh)
    if before == after:
        print(
            f"lock_check: OK, requirements.lock is in step with pyproject.toml ({len(before)} pins)"
        )
        return 0
    for line in sorted(before - after):
        print(f"lock_check: - {line}", file=sys.stderr)
    for line in sorted(after - before):
        print(f"lock_check: + {line}", file=sys.stderr)
    print(
        "lock_check: requirements.lock is out of step with pyproject.toml: run `make lock`",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
