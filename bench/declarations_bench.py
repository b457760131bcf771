"""Benchmark of the commercial accounting declarations (SPEC DECL-2, DECL-3, DECL-5). A
script, not a test.

    psql -h 127.0.0.1 -U postgres -c 'create database carm_decl_bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/carm_decl_bench \\
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/declarations_bench.py

It fills a database of its own (its name must contain "bench") with one importer whose
program account has 100,000 submitted CADs over five years (two lines each, in their
frozen versions) and a manager, and loads the calculator's sample data. Then it prints
the server time (p50, p95) of the CAD list (default, deep page, each search, each sort)
next to a minimal signed-in page measured in the same run, interleaved (the goal: p95
within 2× the minimal page's); and the time to submit a 500-line CAD, through the page
(the POST of the draft's 500 lines that submits it) and through the service alone (the
goal: within 2 s).

Server time: the request through the whole Django stack in this process, measured around
django.test.Client; filling takes a minute the first time, later runs reuse the data.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carm_portal.settings.test")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from bench.finance_bench import log, measure, report, signed_in_client  # noqa: E402

HEAVY_BN9 = "549132583"
SHIPPED = datetime.date(2026, 11, 18)


def fill(count: int) -> None:
    from django.db import connection

    from accounts.tests.factories import UserFactory
    from business.models import Business, ProgramAccount
    from delegation.models import Employment

    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE calculator_declarationline DISABLE TRIGGER "
            "calculator_declaration_line_frozen"
        )
        cursor.execute(
            "ALTER TABLE calculator_declarationversion DISABLE TRIGGER "
            "calculator_declaration_version_frozen"
        )
        cursor.execute(
            "TRUNCATE calculator_declarationline, calculator_declarationversion, "
            "calculator_declaration, finance_statementline, finance_statement, "
            "finance_transaction, delegation_employment, business_programaccount, "
            "business_business, carm_portal_auditentry, django_session, accounts_user CASCADE"
        )
        cursor.execute(
            "ALTER TABLE calculator_declarationline ENABLE TRIGGER "
            "calculator_declaration_line_frozen"
        )
        cursor.execute(
            "ALTER TABLE calculator_declarationversion ENABLE TRIGGER "
            "calculator_declaration_version_frozen"
        )
    business = Business.objects.create(bn9=HEAVY_BN9, legal_name="ImporterCompany3084 Inc.")
    heavy = ProgramAccount.objects.create(business=business, reference_number="0001")
    manager = UserFactory(username="benchmanager")
    Employment.objects.create(user=manager, business=business, role="bam", status="active")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # g = 1 is the newest; every 50th is a correction, every 500th an adjustment
        # pending; port 0395 or 0809; a total that varies.
        cursor.execute(
            """
            INSERT INTO calculator_declaration (program_account_id, transaction_number, status,
                created_by_id, release_date, port_code, vendor_name, total, due_date,
                payment_due_date, submitted_at, created_at, updated_at)
            SELECT %s, lpad((20000000000000 + g)::text, 14, '0'),
                CASE WHEN g %% 500 = 0 THEN 'adjustment_pending'
                     WHEN g %% 50 = 0 THEN 'correction_accepted' ELSE 'submitted' END,
                %s, current_date - (g::bigint * 1825 / %s)::int,
                CASE WHEN g %% 3 = 0 THEN '0809' ELSE '0395' END, 'Vendor ' || (g %% 97),
                (g %% 9000) + 0.25, current_date - (g::bigint * 1825 / %s)::int + 7,
                current_date - (g::bigint * 1825 / %s)::int + 30, now(), now(), now()
            FROM generate_series(1, %s) g
            """,
            [heavy.pk, manager.pk, count, count, count, count],
        )
        cursor.execute(
            """
            INSERT INTO calculator_declarationversion (declaration_id, number, kind, status,
                release_date, port_code, office, carrier_code, cargo_control_number,
                vendor_name, vendor_country, currency, exchange_rate_date, reason, duty, sima,
                excise, gst, total, difference, created_by_id, created_at, decision_reason)
            SELECT id, 1, 'original', 'accepted', release_date, port_code, '', '1A2B', '',
                vendor_name, 'CN', 'USD', release_date, '', 0, 0, 0, 0, total, total,
                created_by_id, now(), ''
            FROM calculator_declaration WHERE program_account_id = %s
            """,
            [heavy.pk],
        )
        cursor.execute(
            """
            INSERT INTO calculator_declarationline (version_id, position,
                classification_number, description, origin, treatment, value, quantity,
                unit, rate_text)
            SELECT v.id, p, CASE WHEN (v.id + p) % 4 = 0 THEN '6109.10.00.12'
                                  ELSE '0901.11.00.10' END,
                'Goods', 'CN', 'MFN', 100, 1, 'NMB', ''
            FROM calculator_declarationversion v, generate_series(1, 2) p
            """
        )
        cursor.execute(
            "UPDATE calculator_declaration d SET current_version_id = v.id "
            "FROM calculator_declarationversion v WHERE v.declaration_id = d.id"
        )
        cursor.execute("UPDATE calculator_declarationversion SET submitted_at = now()")
        log(f"  {count:,} CADs, their versions and lines: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")
        log(f"  VACUUM ANALYZE: {time.perf_counter() - started:.1f} s")


def bench_list(rounds: int, count: int) -> None:
    from accounts.models import User

    client = signed_in_client(User.objects.get(username="benchmanager"))
    today = datetime.date.today()
    month = f"start={(today - datetime.timedelta(days=400)).isoformat()}&end={(today - datetime.timedelta(days=370)).isoformat()}"
    urls = {
        "minimal signed-in page": "/en/bench/minimal/",
        "CAD list, default (newest 25)": "/en/declarations/",
        "CAD list, page 100": "/en/declarations/?page=100",
        "CAD list, 100 per page": "/en/declarations/?per_page=100",
        "CAD list, one month of releases": f"/en/declarations/?{month}",
        "CAD list, status adjustment pending": "/en/declarations/?status=adjustment_pending",
        "CAD list, port 0809": "/en/declarations/?port=0809",
        "CAD list, classification 6109.10": "/en/declarations/?classification=6109.10",
        "CAD list, transaction number": "/en/declarations/?number=20000000050000",
        "CAD list, sorted by total": "/en/declarations/?sort=-total",
        "CAD list, sorted by transaction number": "/en/declarations/?sort=number",
    }
    report(
        f"One program account with {count:,} CADs ({rounds} requests each)",
        measure(client, urls, rounds),
    )


def bench_submit(lines_count: int, repeats: int) -> None:
    """DECL-2, DECL-3: a draft of ``lines_count`` lines submitted through its page (every
    line parsed, saved, computed by the engine, frozen, the debit posted), and through
    the service alone."""
    from accounts.models import User
    from business.models import ProgramAccount
    from calculator import declarations_services as services
    from calculator.models import Declaration, ExchangeRate
    from carm_portal.audit import AuditContext

    ExchangeRate.objects.get_or_create(
        currency="USD", kind="daily", date=SHIPPED, defaults={"cad_per_unit": Decimal("1.38")}
    )
    manager = User.objects.get(username="benchmanager")
    account = ProgramAccount.objects.get(business__bn9=HEAVY_BN9)
    client = signed_in_client(manager)
    kinds = [
        ("6109.10.00.12", "CN", "MFN", "NMB"),
        ("6109.10.00.12", "AU", "AUT", "NMB"),
        ("2202.99.33.00", "US", "MFN", "HLT"),
        ("0901.11.00.10", "CO", "COLT", "KGM"),
    ]
    data = {
        "release_date": "2026-11-20",
        "port_code": "0395",
        "currency": "USD",
        "exchange_rate_date": SHIPPED.isoformat(),
        "lines-TOTAL_FORMS": str(lines_count),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "999",
        "submit": "1",
    }
    lines = []
    for n in range(lines_count):
        number, origin, treatment, unit = kinds[n % len(kinds)]
        line = {
            "classification_number": number,
            "description": f"Goods {n}",
            "origin": origin,
            "treatment": treatment,
            "value": str(100 + n),
            "quantity": "3",
            "unit": unit,
        }
        lines.append(line)
        for name, value in line.items():
            data[f"lines-{n}-{name}"] = value
    page_times, service_times = [], []
    for _n in range(repeats):
        started = time.perf_counter()
        response = client.post("/en/declarations/new/", data)
        page_times.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
        cad = Declaration.objects.order_by("-pk").first()
        assert cad.status == "submitted" and cad.current_version.lines.count() == lines_count

        audit = AuditContext.system(actor=manager)
        draft = services.draft_save(
            program_account=account,
            header={
                "release_date": datetime.date(2026, 11, 20),
                "port_code": "0395",
                "currency": "USD",
                "exchange_rate_date": SHIPPED,
            },
            lines=[
                {**line, "value": Decimal(line["value"]), "quantity": Decimal("3")}
                for line in lines
            ],
            actor=manager,
            audit=audit,
        )
        started = time.perf_counter()
        services.declaration_submit(declaration=draft, actor=manager, audit=audit)
        service_times.append(time.perf_counter() - started)
    log(
        f"\nSubmitting a {lines_count}-line CAD ({repeats} times): through its page median "
        f"{statistics.median(page_times):.2f} s, max {max(page_times):.2f} s; the submit "
        f"service alone median {statistics.median(service_times):.2f} s, "
        f"max {max(service_times):.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--declarations", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=60, help="requests per page")
    parser.add_argument("--lines", type=int, default=500)
    parser.add_argument("--refill", action="store_true", help="start from empty tables")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a tiny scale (2,000 CADs, 3 requests a page, a 20-line CAD) for CI",
    )
    arguments = parser.parse_args()
    if arguments.smoke:
        arguments.declarations, arguments.rounds, arguments.refill = 2_000, 3, True
        arguments.lines = 20

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    name = settings.DATABASES["default"]["NAME"]
    if "bench" not in name:
        sys.exit(f"refusing to fill database {name!r}: its name must contain 'bench'")
    settings.ROOT_URLCONF = "bench.urls"
    call_command("migrate", verbosity=0)

    from calculator import loaders
    from calculator.models import Declaration

    heavy = Declaration.objects.filter(program_account__business__bn9=HEAVY_BN9).count()
    if arguments.refill or heavy < arguments.declarations:
        log(f"Filling {name}:")
        fill(arguments.declarations)
    else:
        log(f"Reusing the data in {name} (--refill to start over)")
    loaders.calculator_demo_load()
    log(f"\nCPUs: {os.cpu_count()}, PostgreSQL database {name}")
    bench_list(arguments.rounds, arguments.declarations)
    bench_submit(arguments.lines, 1 if arguments.smoke else 3)


if __name__ == "__main__":
    main()
