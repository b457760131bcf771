"""Transaction types: CBSA's codes with their English and French names (SPEC X-1); a
transaction of a type shows the type's name in the page's language."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from carm_portal.models import AuditEntry
from finance import services
from finance.management.commands.load_transaction_types import DEFAULT
from finance.models import Transaction, TransactionType
from finance.tests.factories import TransactionFactory
from tests.html import soup, text

pytestmark = pytest.mark.django_db
D = datetime.date


def shipped_rows():
    with DEFAULT.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.spec("X-1")
def test_the_migration_loaded_the_shipped_types_in_both_languages():
    """X-1: the data migration holds exactly the operator's file: loading it again
    changes nothing; every type has its French name."""
    counts = services.transaction_types_load(rows=shipped_rows())
    assert counts == {"transaction types unchanged": len(shipped_rows())}
    card = TransactionType.objects.get(code="CARD_BATCH")
    assert (card.name, card.name_fr) == ("Card batch", "Lot de cartes")
    assert not TransactionType.objects.filter(name_fr="").exists()


@pytest.mark.spec("X-1")
def test_a_type_without_french_is_refused_whole(tmp_path):
    """X-1: a file with one type without its French name keeps nothing and names the
    row; the database refuses it too."""
    rows = [
        {"code": "DUTY", "name": "Duty", "name_fr": "Droits"},
        {"code": "FEE", "name": "Fee", "name_fr": " "},
    ]
    with pytest.raises(ValidationError, match=r"line 3 \(FEE\): name_fr"):
        services.transaction_types_load(rows=rows)
    assert not TransactionType.objects.filter(code__in=["DUTY", "FEE"]).exists()
    path = tmp_path / "types.csv"
    path.write_text("code,name,name_fr\nFEE,Fee,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="name_fr"):
        call_command("load_transaction_types", str(path), stdout=io.StringIO())
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        TransactionType.objects.create(code="FEE", name="Fee", name_fr="")


@pytest.mark.spec("X-1")
def test_loading_renames_a_type_and_is_audited(tmp_path):
    path = tmp_path / "types.csv"
    path.write_text(
        "code,name,name_fr\nREFUND,Refund,Remboursement de l'ASFC\nDUTY,Duty,Droits\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("load_transaction_types", str(path), stdout=out)
    assert "transaction types added: 1" in out.getvalue()
    assert "transaction types renamed: 1" in out.getvalue()
    assert TransactionType.objects.get(code="REFUND").name_fr == "Remboursement de l'ASFC"
    assert AuditEntry.objects.filter(action="finance.transaction_types_loaded").exists()


@pytest.mark.spec("X-1", "FIN-1")
def test_import_by_type_takes_both_descriptions_from_it(importer_account):
    """X-1: an operator's row names its type; the descriptions are the type's names. An
    unknown type refuses the file."""
    row = {"number": "55500000000100", "date": "2026-11-01", "type": "CARD_BATCH",
           "amount": "-10.00", "status": "open_credit"}  # fmt: skip
    data = {"accounts": [{"account": importer_account.full_reference, "transactions": [row]}]}
    with pytest.raises(ValidationError, match="unknown transaction type 'NOPE'"):
        services.transactions_import(data={**data, "accounts": [{**data["accounts"][0],
            "transactions": [{**row, "type": "NOPE"}]}]})  # fmt: skip
    services.transactions_import(data=data)
    item = Transaction.objects.get(number="55500000000100")
    assert item.type.code == "CARD_BATCH"
    assert (item.description, item.description_fr) == ("Card batch", "Lot de cartes")


@pytest.mark.spec("X-1")
def test_descriptions_set_directly_are_kept():
    """Code paths that write their own descriptions (card payments, interest) keep them;
    a type fills only what is left empty."""
    kind = TransactionType.objects.get(code="INTEREST")
    item = TransactionFactory(type=kind, description="Interest for October", description_fr="")
    assert (item.description, item.description_fr) == ("Interest for October", "Intérêts")
    plain = TransactionFactory(description="Own text", description_fr="Texte propre")
    assert plain.type is None and plain.description_fr == "Texte propre"
    with pytest.raises(ValidationError, match="type or a description"):
        Transaction(
            program_account=plain.program_account, number="X", date=D(2026, 1, 1),
            description="", amount=Decimal(1), total_duties_taxes=Decimal(0), status="open",
        ).full_clean()  # fmt: skip


@pytest.mark.spec("X-1", "FIN-1", "FIN-2", "FIN-5")
def test_history_statement_and_csv_show_the_type_in_the_page_language(
    employee_client, importer_account
):
    kind = TransactionType.objects.get(code="CARD_BATCH")
    TransactionFactory(
        program_account=importer_account, number="T1", date=D(2026, 10, 9), type=kind,
        description="", amount=Decimal("-10.00"),
    )  # fmt: skip
    services.transaction_balances_refresh(program_account=importer_account)
    statement = services.statement_issue(
        program_account=importer_account, issue_date=D(2026, 10, 25)
    )
    for language, name in (("fr", "Lot de cartes"), ("en", "Card batch")):
        history = soup(employee_client.get(f"/{language}/finance/transactions/"))
        assert name in text(history.select_one("table.transactions-table tbody"))
        detail = soup(employee_client.get(f"/{language}/finance/statements/{statement.pk}/"))
        assert name in text(detail.find("main"))
        response = employee_client.get(
            f"/{language}/finance/transactions/export/", {"export": "all"}
        )
        table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert table[1][2] == name
        assert table[0][1] == (
            "numéro de transaction" if language == "fr" else "transaction_number"
        )
