"""`make run`: the portal with demo data, a Celery worker and every service it needs.

Uses DATABASE_URL / REDIS_URL when they are set, else starts the embedded PostgreSQL and
Redis (carm_portal/embedded.py); starts clamd when it is installed (scripts/clamd.sh);
migrates, compiles the translations, loads the demo data, then runs the web server and
a Celery worker (with its beat) until Ctrl-C, which stops every process it started.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")


def say(message: str) -> None:
    print(f"[make run] {message}", flush=True)


def manage(*args: str, env: dict) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def main() -> int:
    from carm_portal import embedded

    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "carm_portal.settings.local")
    started_embedded = False
    if not env.get("DATABASE_URL"):
        # Started here once; every process then finds it running (local settings).
        say("DATABASE_URL is unset: starting the embedded PostgreSQL (.local/pgdata)")
        embedded.postgres_settings()
        started_embedded = True
    if not env.get("REDIS_URL"):
        say("REDIS_URL is unset: starting the embedded Redis")
        env["REDIS_URL"] = embedded.redis_url()
        started_embedded = True

    clamd_started = False
    if not env.get("CLAMAV_URL"):
        if shutil.which("clamd") or Path("/usr/sbin/clamd").exists():
            result = subprocess.run(  # noqa: S603
                ["bash", str(ROOT / "scripts" / "clamd.sh"), "start"],  # noqa: S607
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            print(result.stderr, end="")  # says which signatures it uses
            if result.returncode == 0:
                clamd_started = True
                env["CLAMAV_URL"] = result.stdout.strip().removeprefix("export CLAMAV_URL=")
                say(f"ClamAV is scanning uploads at {env['CLAMAV_URL']}")
            else:
                say("clamd did not start: uploaded files will stay quarantined")
        else:
            say(
                "ClamAV (clamd) is not installed: uploaded files will stay quarantined "
                "until it is (apt-get install clamav-daemon)."
            )

    manage("migrate", "--no-input", "-v", "0", env=env)
    manage("compiletranslations", env=env)
    manage("seed_demo", env=env)

    processes = [
        subprocess.Popen([PYTHON, "manage.py", "runserver", f"{HOST}:{PORT}"], cwd=ROOT, env=env),  # noqa: S603
        subprocess.Popen(  # noqa: S603
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "carm_portal",
                "worker",
                "-B",
                "-l",
                "info",
                "--concurrency",
                "2",
                "-s",
                str(ROOT / ".local" / "celerybeat-schedule"),
            ],
            cwd=ROOT,
            env=env,
        ),
    ]
    time.sleep(2)
    say(f"The portal is at http://{HOST}:{PORT}/en/ and http://{HOST}:{PORT}/fr/")
    say(f"CBSA staff administration: http://{HOST}:{PORT}/admin/")
    say("Press Ctrl-C to stop everything this command started.")

    def stop(*_args):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        say("a process stopped on its own; stopping the others")
        return_code = 1
    except KeyboardInterrupt:
        return_code = 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if clamd_started:
            subprocess.run(  # noqa: S603
                ["bash", str(ROOT / "scripts" / "clamd.sh"), "stop"],  # noqa: S607
                cwd=ROOT,
                check=False,
            )
        if started_embedded:
            embedded.stop_all()
        say("stopped")
    return return_code


if __name__ == "__main__":
    sys.exit(main())
