"""Fault rehearsals of the web process (SPEC OPS-4, SEC-5): PostgreSQL restarted while a
signed-in person browses and submits a form. The database is a throw-away cluster of the
test's own (tests/faults.py: a copy of the test database), restarted with ``pg_ctl``;
the connection settings are production's (persistent connections with health checks).

Also the rule that keeps a killed worker's messages coming back without duplicates:
the visibility timeout outlasts every retry countdown plus the task time limit."""

import threading
import time

import pytest
from django.conf import settings as django_settings
from django.db import close_old_connections, connection

from accounts.models import User
from accounts.tests.factories import UserFactory
from conftest import _client_for
from tests.faults import OwnPostgres, report, scale

pytestmark = [pytest.mark.faults]


@pytest.mark.spec("OPS-4")
def test_the_visibility_timeout_outlasts_every_retry_countdown_and_the_time_limit():
    """Redis delivers an unacknowledged message again after the visibility timeout: a
    retry waiting longer than that (countdown) would run twice, and a task still running
    would be given to a second worker."""
    visibility = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    longest = max(django_settings.DOCUMENT_SCAN_RETRY_MAX, django_settings.NOTICE_EMAIL_RETRY_MAX)
    assert longest + django_settings.CELERY_TASK_TIME_LIMIT < visibility
    assert (
        django_settings.CELERY_TASK_ACKS_LATE and django_settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    )


@pytest.mark.spec("OPS-4", "SEC-5")
@pytest.mark.django_db(transaction=True)
def test_postgresql_restarted_while_people_browse_and_submit_forms():
    user = UserFactory(preferred_language="en")
    browser = _client_for(user)
    browser.raise_request_exception = False
    server = OwnPostgres()
    original = connection.settings_dict.copy()
    try:
        server.init()
        server.copy_database(original, "carm_fault")
        connection.close()
        connection.settings_dict.update(
            HOST="127.0.0.1",
            PORT=str(server.port),
            NAME="carm_fault",
            CONN_MAX_AGE=60,  # production's persistent connections…
            CONN_HEALTH_CHECKS=True,  # …checked before each request reuses one
        )
        timeline = {}

        def restart():
            time.sleep(1.0)
            timeline["down"] = time.monotonic()
            server.stop("fast")  # every open connection is cut
            time.sleep(scale(3, 15))
            server.start()
            timeline["up"] = time.monotonic()

        restarter = threading.Thread(target=restart)
        restarter.start()
        results = []  # (time, kind, status, language posted)
        started = time.monotonic()
        n = 0
        while restarter.is_alive() or time.monotonic() - timeline.get("up", started) < 2:
            n += 1
            # What Django's WSGI handler does on request_started and request_finished (the
            # test client leaves it out): drop a connection that broke or fails its check.
            close_old_connections()
            if n % 2:
                response = browser.get("/en/notices/")
                results.append((time.monotonic(), "GET", response.status_code, None, response))
            else:
                language = "fr" if n % 4 == 0 else "en"
                response = browser.post(
                    "/en/language/", {"language": language, "next": "/en/notices/"}
                )
                results.append((time.monotonic(), "POST", response.status_code, language, response))
            close_old_connections()
            time.sleep(0.05)
        restarter.join()
        statuses = {status for _, _, status, _, _ in results}
        assert statuses <= {200, 302, 503}, statuses  # never a 500, never a stack trace
        failed = [r for r in results if r[2] == 503]
        assert failed, "the restart was not felt: the rehearsal proves nothing"
        for *_, response in failed:
            page = response.content.decode()
            assert "The service is temporarily unavailable" in page
            assert "Le service est temporairement indisponible" in page
        after = [r for r in results if r[0] > timeline["up"]]
        first_ok = next(r for r in after if r[2] in (200, 302))
        recovered = first_ok[0] - timeline["up"]
        assert all(r[2] in (200, 302) for r in after if r[0] > first_ok[0])
        # Nothing lost or half-written: the last acknowledged form is what is stored.
        acknowledged = [r for r in results if r[1] == "POST" and r[2] == 302]
        stored = User.objects.get(pk=user.pk).preferred_language
        lost = int(stored != acknowledged[-1][3])
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)
        server.destroy()
    report(
        "PostgreSQL restarted under signed-in browsing and forms",
        attempted=len(results),
        failed=len(failed),
        lost=lost,
        recover_seconds=recovered,
    )
    assert lost == 0
