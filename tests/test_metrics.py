"""Prometheus metrics (OPS-4, SEC-5): /metrics answers only on the operators' networks
and never through a proxy, and each metric an alert rule watches moves when its fault
happens: real back-ends made unreachable (closed ports), real requests, a real sign-in
failure, real messages in the real Redis queue."""

import socket

import pytest
from celery import shared_task
from django.db import connection
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from carm_portal import metrics
from carm_portal.celery import app
from documents.tests.factories import DocumentFactory
from notices.models import NoticeDelivery

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scrape(client=None) -> dict:
    response = (client or Client()).get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    values = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def value(values: dict, name: str, **labels) -> float:
    return values.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.mark.spec("OPS-4")
@pytest.mark.parametrize(
    "meta",
    [
        {"REMOTE_ADDR": "203.0.113.7"},  # the internet
        {"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "203.0.113.7"},  # via ingress
        {"REMOTE_ADDR": "10.1.2.3", "HTTP_FORWARDED": "for=203.0.113.7"},
    ],
)
def test_metrics_are_not_served_to_the_public_or_through_a_proxy(client, meta):
    response = client.get("/metrics", **meta)
    assert response.status_code == 404
    assert b"carm_" not in response.content


@pytest.mark.spec("OPS-4")
def test_requests_latency_and_errors_per_view(client):
    client.get("/en/")
    client.get("/en/no-such-page/")
    values = scrape(client)
    names = {name for name, _ in values}
    assert "django_http_requests_latency_seconds_by_view_method_count" in names
    assert "django_http_responses_total_by_status_view_method_total" in names
    assert value(values, "carm_backend_up", backend="database") == 1
    assert value(values, "carm_backend_up", backend="redis") == 1


@pytest.mark.spec("OPS-4", "SEC-5")
def test_redis_down_moves_backend_up_and_keeps_metrics_served(settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    values = scrape()
    assert value(values, "carm_backend_up", backend="redis") == 0
    assert value(values, "carm_backend_up", backend="database") == 1


@pytest.mark.spec("OPS-4", "SEC-5")
def test_clamav_down_moves_backend_up_and_the_scan_backlog(settings):
    settings.CLAMAV_URL = f"tcp://127.0.0.1:{_closed_port()}"
    before = scrape()
    DocumentFactory()
    after = scrape()
    assert value(after, "carm_backend_up", backend="clamav") == 0
    assert (
        value(after, "carm_document_scan_pending")
        == value(before, "carm_document_scan_pending") + 1
    )


@pytest.mark.spec("OPS-4", "SEC-5")
def test_database_down_a_bilingual_try_again_page_and_the_error_counter_moves(settings, bam_client):
    """A signed-in page whose database is out of reach answers 503 with the bilingual
    "try again" page, never a stack trace, and carm_database_errors_total moves."""
    settings.DEBUG = False
    before = value(scrape(), "carm_database_errors_total", error="OperationalError")
    original = connection.settings_dict.copy()
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    try:
        bam_client.raise_request_exception = False
        response = bam_client.get("/en/notices/")
    finally:
        connection.close()
        connection.settings_dict.update(original)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "The service is temporarily unavailable" in page
    assert "Le service est temporairement indisponible" in page
    assert "Traceback" not in page and "OperationalError" not in page
    after = scrape()
    assert value(after, "carm_database_errors_total", error="OperationalError") == before + 1


@pytest.mark.spec("OPS-4", "SIGN-5")
def test_sign_in_failures_and_locks_are_counted(client):
    before = scrape()
    client.post("/en/account/sign-in/", {"login": "nobody-here", "password": "Wrong-password-1"})
    after = scrape()
    failed = ("carm_audit_events_total", "sign_in.failed")
    assert (
        value(after, failed[0], action=failed[1]) == value(before, failed[0], action=failed[1]) + 1
    )
    assert ("carm_sign_in_locked_usernames", ()) in after


@pytest.mark.spec("OPS-4", "NOTE-4")
def test_the_email_backlog_is_counted(bam_client, django_capture_on_commit_callbacks):
    """An urgent notice is emailed; until its task runs, its email is in the backlog."""
    from notices.tests.helpers import personal_notice

    bam_client.user.email_notices = True
    bam_client.user.save()
    before = value(scrape(), "carm_notice_email_backlog", state="pending")
    personal_notice(bam_client.user, urgent=True)  # its task is not run: no commit here
    assert NoticeDelivery.objects.filter(user=bam_client.user, state="pending").exists()
    after = scrape()
    assert value(after, "carm_notice_email_backlog", state="pending") == before + 1


@shared_task(name="tests.metrics.always_fails")
def always_fails():
    raise RuntimeError("a task that fails, for the metrics")


@pytest.mark.spec("OPS-4")
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_celery_queue_depth_and_task_failures_per_queue(settings):
    """On a Redis of the test's own (another test's cache.clear() empties the shared one)."""
    from tests.faults import OwnRedis

    broker = OwnRedis()
    broker.start()
    try:
        settings.CELERY_BROKER_URL = broker.url
        queue = metrics.queues()[0]
        before = scrape()
        with app.connection_for_write(broker.url) as conn:
            app.send_task("tests.metrics.never_consumed", queue=queue, connection=conn)
        always_fails.apply(throw=False)
        after = scrape()
    finally:
        broker.stop()
    assert (
        value(after, "carm_celery_queue_length", queue=queue)
        == value(before, "carm_celery_queue_length", queue=queue) + 1
    )
    assert (
        value(after, "carm_celery_tasks_total", queue="celery", outcome="failure")
        == value(before, "carm_celery_tasks_total", queue="celery", outcome="failure") + 1
    )
