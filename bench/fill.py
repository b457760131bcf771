"""Filling a benchmark database fast, through the models' own columns (not a script).

Benchmarks fill millions of rows set-based (``INSERT … SELECT … FROM generate_series``),
which skips the ORM. So that such a fill does not rot silently, every insert goes through
``insert_select``: it names its columns, and they are checked against the model before
the SQL runs. A column the model has no more fails, and so does a NOT NULL column the
model gained without a database default (which the raw insert would leave empty): in CI
(bench/smoke.sh runs every benchmark with --smoke), not months later.

The fills shared by the benchmarks are here too: people, businesses with a program
account each, their employments, notices with their recipients, a program account's
transactions. Each takes its sizes as arguments; numbers are derived from ``g``, the
row's number in the series, so that a benchmark can find a row again without a query.
"""

from __future__ import annotations

import time

from django.db import connection
from django.db.models import NOT_PROVIDED, Model

BN9_BASE = 100_000_000  # business g has the business number BN9_BASE + g


def log(message: str) -> None:
    print(message, flush=True)


def _required(model: type[Model]) -> set[str]:
    """The columns an INSERT must name: NOT NULL, no database default, not the serial key."""
    required = set()
    for field in model._meta.concrete_fields:
        if field.primary_key and field.get_internal_type() in {
            "AutoField",
            "BigAutoField",
            "SmallAutoField",
        }:
            continue
        if not field.null and field.db_default is NOT_PROVIDED:
            required.add(field.column)
    return required


def check_columns(model: type[Model], columns: list[str]) -> None:
    """Fail unless ``columns`` are the model's and name every one it requires."""
    known = {field.column for field in model._meta.concrete_fields}
    unknown = [c for c in columns if c not in known]
    missing = sorted(_required(model) - set(columns))
    if unknown or missing:
        raise ValueError(
            f"{model._meta.db_table}: the fill's columns do not match the model "
            f"(unknown: {unknown or 'none'}; required but missing: {missing or 'none'}); "
            "update the benchmark's fill"
        )


def insert_select(model: type[Model], columns: list[str], select: str, params=()) -> int:
    """``INSERT INTO <model's table> (columns) <select>``, its columns checked against the
    model first; returns the number of rows."""
    check_columns(model, columns)
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({names}) {select}", params)  # noqa: S608 - our own names
        return cursor.rowcount


