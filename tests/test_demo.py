"""`manage.py seed_demo` is idempotent (STAFF-2)."""

import pytest
from django.core.management import call_command

from accounts.models import User
from business.models import Business, ProgramAccount
from delegation.models import Employment
from notices.models import Notice, NoticeRecipient


@pytest.mark.spec("STAFF-2")
def test_seed_demo_twice_gives_the_same_world(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (
        Business.objects.count(),
        ProgramAccount.objects.count(),
        User.objects.count(),
        Employment.objects.count(),
        Notice.objects.count(),
        NoticeRecipient.objects.count(),
    )
    call_command("seed_demo")
    assert counts == (
        Business.objects.count(),
        ProgramAccount.objects.count(),
        User.objects.count(),
        Employment.objects.count(),
        Notice.objects.count(),
        NoticeRecipient.objects.count(),
    )
    # The demo importer has more than a page of notices (NOTE-2).
    assert NoticeRecipient.objects.filter(user__username="demoimporter").count() > 10
    assert ProgramAccount.objects.get(business__bn9="549132583").full_reference == "549132583RM0001"
    assert User.objects.get(username="cbsaadmin").is_staff


def test_seed_demo_refuses_without_debug(db, settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
