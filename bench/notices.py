"""Benchmark of the notices at scale (SPEC NOTE-2, NOTE-4). A script, not a test.

    psql -h 127.0.0.1 -U postgres -c 'create database carm_bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/carm_bench \\
    REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/notices.py

It fills a database of its own (its name must contain "bench") with 100,000 people,
10,000 businesses and 1,000,000 notices (2,000,000 recipient rows over two years; one
business, the "heavy" one, receives a tenth of them), then prints:

- the list page's server time (p50, p95) for a typical person (about 100 notices) and
  for the heavy business's manager (100,000 notices), default view, a deep page, a
  subject search and a type filter, next to a minimal signed-in page of the portal
  (base.html: session, person, bell) measured in the same run, interleaved;
- the time to send one notice to 100,000 people (notice_send_bulk to everyone, urgent:
  100,000 recipient rows and 100,000 email rows, committed), and to split its emails
  into Celery tasks (the dispatch task, to a queue nobody consumes, purged after).

Server time: the request through the whole Django stack in this process (middleware,
view, template, PostgreSQL over TCP), measured around django.test.Client.get. Filling
takes a few minutes the first time; later runs reuse the data (--refill starts over).
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carm_portal.settings.test")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PEOPLE = 100_000
BUSINESSES = 10_000
BENCH_QUEUE = "bench-notices"


def log(message: str) -> None:
    print(message, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def fill(notices: int) -> None:
    """People, businesses, employments and notices, set-based (bench/fill.py)."""
    from django.contrib.sessions.models import Session

    from accounts.models import User
    from bench import fill as filling
    from business.models import Business
    from carm_portal.models import AuditEntry
    from notices.models import Notice

    filling.truncate(Notice, Business, AuditEntry, User, Session)
    started = time.perf_counter()
    filling.people(PEOPLE)
    filling.businesses(BUSINESSES)
    filling.employments(BUSINESSES)
    log(f"  people, businesses, employments: {time.perf_counter() - started:.1f} s")
    filling.notices(notices, businesses=BUSINESSES)
    filling.vacuum_analyze()


def signed_in_client(user):
    from django.test import Client

    from accounts.onboarding import DONE_KEY, TERMS_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session[TERMS_KEY] = session[DONE_KEY] = True
    session.save()
    return client


def measure(client, urls: dict[str, str], rounds: int) -> dict[str, list[float]]:
    """Server time of each URL in milliseconds, interleaved round after round."""
    times = {name: [] for name in urls}
    for url in urls.values():  # warm up (connections, templates, caches)
        for _n in range(1 if rounds < 10 else 5):
            assert client.get(url).status_code == 200, url
    for _round in range(rounds):
        for name, url in urls.items():
            started = time.perf_counter()
            response = client.get(url)
            times[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    return times


def report(title: str, times: dict[str, list[float]]) -> None:
    log(f"\n{title}")
    log(f"  {'page':44} {'p50 ms':>8} {'p95 ms':>8} {'p50 / minimal':>14}")
    base = statistics.median(times["minimal signed-in page"])
    for name, values in times.items():
        p50 = statistics.median(values)
        log(f"  {name:44} {p50:8.1f} {percentile(values, 0.95):8.1f} {p50 / base:14.2f}")


def bench_list(rounds: int, deep_page: int = 100) -> None:
    from django.db import connection

    from accounts.models import User
    from notices.models import NoticeRecipient, NoticeType
    from notices.selectors import notice_list

    heavy = User.objects.get(username="bench1")  # manager of the first business
    typical = User.objects.get(username=f"bench{BUSINESSES // 2}")
    statement = NoticeType.objects.get(code="statement_available").pk
    for label, user in [("typical person", typical), ("heavy business manager", heavy)]:
        total = NoticeRecipient.objects.filter(user=user).count()
        account = user.employments.get().business.bn9
        client = signed_in_client(user)
        urls = {
            "minimal signed-in page": "/en/bench/minimal/",
            "notices, default (last 7 months)": "/en/notices/",
            f"notices, 2 years, page {deep_page}": (
                f"/en/notices/?start=2000-01-01&page={deep_page}"
            ),
            "notices, subject words": "/en/notices/?q=pending+business",
            "notices, type filter": f"/en/notices/?type={statement}",
            "notices, account number": f"/en/notices/?account={account}",
        }
        report(
            f"{label}: {total:,} notices ({rounds} requests each)", measure(client, urls, rounds)
        )
    rows = notice_list(user=heavy, start=datetime.date(2000, 1, 1), end=datetime.date.today())
    sql, params = rows[:10].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n    ".join(row[0] for row in cursor.fetchall())
    log(f"\n  plan of a page of the heavy manager's list:\n    {plan}")


def bench_send(repeats: int) -> None:
    import redis
    from django.conf import settings
    from django.db import transaction

    from carm_portal.celery import app
    from notices.audience import StaffAudience
    from notices.models import NoticeDelivery
    from notices.services import notice_send_bulk
    from notices.tasks import dispatch_notice_emails

    app.conf.task_default_queue = BENCH_QUEUE
    broker = redis.Redis.from_url(settings.REDIS_URL)
    sends, dispatches = [], []
    for attempt in range(repeats):
        started = time.perf_counter()
        with transaction.atomic():
            notice = notice_send_bulk(
                type_code="cbsa_urgent",
                subject_en=f"Benchmark outage {attempt}",
                subject_fr=f"Panne de référence {attempt}",
                body_en="The portal is down.",
                body_fr="Le portail est en panne.",
                audience=StaffAudience.everyone(),
                sender=None,
                urgent=True,
            )
        sends.append(time.perf_counter() - started)
        emails = NoticeDelivery.objects.filter(notice=notice).count()
        started = time.perf_counter()
        batches = dispatch_notice_emails(notice.pk)  # the task's body, in this process
        dispatches.append(time.perf_counter() - started)
        log(
            f"  send {attempt + 1}: {notice.recipient_count:,} recipients, {emails:,} email "
            f"rows in {sends[-1]:.2f} s; {batches:,} email tasks queued in "
            f"{dispatches[-1]:.2f} s"
        )
        broker.delete(BENCH_QUEUE)
    log(
        f"\nOne notice to {PEOPLE:,} people: median {statistics.median(sends):.2f} s "
        f"(limit 30 s); splitting its emails into tasks: median "
        f"{statistics.median(dispatches):.2f} s"
    )


def forget_earlier_sends() -> None:
    """Remove the notices that earlier runs sent to everyone (raw: 100,000s of rows)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("notices_noticedelivery", "notices_noticerecipient"):
            cursor.execute(
                f"DELETE FROM {table} WHERE notice_id IN "  # noqa: S608 - our own names
                "(SELECT id FROM notices_notice WHERE audience <> 'bench')"
            )
        cursor.execute("DELETE FROM notices_notice WHERE audience <> 'bench'")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notices", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=200, help="requests per page")
    parser.add_argument("--sends", type=int, default=3, help="100,000-people sends")
    parser.add_argument("--refill", action="store_true", help="start from empty tables")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a tiny scale (300 people, 300 notices, a few requests) so that CI keeps it working",
    )
    arguments = parser.parse_args()
    global PEOPLE, BUSINESSES
    if arguments.smoke:
        PEOPLE, BUSINESSES = 300, 30
        arguments.notices, arguments.rounds, arguments.sends = 300, 3, 1
        arguments.refill = True

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    name = settings.DATABASES["default"]["NAME"]
    if "bench" not in name:
        sys.exit(f"refusing to fill database {name!r}: its name must contain 'bench'")
    settings.ROOT_URLCONF = "bench.urls"
    # No setup_test_environment(): it instruments every template render (a signal and a
    # context copy per template), which production does not pay and which weighs on the
    # pages with many rows far more than on the minimal page they are compared with.
    call_command("migrate", verbosity=0)

    from notices.models import Notice

    if arguments.refill or Notice.objects.filter(audience="bench").count() != arguments.notices:
        log(f"Filling {name}:")
        fill(arguments.notices)
    else:
        log(f"Reusing the data in {name} (--refill to start over)")
    forget_earlier_sends()
    log(f"\nCPUs: {os.cpu_count()}, PostgreSQL database {name}")
    bench_list(arguments.rounds, deep_page=2 if arguments.smoke else 100)
    log("\nSending:")
    bench_send(arguments.sends)


if __name__ == "__main__":
    main()
