"""Start the TEST payment processor (``tests/processor/server.py``) on a free loopback
port, as the tests start the test OpenID Connect provider (FIN-6)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
SERVER = HERE / "server.py"
START_TIMEOUT = 15.0
SUCCEEDS, DECLINED, DELAYED = "4242424242424242", "4000000000000002", "4000000000000077"


@dataclass
class RunningProcessor:
    url: str
    process: subprocess.Popen
    log: Path

    def events(self) -> list[dict]:
        """The webhooks it sent and the portal's answers."""
        return requests.get(f"{self.url}/events", timeout=5).json()

    def wait_for_events(self, count: int, timeout: float = 20.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while True:
            events = self.events()
            if len(events) >= count or time.monotonic() > deadline:
                return events
            time.sleep(0.1)

    def replay(self) -> dict:
        """Send the last webhook again, unchanged."""
        return requests.post(f"{self.url}/replay", timeout=20).json()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_processor(
    *, request_secret: str, webhook_secret: str, merchant: str, delay: float = 2.0
) -> RunningProcessor:
    workdir = Path(tempfile.mkdtemp(prefix="test-processor-"))
    ready, log = workdir / "ready", workdir / "processor.log"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PROCESSOR_PORT": "0",
        "PROCESSOR_READY_FILE": str(ready),
        "PROCESSOR_MERCHANT": merchant,
        "PROCESSOR_REQUEST_SECRET": request_secret,
        "PROCESSOR_WEBHOOK_SECRET": webhook_secret,
        "PROCESSOR_DELAY": str(delay),
    }
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own script
            [sys.executable, str(SERVER)], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the test processor stopped:\n{log.read_text()}")
        if ready.exists() and ready.read_text():
            url = ready.read_text().strip()
            try:
                if requests.get(f"{url}/healthz", timeout=2).ok:
                    return RunningProcessor(url=url, process=process, log=log)
            except requests.ConnectionError:
                pass
        time.sleep(0.02)
    process.kill()
    process.wait(timeout=5)
    raise RuntimeError(f"the test processor did not start:\n{log.read_text()}")
