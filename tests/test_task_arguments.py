"""Task arguments are validated (SEC-5, SI-10): a message is data from outside the
process; a task refuses what it must not act on, at once and without retrying."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from carm_portal.tasks import InvalidTaskArgument, task_past_date, task_pk, task_pks
from finance.models import Statement
from finance.tasks import issue_statement, issue_statements

pytestmark = pytest.mark.django_db


@pytest.mark.spec("SEC-5")
@pytest.mark.parametrize("value", [0, -1, True, "1", 1.0, None, 2**63, [1]])
def test_a_primary_key_is_a_positive_int(value):
    with pytest.raises(InvalidTaskArgument):
        task_pk(value)


@pytest.mark.spec("SEC-5")
def test_lists_of_keys():
    assert task_pks([1, 2]) == [1, 2]
    for bad in ("1,2", [1, "2"], list(range(1, 10_002))):
        with pytest.raises(InvalidTaskArgument):
            task_pks(bad)


@pytest.mark.spec("SEC-5")
@pytest.mark.parametrize("value", ["2026-13-01", "25/11/2026", "2026-11-25T00:00", 20261125, ""])
def test_a_date_is_iso_8601(value):
    with pytest.raises(InvalidTaskArgument):
        task_past_date(value, today=datetime.date(2026, 12, 2))


@pytest.mark.spec("SEC-5", "FIN-5")
def test_an_issue_date_in_the_future_is_refused(importer_account):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    with pytest.raises(InvalidTaskArgument, match="future"):
        issue_statements(tomorrow)
    with pytest.raises(InvalidTaskArgument, match="future"):
        issue_statement.apply(args=[importer_account.pk, tomorrow]).get()
    assert not Statement.objects.exists()


@pytest.mark.spec("SEC-5", "FIN-5")
def test_a_refused_argument_is_not_retried(importer_account):
    """issue_statement retries on any error (the database may be restarting), except a
    refused argument."""
    result = issue_statement.apply(args=["1; DROP TABLE", "2026-11-25"], throw=False)
    # (an error that is retried comes back from eager mode as celery's Retry instead)
    assert result.failed() and isinstance(result.result, InvalidTaskArgument)
