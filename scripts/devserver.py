"""`make run`: the portal with demo data, a Celery worker and every service it needs.

Uses DATABASE_URL / REDIS_URL when they are set, else starts the embedded PostgreSQL and
Redis (carm_portal/embedded.py); installs clamd when it is missing and starts it, with the
official signatures when freshclam reaches its mirror (scripts/clamd.sh install/update/start);
migrates, compiles the translations, loads the demo data, then runs the web server and
a Celery worker (with its beat) until Ctrl-C, which stops every process it started.

Both sign-in paths of the guide (SPEC SIGN-3): GCKey, and a Sign-In Partner through the
**test federation** (tests/oidc/provider.mjs, the one the tests use; its pages say
"Test federation"), started here unless OIDC_RP_CLIENT_ID names a real federation.
Production never starts it: it reads the real federation's settings (ADR 0006).

Card payments (FIN-6): the **test payment processor** (tests/processor/server.py, the one
the tests use; its pages say "TEST payment processor"), started here unless
PAYMENT_PROCESSOR_URL names a real one; the demo importer pays with its test cards.
Production never starts it (ADR 0018).
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
    started = {"embedded": False, "clamd": False}
    processes: list[subprocess.Popen] = []
    stopping = {"asked": False}

    def ask_stop(*_args):
        stopping["asked"] = True

    # Ctrl-C reaches this process only (children run in their own sessions); it stops
    # them in order, then the services it started.
    signal.signal(signal.SIGINT, ask_stop)
    signal.signal(signal.SIGTERM, ask_stop)
    try:
        start_services(env, started, embedded)
        federation = start_test_federation(env)
        if federation is not None:
            processes.append(federation)
        payments = start_test_processor(env)
        if payments is not None:
            processes.append(payments)
        manage("migrate", "--no-input", "-v", "0", env=env)
        manage("compiletranslations", env=env)
        manage("seed_demo", env=env)
        for command in (
            [PYTHON, "manage.py", "runserver", f"{HOST}:{PORT}"],
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "carm_portal",
                "worker",
                "-B",
                # Every queue of CELERY_TASK_ROUTES (settings.WORKER_QUEUES, OPS-2).
                "-Q",
                "celery,scanning,email,statements",
                "-l",
                "info",
                "--concurrency",
                "2",
                "-s",
                str(ROOT / ".local" / "celerybeat-schedule"),
            ],
        ):
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True))  # noqa: S603
        time.sleep(2)
        say(f"The portal is at http://{HOST}:{PORT}/en/ and http://{HOST}:{PORT}/fr/")
        say(f"CBSA staff administration: http://{HOST}:{PORT}/admin/")
        say("Press Ctrl-C to stop everything this command started.")
        while not stopping["asked"]:
            if any(p.poll() is not None for p in processes):
                say("a process stopped on its own; stopping the others")
                return 1
            time.sleep(0.5)
        return 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if started["clamd"]:
            subprocess.run(  # noqa: S603
                ["bash", str(ROOT / "scripts" / "clamd.sh"), "stop"],  # noqa: S607
                cwd=ROOT,
                check=False,
            )
        if started["embedded"]:
            embedded.stop_all()
        say("stopped")


FEDERATION_PORT = os.environ.get("OIDC_TEST_FEDERATION_PORT", "8010")
FEDERATION_CLIENT = ("carm-portal", "carm-portal-test-secret")  # test federation only


def start_test_federation(env: dict) -> subprocess.Popen | None:
    """The test Sign-In Partner federation on loopback (SIGN-3), configured in ``env``."""
    if env.get("OIDC_RP_CLIENT_ID"):
        say("Sign-In Partner: the federation configured by OIDC_RP_CLIENT_ID")
        return None
    here = ROOT / "tests" / "oidc"
    node = shutil.which("node")
    if node is None or not (here / "node_modules" / "oidc-provider").is_dir():
        say("Sign-In Partner: not available (run `make oidc-provider`; needs Node.js 18+)")
        return None
    local = ROOT / ".local"
    local.mkdir(exist_ok=True)
    ready = local / "oidc-federation.ready"
    ready.unlink(missing_ok=True)
    client_id, secret = FEDERATION_CLIENT
    process = subprocess.Popen(  # noqa: S603 - our own script
        [node, str(here / "provider.mjs")],
        cwd=here,
        env={
            "PATH": env.get("PATH", ""),
            "HOME": env.get("HOME", str(local)),
            "OIDC_TEST_PORT": FEDERATION_PORT,
            "OIDC_TEST_CLIENT_ID": client_id,
            "OIDC_TEST_CLIENT_SECRET": secret,
            "NODE_ENV": "test",
            "OIDC_TEST_REDIRECT_URIS": f"http://{HOST}:{PORT}/oidc/callback/,"
            f"http://localhost:{PORT}/oidc/callback/",
            "OIDC_TEST_KEYS": str(local / "oidc-federation-keys.json"),
            "OIDC_TEST_READY_FILE": str(ready),
        },
        stdout=(local / "oidc-federation.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not (ready.exists() and ready.read_text()):
        if process.poll() is not None:
            say("Sign-In Partner: the test federation stopped (see .local/oidc-federation.log)")
            return None
        time.sleep(0.1)
    if not (ready.exists() and ready.read_text()):
        process.terminate()
        say("Sign-In Partner: the test federation did not start (.local/oidc-federation.log)")
        return None
    issuer = ready.read_text().strip()
    env["OIDC_RP_CLIENT_ID"], env["OIDC_RP_CLIENT_SECRET"] = client_id, secret
    env["OIDC_OP_DISCOVERY_URL"] = f"{issuer}/.well-known/openid-configuration"
    say(
        f"Sign-In Partner: a TEST federation (not real banks) at {issuer}: choose any bank "
        "and type any test account name"
    )
    return process


PROCESSOR_PORT = os.environ.get("PAYMENT_TEST_PROCESSOR_PORT", "8020")
# The test processor's secrets: fixed test values, acceptable only here (ADR 0018).
PROCESSOR_SECRETS = (
    "test-processor-request-secret-not-secret",
    "test-processor-webhook-secret-not-secret",
)


def start_test_processor(env: dict) -> subprocess.Popen | None:
    """The TEST payment processor on loopback (FIN-6), configured in ``env``."""
    if env.get("PAYMENT_PROCESSOR_URL"):
        say(f"Card payments: the processor at {env['PAYMENT_PROCESSOR_URL']}")
        return None
    local = ROOT / ".local"
    local.mkdir(exist_ok=True)
    ready = local / "payment-processor.ready"
    ready.unlink(missing_ok=True)
    request_secret, webhook_secret = PROCESSOR_SECRETS
    process = subprocess.Popen(  # noqa: S603 - our own script
        [PYTHON, str(ROOT / "tests" / "processor" / "server.py")],
        cwd=ROOT,
        env={
            "PATH": env.get("PATH", ""),
            "PROCESSOR_PORT": PROCESSOR_PORT,
            "PROCESSOR_READY_FILE": str(ready),
            "PROCESSOR_MERCHANT": env.get("PAYMENT_PROCESSOR_MERCHANT", "carm-portal"),
            "PROCESSOR_REQUEST_SECRET": request_secret,
            "PROCESSOR_WEBHOOK_SECRET": webhook_secret,
        },
        stdout=(local / "payment-processor.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not (ready.exists() and ready.read_text()):
        if process.poll() is not None:
            say("Card payments: the test processor stopped (see .local/payment-processor.log)")
            return None
        time.sleep(0.1)
    if not (ready.exists() and ready.read_text()):
        process.terminate()
        say("Card payments: the test processor did not start (.local/payment-processor.log)")
        return None
    env["PAYMENT_PROCESSOR_URL"] = ready.read_text().strip()
    env["PAYMENT_PROCESSOR_REQUEST_SECRET"], env["PAYMENT_PROCESSOR_WEBHOOK_SECRET"] = (
        request_secret,
        webhook_secret,
    )
    say(
        f"Card payments: a TEST payment processor (no real card, no money) at "
        f"{env['PAYMENT_PROCESSOR_URL']}: card 4242 4242 4242 4242 succeeds, "
        "4000 0000 0000 0002 is declined, 4000 0000 0000 0077 succeeds after a delay"
    )
    return process


def start_services(env: dict, started: dict, embedded) -> None:
    if not env.get("DATABASE_URL"):
        # Started here once; every process then finds it running (local settings).
        say("DATABASE_URL is unset: starting the embedded PostgreSQL (.local/pgdata)")
        started["embedded"] = True
        embedded.postgres_settings()
    if not env.get("REDIS_URL"):
        say("REDIS_URL is unset: starting the embedded Redis")
        started["embedded"] = True
        env["REDIS_URL"] = embedded.redis_url()
    if env.get("CLAMAV_URL"):
        return
    clamd_sh = ["bash", str(ROOT / "scripts" / "clamd.sh")]
    # Virus scanning is part of the portal (OPS-4): install clamd when it is missing (as
    # root or through passwordless sudo; else clamd.sh prints the one command), then try
    # freshclam (short timeouts; the generated test signature when its mirror is out of reach).
    if subprocess.run([*clamd_sh, "install"], cwd=ROOT, env=env).returncode != 0:  # noqa: S603
        say(
            "ClamAV (clamd) is not installed: uploaded files will stay quarantined, "
            "never marked clean, until it is (the command is above); the upload "
            "confirmation page says why."
        )
        return
    if subprocess.run([*clamd_sh, "status"], cwd=ROOT, env=env, capture_output=True).returncode:  # noqa: S603
        subprocess.run([*clamd_sh, "update"], cwd=ROOT, env=env, check=False)  # noqa: S603
    result = subprocess.run(  # noqa: S603
        [*clamd_sh, "start"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    print(result.stderr, end="")  # says which signatures it uses
    if result.returncode == 0:
        started["clamd"] = True
        env["CLAMAV_URL"] = result.stdout.strip().removeprefix("export CLAMAV_URL=")
        say(f"ClamAV is scanning uploads at {env['CLAMAV_URL']} (/healthz names its signatures)")
    else:
        say(
            "clamd did not start: uploaded files will stay quarantined (pending scan) "
            "until it runs; the upload confirmation page says why."
        )


if __name__ == "__main__":
    sys.exit(main())
