"""The alert rules beside the deployment (deploy/monitoring, SPEC OPS-4): promtool accepts
them and their unit tests pass (each fault's series fires its alert), and every metric an
alert watches is one that /metrics really exports."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from carm_portal.tasks import worker_heartbeat
from documents import clamav

MONITORING = Path(__file__).resolve().parents[1] / "deploy" / "monitoring"


def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("promtool is missing (Debian package prometheus; .ci/run installs it)")
        pytest.skip("promtool is not installed (apt-get install prometheus)")
    return path


def rules() -> list[dict]:
    groups = yaml.safe_load((MONITORING / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


@pytest.mark.spec("OPS-4")
def test_promtool_accepts_the_rules_and_their_unit_tests_pass():
    tool = promtool()
    check = subprocess.run(
        [tool, "check", "rules", "alerts.yml"], cwd=MONITORING, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"SUCCESS: {len(rules())} rules found" in check.stdout
    test = subprocess.run(
        [tool, "test", "rules", "alerts_test.yml"], cwd=MONITORING, capture_output=True, text=True
    )
    assert test.returncode == 0, test.stdout + test.stderr


@pytest.mark.spec("OPS-4")
def test_every_alert_is_unit_tested_and_names_its_fault_and_runbook():
    tested = set(re.findall(r"alertname: (\w+)", (MONITORING / "alerts_test.yml").read_text()))
    operations = (Path(__file__).resolve().parents[1] / "docs" / "operations.md").read_text()
    for rule in rules():
        assert rule["alert"] in tested, rule["alert"]
        assert rule["labels"]["fault"] and rule["labels"]["severity"] in {"page", "ticket"}
        assert rule["annotations"]["runbook"].startswith("docs/operations.md#")
        assert rule["alert"] in operations, f"{rule['alert']} is not in docs/operations.md"


@pytest.mark.spec("OPS-4")
@pytest.mark.django_db
def test_every_metric_an_alert_watches_is_exported():
    worker_heartbeat()  # the heartbeat age appears once a worker has run it
    browser = Client()
    browser.get("/en/")  # per-view series appear with the first request
    response = browser.get("/metrics", REMOTE_ADDR="127.0.0.1")
    exported = set()
    for family in text_string_to_metric_families(response.content.decode()):
        exported |= {family.name, f"{family.name}_total"}
        exported |= {sample.name for sample in family.samples}
    try:
        clamd_up = clamav.ping()
    except clamav.ClamdUnavailable:
        clamd_up = False
    for rule in rules():
        for name in re.findall(r"\b((?:carm|django)_[a-z_]+)\b", rule["expr"]):
            if name == "carm_clamav_official_signatures" and not clamd_up:
                continue  # only when clamd answers; the scanning tests need it anyway
            assert name in exported, f"{rule['alert']} watches {name}, which is not exported"
