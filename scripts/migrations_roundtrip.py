"""Every migration of the portal's apps is reversible (SEC adversarial list): on an empty
database, migrate forward, then each app back to zero (its dependants follow), then
forward again. One process, so it costs the migrations and nothing more.

Usage (CI): DATABASE_URL=postgres://…/an_empty_database python scripts/migrations_roundtrip.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carm_portal.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402

# Dependants first, so each app's own migrations are what goes back to zero.
APPS = ["calculator", "rulings", "finance", "documents", "notices", "delegation"]
APPS += ["business", "accounts", "carm_portal"]


def main() -> int:
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        if cursor.fetchone()[0]:
            print("migrations_roundtrip: the database is not empty", file=sys.stderr)
            return 2
    call_command("migrate", interactive=False, verbosity=0)
    for app in APPS:
        call_command("migrate", app, "zero", interactive=False, verbosity=0)
        print(f"  {app}: back to zero")
    call_command("migrate", interactive=False, verbosity=0)
    executor = MigrationExecutor(connection)
    left = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if left:
        print(f"migrations_roundtrip: not applied again: {left}", file=sys.stderr)
        return 1
    print(f"migrations_roundtrip: OK in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
