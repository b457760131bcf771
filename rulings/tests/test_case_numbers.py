"""Case numbers (RUL-0, DOC-2): 10 digits, unique, issued in sequence, also when many
people create and submit requests at the same moment (real concurrent transactions on
PostgreSQL, one connection per thread)."""

import threading

import pytest
from django.db import connection, connections, transaction

from accounts.tests.factories import UserFactory
from business.tests.factories import ProgramAccountFactory
from rulings import services
from rulings.models import Ruling
from rulings.tests.factories import RulingFactory

CONTEXT = {
    "kind": Ruling.Kind.TARIFF_CLASSIFICATION,
    "port_of_entry": "Toronto (Pearson)",
    "prior": Ruling.Prior.NONE,
    "imported_before": False,
    "will_continue": True,
    "consent_to_publish": False,
}


@pytest.mark.spec("RUL-0", "DOC-2")
@pytest.mark.django_db
def test_case_numbers_are_ten_digits_in_sequence():
    first, second = RulingFactory(), RulingFactory()
    assert len(first.case_number) == 10 and first.case_number.isdigit()
    assert first.case_number >= "8000000001"
    assert int(second.case_number) == int(first.case_number) + 1


@pytest.mark.spec("RUL-0", "RUL-2")
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_unique_consecutive_case_numbers():
    """Twelve people create and submit a request at once, each in its own transaction
    held open until all have their number: the numbers are unique and consecutive."""
    account = ProgramAccountFactory()
    people = [UserFactory() for _ in range(12)]
    start = threading.Barrier(len(people))
    numbered = threading.Barrier(len(people))
    numbers, errors = [], []

    def submit(person):
        try:
            start.wait(timeout=20)
            with transaction.atomic():
                ruling = services.ruling_create(
                    program_account=account, actor=person, context=CONTEXT
                )
                services.ruling_details_update(
                    ruling=ruling,
                    actor=person,
                    details={
                        "goods_description": "Bicycle helmet",
                        "composition": "Polycarbonate shell, EPS foam",
                        "function_and_use": "Head protection",
                        "proposed_classification": "6506.10.00",
                        "classification_reasons": "Safety headgear",
                        "samples_available": False,
                    },
                )
                # Every transaction is still open when the others take their number.
                numbered.wait(timeout=20)
                services.ruling_submit(ruling=ruling, actor=person)
            numbers.append(ruling.case_number)
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(set(numbers)) == len(people)
    as_ints = sorted(int(n) for n in numbers)
    assert as_ints == list(range(as_ints[0], as_ints[0] + len(people)))
    assert Ruling.objects.filter(status=Ruling.Status.SUBMITTED).count() == len(people)
    with connection.cursor() as cursor:  # the sequence is a real PostgreSQL sequence
        cursor.execute("SELECT last_value FROM rulings_case_number")
        assert cursor.fetchone()[0] == as_ints[-1]
