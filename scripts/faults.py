"""The fault rehearsal of SPEC OPS-4: every back-end fails during a journey.

    .venv/bin/python scripts/faults.py [--small] [pytest arguments]

Runs the tests marked ``faults`` (pytest -m faults) at the issue's scale (a bulk notice
to 10,000 people, 30 people signing in without Redis, a 15-second PostgreSQL outage;
``--small``: CI's scale) and prints one line per case: requests (or items) attempted,
failed during the fault, data lost (must be 0) and seconds to recover once the back-end
returned, then the table for docs/operations.md. Needs what `make test` needs (PostgreSQL,
Redis, clamd: scripts/test.sh starts them) and root for the tmpfs of the full-disk case.
Every back-end it stops is its own (a throw-away PostgreSQL cluster, a redis-server, a
relay to clamd, a closed SMTP port): never the machine's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    small = "--small" in argv
    args = [a for a in argv if a != "--small"]
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", delete=False) as report:
        path = report.name
    env = {**os.environ, "FAULTS_REPORT": path}
    if not small:
        env["FAULTS_SCALE"] = "full"
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pytest", "-m", "faults", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env=env,
    )
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    os.unlink(path)
    print()
    for row in rows:
        print(
            f"{row['case']}: attempted={row['attempted']} failed={row['failed']} "
            f"lost={row['lost']} recover_seconds={row['recover_seconds']}"
        )
    print()
    print("| Fault | Attempted | Failed during the fault | Data lost | Seconds to recover |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row['case']} | {row['attempted']} | {row['failed']} | {row['lost']} "
            f"| {row['recover_seconds']} |"
        )
    lost = sum(row["lost"] for row in rows)
    print(f"\n{len(rows)} cases, data lost: {lost}")
    return done.returncode or (1 if lost else 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
