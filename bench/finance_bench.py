"""Benchmark of the transaction history at scale (SPEC FIN-1, FIN-5). A script, not a test.

    psql -h 127.0.0.1 -U postgres -c 'create database carm_fin_bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/carm_fin_bench \\
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/finance_bench.py

It fills a database of its own (its name must contain "bench") with one importer whose
program account has 1,000,000 transactions over ten years (a few hundred open, some
credits), its balances computed by the ledger's service (one window UPDATE), a hundred
other accounts with 100 transactions each, and a manager. Then it prints the server time
(p50, p95) of the transaction history, its filters, sorts and a deep page, the statements
page, apply credits, make a payment (FIN-6), a one-month CSV export, the collections
page over ~300 overdue debits with their notices (FIN-8) and the payment arrangements
page (FIN-7), next to a minimal signed-in page of the portal measured in the same run,
interleaved; and the time to issue that account's first statement (all
1,000,000 lines) and the next one.

Server time: the request through the whole Django stack in this process (middleware,
view, template, PostgreSQL over TCP), measured around django.test.Client.get. Filling
takes a minute or two the first time; later runs reuse the data (--refill starts over).
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
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HEAVY_BN9 = "549132583"
OTHERS = 100


def log(message: str) -> None:
    print(message, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def fill(count: int) -> None:
    from django.db import connection

    from accounts.tests.factories import UserFactory
    from bench import fill as filling
    from business.models import Business, ProgramAccount
    from delegation.models import Employment

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE finance_statementline, finance_statement, finance_creditapplicationline, "
            "finance_creditapplication, finance_transaction, delegation_employment, "
            "business_programaccount, business_business, carm_portal_auditentry, "
            "django_session, accounts_user CASCADE"
        )
    business = Business.objects.create(bn9=HEAVY_BN9, legal_name="ImporterCompany3084 Inc.")
    heavy = ProgramAccount.objects.create(business=business, reference_number="0001")
    manager = UserFactory(username="benchmanager")
    Employment.objects.create(user=manager, business=business, role="bam", status="active")
    filling.transactions(heavy.pk, count)
    filling.businesses(OTHERS)
    others = list(ProgramAccount.objects.exclude(pk=heavy.pk).values_list("pk", flat=True))
    filling.small_ledgers(others)
    filling.running_balances([heavy.pk, *others])
    filling.vacuum_analyze()


OVERDUE = 360  # FIN-8: debits made open again, about half the history ago: long overdue


def ensure_overdue(count: int) -> int:
    """FIN-8's collections page needs overdue debits: ``OVERDUE`` transaction numbers
    from the middle of the history (due about five years ago) made open again, each with
    its 60-day collection notice. Idempotent (after a fill or on reused data)."""
    from django.db import connection

    first, last = count // 2, count // 2 + OVERDUE
    low, high = f"7{first:013d}", f"7{last:013d}"
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE finance_transaction SET status = 'open', settled_amount = 0
             WHERE number BETWEEN %s AND %s AND amount > 0 AND status <> 'open'
            """,
            [low, high],
        )
        cursor.execute(
            """
            INSERT INTO finance_collectionnotice (transaction_id, stage, sent_on)
            SELECT id, 60, due_date + 60 FROM finance_transaction
             WHERE number BETWEEN %s AND %s AND amount > 0
            ON CONFLICT DO NOTHING
            """,
            [low, high],
        )
        cursor.execute(
            "SELECT count(*) FROM finance_transaction WHERE number BETWEEN %s AND %s "
            "AND status = 'open'",
            [low, high],
        )
        return cursor.fetchone()[0]


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
    for url in urls.values():
        for _n in range(1 if rounds < 10 else 3):
            response = client.get(url)
            assert response.status_code == 200, url
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
    for _round in range(rounds):
        for name, url in urls.items():
            started = time.perf_counter()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            times[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    return times


def report(title: str, times: dict[str, list[float]]) -> None:
    """p50 and p95 of each page, and each as a multiple of the minimal page's; the worst
    p95 ratio last (the goal is 2.0)."""
    log(f"\n{title}")
    log(f"  {'page':48} {'p50 ms':>8} {'p95 ms':>8} {'p50 / min':>10} {'p95 / min':>10}")
    base = statistics.median(times["minimal signed-in page"])
    base95 = percentile(times["minimal signed-in page"], 0.95)
    worst = (0.0, "")
    for name, values in times.items():
        p50, p95 = statistics.median(values), percentile(values, 0.95)
        log(f"  {name:48} {p50:8.1f} {p95:8.1f} {p50 / base:10.2f} {p95 / base95:10.2f}")
        if not name.startswith("CSV"):  # the export is measured in rows per second
            worst = max(worst, (p95 / base95, name))
    log(f"  worst p95 ratio: {worst[0]:.2f} ({worst[1]})")


def bench_pages(rounds: int, count: int) -> None:
    from accounts.models import User

    client = signed_in_client(User.objects.get(username="benchmanager"))
    today = datetime.date.today()
    month = f"start={(today - datetime.timedelta(days=400)).isoformat()}&end={(today - datetime.timedelta(days=370)).isoformat()}"
    year = f"end={(today - datetime.timedelta(days=365)).isoformat()}"
    urls = {
        "minimal signed-in page": "/en/bench/minimal/",
        "history, default (newest 25)": "/en/finance/transactions/",
        "history, page 100 (rows 2,476-2,500)": "/en/finance/transactions/?page=100",
        "history, deepest counted page (400)": "/en/finance/transactions/?page=400",
        "history, one year ago, page 10": f"/en/finance/transactions/?{year}&page=10",
        "history, one month": f"/en/finance/transactions/?{month}",
        "history, open items": "/en/finance/transactions/?status=open",
        "history, credits, 100 per page": "/en/finance/transactions/?kind=credit&per_page=100",
        "history, sorted by amount": "/en/finance/transactions/?sort=-amount",
        "history, sorted by due date": "/en/finance/transactions/?sort=due",
        "CSV export, one month": f"/en/finance/transactions/export/?export=all&{month}",
        "statements": "/en/finance/statements/",
        "apply credits (open debits)": "/en/finance/payments/apply-credits/",
        "make a payment (open debits, FIN-6)": "/en/finance/payments/pay/",
        "collections (overdue, first 25)": "/en/finance/payments/collections/",
        "collections, page 10": "/en/finance/payments/collections/?page=10",
        "payment arrangements": "/en/finance/payments/arrangements/",
    }
    report(
        f"One program account with {count:,} transactions ({rounds} requests each)",
        measure(client, urls, rounds),
    )


def bench_csv(repeats: int) -> None:
    """FIN-5: the export streams; its rate in rows per second (one year of the account,
    read to the end, as a browser downloads it)."""
    from accounts.models import User

    client = signed_in_client(User.objects.get(username="benchmanager"))
    today = datetime.date.today()
    year = f"start={(today - datetime.timedelta(days=365)).isoformat()}&end={today.isoformat()}"
    rates = []
    for _n in range(repeats):
        started = time.perf_counter()
        response = client.get(f"/en/finance/transactions/export/?export=all&{year}")
        assert response.status_code == 200 and response.streaming
        rows = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
        elapsed = time.perf_counter() - started
        rates.append(rows / elapsed)
    log(
        f"\nCSV export of one year ({rows:,} rows, streamed): median "
        f"{statistics.median(rates):,.0f} rows/s over {repeats} downloads"
    )


def bench_statements() -> None:
    from django.db import connection

    from business.models import ProgramAccount
    from finance.calendar import last_issue_date
    from finance.services import statement_issue

    account = ProgramAccount.objects.get(business__bn9=HEAVY_BN9)
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE finance_statementline DISABLE TRIGGER finance_statementline_frozen"
        )
        cursor.execute("ALTER TABLE finance_statement DISABLE TRIGGER finance_statement_frozen")
        cursor.execute("TRUNCATE finance_statementline, finance_statement")
        cursor.execute(
            "ALTER TABLE finance_statementline ENABLE TRIGGER finance_statementline_frozen"
        )
        cursor.execute("ALTER TABLE finance_statement ENABLE TRIGGER finance_statement_frozen")
    last = last_issue_date(datetime.date.today())
    before = (last.replace(day=1) - datetime.timedelta(days=1)).replace(day=25)
    for label, day in [
        ("first statement (every transaction until then)", before),
        ("next month's statement", last),
    ]:
        started = time.perf_counter()
        statement = statement_issue(program_account=account, issue_date=day)
        log(
            f"  {label}: {statement.lines.count():,} lines in {time.perf_counter() - started:.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=100, help="requests per page")
    parser.add_argument("--refill", action="store_true", help="start from empty tables")
    parser.add_argument("--statements-only", action="store_true", help="skip the pages")
    parser.add_argument("--pages-only", action="store_true", help="skip the statements")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a tiny scale (12,000 transactions, 3 requests a page) so that CI keeps it working",
    )
    arguments = parser.parse_args()
    global OTHERS
    if arguments.smoke:
        arguments.transactions, arguments.rounds, arguments.refill = 12_000, 3, True
        OTHERS = 3

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

    from finance.models import Transaction

    heavy = Transaction.objects.filter(program_account__business__bn9=HEAVY_BN9).count()
    if arguments.refill or heavy != arguments.transactions:
        log(f"Filling {name}:")
        fill(arguments.transactions)
    else:
        log(f"Reusing the data in {name} (--refill to start over)")
    log(f"  overdue debits for the collections page: {ensure_overdue(arguments.transactions)}")
    log(f"\nCPUs: {os.cpu_count()}, PostgreSQL database {name}")
    if not arguments.statements_only:
        bench_pages(arguments.rounds, arguments.transactions)
        bench_csv(1 if arguments.smoke else 5)
    if not arguments.pages_only:
        log("\nStatements:")
        bench_statements()


if __name__ == "__main__":
    main()
