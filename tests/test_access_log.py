"""SEC-9: gunicorn's access log goes through the portal's redaction and carries the
request id, whatever the command line (gunicorn.conf.py is read from the working
directory: the image's CMD and compose alike)."""

from __future__ import annotations

import logging
import runpy
from pathlib import Path

import pytest
from gunicorn.config import Config

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.spec("SEC-9")
def test_access_log_is_redacted_and_names_the_request_id():
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    cfg = Config()
    for name in ("accesslog", "access_log_format", "logger_class"):
        cfg.set(name, conf[name])
    logger = conf["RedactingLogger"](cfg)
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    keep = Keep()
    logger.access_log.addHandler(keep)
    try:
        atoms = {
            "m": "GET",
            "U": "/en/profile/jo.tremblay@example.ca/",
            "s": "200",
            "b": "10",
            "L": "0.01",
            "{x-request-id}o": "abc123",
        }
        logger.access_log.info(cfg.access_log_format, atoms)
    finally:
        logger.access_log.removeHandler(keep)
    line = records[0].getMessage()
    assert line == "GET /en/profile/[email]/ 200 10 0.01 abc123"
    # no client address (%(h)s) and no query string (%(q)s, %(r)s) in the format
    assert "%(h)s" not in cfg.access_log_format and "%(r)s" not in cfg.access_log_format


@pytest.mark.spec("SEC-9")
def test_compose_does_not_override_the_log_format():
    import yaml

    web = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]
    command = " ".join(web.get("command") or [])
    assert "access-log" not in command and "--log-config" not in command
