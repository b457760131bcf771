"""Every email the portal sends comes out in its recipient's language, whatever the
language of the page that triggered it (SPEC X-1, STYLE 8, NOTE-1). One test per kind:
the password-changed email, allauth's emails, the notice emails (system notices and CBSA
staff's). Django's test outbox here; notices/tests/test_email.py and test_worker.py
send through a real SMTP server."""

import pytest
from allauth.account.adapter import get_adapter
from allauth.core import context
from django.core import mail
from django.test import RequestFactory
from django.utils import translation

from accounts.tasks import send_password_changed_email
from accounts.tests.factories import UserFactory
from business.tests.factories import ProgramAccountFactory
from delegation.tests.factories import EmploymentFactory
from notices.audience import StaffAudience
from notices.services import notice_send, notice_send_bulk

pytestmark = pytest.mark.django_db


@pytest.mark.spec("X-1", "SIGN-5")
@pytest.mark.parametrize(
    ("preferred", "page", "subject"),
    [
        ("fr", "en", "Le mot de passe de votre CléGC a été modifié"),
        ("en", "fr", "Your GCKey password was changed"),
    ],
)
def test_password_changed_email_in_the_persons_language(preferred, page, subject):
    user = UserFactory(email="jo@example.ca", preferred_language=preferred)
    with translation.override(page):
        send_password_changed_email(user.pk)
    [message] = mail.outbox
    assert message.subject == subject
    assert message.extra_headers["Content-Language"] == f"{preferred}-CA"
    hello = "Bonjour" if preferred == "fr" else "Hello"
    assert message.body.startswith(hello)


@pytest.mark.spec("X-1")
@pytest.mark.parametrize(
    ("preferred", "page", "subject"),
    [
        ("fr", "en", "Application d'authentification activée"),
        ("en", "fr", "Authenticator App Activated"),
    ],
)
def test_allauths_emails_in_the_recipients_language(preferred, page, subject):
    """allauth sends none today (no email sign-up, reset or notifications); any it sends
    goes out in the person's language, not the page's."""
    UserFactory(email="Jo@Example.ca", preferred_language=preferred)
    request = RequestFactory().get("/")
    adapter = get_adapter(request)
    with translation.override(page), context.request_context(request):
        adapter.send_mail("mfa/email/totp_activated", "jo@example.ca", {})
        assert translation.get_language() == page  # the page's own language is back
    [message] = mail.outbox
    assert subject in message.subject
    assert message.extra_headers["Content-Language"] == f"{preferred}-CA"


@pytest.mark.spec("X-1", "NOTE-1")
def test_notice_emails_in_each_recipients_language_from_a_french_page(
    django_capture_on_commit_callbacks,
):
    """A system notice sent while a French page is served (a staff correction, an access
    request…) and a CBSA staff notice: each email in the recipient's email language."""
    business = ProgramAccountFactory().business
    for address, language in (("en@example.ca", "en"), ("fr@example.ca", "fr")):
        EmploymentFactory(
            business=business,
            role="bam",
            user=UserFactory(email=address, email_notices=True, preferred_language=language),
        )
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        notice_send(type_code="second_factor_reset", business=business)
        notice_send_bulk(
            type_code="cbsa_message",
            subject_en="Hello",
            subject_fr="Bonjour",
            body_en="Text.",
            body_fr="Texte.",
            audience=StaffAudience.businesses([business.pk]),
            sender=None,
        )
    sent = {(m.to[0], m.extra_headers["Content-Language"], m.subject) for m in mail.outbox}
    assert sent == {
        ("en@example.ca", "en-CA", "New notice in the CARM Client Portal"),
        ("fr@example.ca", "fr-CA", "Nouvel avis dans le portail client de la GCRA"),
    }
    assert len(mail.outbox) == 4
    english = [m for m in mail.outbox if m.to == ["en@example.ca"]]
    assert all("/en/notices/" in m.body and "Type:" in m.body for m in english)
    assert any("CBSA message" in m.body for m in english)