def truncate(*models: type[Model]) -> None:
    tables = ", ".join(model._meta.db_table for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")


def vacuum_analyze() -> None:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # autocommit: outside any transaction
    log(f"  VACUUM ANALYZE: {time.perf_counter() - started:.1f} s")


# --- People and businesses ------------------------------------------------------------------


def people(count: int, *, first: int = 1, prefix: str = "bench") -> None:
    """``count`` people, ``<prefix><g>`` for g from ``first``, who have finished their
    first sign-in (terms and profile), all with the test factories' password."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from accounts.tests.factories import PASSWORD

    insert_select(
        User,
        [
            "password",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
            "credential_kind",
            "preferred_language",
            "phone",
            "phone_extension",
            "email_notices",
            "notice_language",
            "terms_acknowledged_at",
            "profile_completed_at",
        ],  # fmt: skip
        """
        SELECT %s, false, %s || g, 'Person', 'Number ' || g, %s || g || '@example.ca',
            false, true, now(), 'gckey', CASE WHEN g %% 3 = 0 THEN 'fr' ELSE 'en' END,
            '+16135550123', '', g %% 2 = 0, '', now(), now()
        FROM generate_series(%s, %s) g
        """,
        [make_password(PASSWORD), prefix, prefix, first, first + count - 1],
    )


def businesses(count: int, *, first: int = 1) -> None:
    """``count`` importers (business number BN9_BASE + g), each with one program account
    RM0001."""
    from business.models import Business, ProgramAccount

    insert_select(
        Business,
        [
            "bn9",
            "legal_name",
            "operating_name",
            "business_activity",
            "correspondence_language",
            "created_at",
        ],  # fmt: skip
        """
        SELECT lpad((%s + g)::text, 9, '0'), 'Business ' || g, '', '', 'en', now()
        FROM generate_series(%s, %s) g
        """,
        [BN9_BASE, first, first + count - 1],
    )
    insert_select(
        ProgramAccount,
        [
            "business_id",
            "program_identifier",
            "reference_number",
            "program_type",
            "name",
            "sub_programs",
            "created_at",
        ],  # fmt: skip
        """
        SELECT id, 'RM', '0001', 'importer', '', '', now() FROM business_business
        WHERE bn9 BETWEEN lpad((%s + %s)::text, 9, '0') AND lpad((%s + %s)::text, 9, '0')
        """,
        [BN9_BASE, first, BN9_BASE, first + count - 1],
    )


def employments(count: int, *, prefix: str = "bench") -> None:
    """Two people per business among the first ``count`` businesses: person g is the
    Business Account Manager of business g, person count + g its reader."""
    from delegation.models import Employment

    insert_select(
        Employment,
        ["user_id", "business_id", "role", "status", "comment", "created_at", "updated_at"],
        """
        SELECT u.id, b.id, CASE WHEN n.g <= %s THEN 'bam' ELSE 'reader' END, 'active', '',
            now(), now()
        FROM generate_series(1, 2 * %s) n(g)
        JOIN accounts_user u ON u.username = %s || n.g
        JOIN business_business b ON b.bn9 = lpad((%s + (n.g - 1) %% %s + 1)::text, 9, '0')
        """,
        [count, count, prefix, BN9_BASE, count],
    )


# --- Notices --------------------------------------------------------------------------------


def notices(count: int, *, businesses: int) -> None:
    """``count`` notices over two years, a tenth of them to business 1 (the heavy one), the
    rest spread over businesses 2 … ``businesses``; each to every employee of its business."""
    from notices.models import Notice, NoticeRecipient, NoticeType

    types = list(NoticeType.objects.filter(system=True).values_list("id", flat=True))
    type_ids = "ARRAY[" + ",".join(str(pk) for pk in types) + "]"
    started = time.perf_counter()
    insert_select(
        Notice,
        [
            "type_id",
            "subject_en",
            "subject_fr",
            "body_en",
            "body_fr",
            "business_id",
            "program_account_id",
            "account_number",
            "urgent",
            "display_date",
            "audience",
            "recipient_count",
            "created_at",
            "search_en",
            "search_fr",
        ],  # fmt: skip
        f"""
        SELECT t.*, lower(t.subject_en),
               translate(lower(t.subject_fr), 'àâçéèêëîïôûùü', 'aaceeeeiiouuu')
        FROM (
          SELECT ({type_ids})[1 + g %% {len(types)}],
            CASE g %% 4 WHEN 0 THEN 'Statement of account ' || g || ' available'
                        WHEN 1 THEN 'Pending access request for your business'
                        WHEN 2 THEN 'Documents received for case R' || g
                        ELSE 'Ruling request R' || g || ': Decision rendered' END
              AS subject_en,
            CASE g %% 4 WHEN 0 THEN 'Relevé de compte ' || g || ' disponible'
                        WHEN 1 THEN 'Demande d''accès en attente pour votre entreprise'
                        WHEN 2 THEN 'Documents reçus pour le cas R' || g
                        ELSE 'Demande de décision R' || g || ' : décision rendue' END
              AS subject_fr,
            'Body of notice ' || g, 'Texte de l''avis ' || g,
            b.id, pa.id, b.bn9 || 'RM0001', g %% 50 = 0,
            current_date - (g %% 730), 'bench', 2, now()
          FROM generate_series(1, %s) g
          JOIN business_business b
            ON b.bn9 = lpad(({BN9_BASE} + CASE WHEN g %% 10 = 0 THEN 1
                                              ELSE 2 + g %% ({businesses} - 1) END)::text,
                            9, '0')
          JOIN business_programaccount pa
            ON pa.business_id = b.id AND pa.reference_number = '0001'
        ) t
        """,  # noqa: S608 - our own numbers
        [count],
    )
    log(f"  {count:,} notices: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    rows = insert_select(
        NoticeRecipient,
        [
            "notice_id",
            "user_id",
            "display_date",
            "type_id",
            "account_number",
            "search_en",
            "search_fr",
            "read_at",
        ],  # fmt: skip
        """
        SELECT n.id, e.user_id, n.display_date, n.type_id, n.account_number, n.search_en,
               n.search_fr, CASE WHEN n.display_date < current_date - 30 THEN now() END
        FROM notices_notice n
        JOIN delegation_employment e ON e.business_id = n.business_id
        WHERE n.audience = 'bench'
        """,
    )
    log(f"  {rows:,} recipient rows: {time.perf_counter() - started:.1f} s")


# --- Transactions ---------------------------------------------------------------------------


def transactions(account_id: int, count: int) -> None:
    """``count`` transactions over ten years on one program account, newest first (g = 1
    is today). Every 7th is a credit (card batch or payment); the last 300 debits and the
    last 20 credits are still open."""
    from finance.models import Transaction

    started = time.perf_counter()
    insert_select(
        Transaction,
        [
            "program_account_id",
            "number",
            "date",
            "description",
            "amount",
            "total_duties_taxes",
            "status",
            "due_date",
            "settled_amount",
        ],  # fmt: skip
        """
        SELECT %s, '7' || lpad(g::text, 13, '0'), current_date - (g::bigint * 3650 / %s)::int,
            CASE WHEN g %% 7 = 0 THEN 'Card batch' ELSE 'Commercial accounting declaration' END,
            CASE WHEN g %% 7 = 0 THEN -((g %% 900) + 10.25) ELSE (g %% 5000) + 0.37 END,
            CASE WHEN g %% 7 = 0 THEN 0 ELSE (g %% 5000) + 0.37 END,
            CASE WHEN g %% 7 = 0 AND g <= 140 THEN 'open_credit'
                 WHEN g %% 7 <> 0 AND g <= 350 THEN 'open'
                 ELSE 'paid' END,
            CASE WHEN g %% 7 = 0 THEN NULL ELSE current_date - (g::bigint * 3650 / %s)::int + 30 END,
            0
        FROM generate_series(1, %s) g
        """,
        [account_id, count, count, count],
    )
    log(f"  {count:,} transactions: {time.perf_counter() - started:.1f} s")


def small_ledgers(account_ids: list[int], per_account: int = 100) -> None:
    """``per_account`` paid transactions on each of ``account_ids`` (ten days apart)."""
    from finance.models import Transaction

    insert_select(
        Transaction,
        [
            "program_account_id",
            "number",
            "date",
            "description",
            "amount",
            "total_duties_taxes",
            "status",
            "settled_amount",
        ],  # fmt: skip
        """
        SELECT pa.id, '8' || lpad((pa.id * 1000 + g)::text, 13, '0'),
            current_date - g * 10, 'Commercial accounting declaration', g + 0.5,
            g + 0.5, 'paid', 0
        FROM business_programaccount pa, generate_series(1, %s) g
        WHERE pa.id = ANY(%s)
        """,
        [per_account, account_ids],
    )


def running_balances(account_ids: list[int]) -> None:
    """The ledger's own service computes each account's running balances."""
    from business.models import ProgramAccount
    from finance.services import transaction_balances_refresh

    started = time.perf_counter()
    for account in ProgramAccount.objects.filter(pk__in=account_ids):
        transaction_balances_refresh(program_account=account)
    log(f"  running balances: {time.perf_counter() - started:.1f} s")
