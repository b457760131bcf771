"""Notice settings in the personal profile: subscribed or not, email language (NOTE-1)."""

import pytest

from accounts.models import User
from accounts.tests.helpers import profile_data
from tests.html import soup, text

pytestmark = pytest.mark.django_db


@pytest.mark.spec("NOTE-1", "PROF-3", "X-1")
@pytest.mark.parametrize(
    ("language", "legend", "label", "choices"),
    [
        ("en", "Settings and preferences", "Language of notice emails", ["English", "French"]),
        (
            "fr",
            "Paramètres et préférences",
            "Langue des avis par courriel",
            ["Anglais", "Français"],
        ),
    ],
)
def test_profile_offers_the_email_language(bam_client, language, legend, label, choices):
    user = bam_client.user
    User.objects.filter(pk=user.pk).update(preferred_language="fr", notice_language="")
    page = soup(bam_client.get(f"/{language}/account/profile/"))
    group = page.find(id="id_notice_language-group")
    assert text(group.find_parent("fieldset").legend) == legend
    assert text(group.legend) == label
    assert [text(tag) for tag in group.find_all("label")] == choices
    # Nothing chosen yet: the preferred language is shown as the choice.
    assert group.find("input", checked=True)["value"] == "fr"


@pytest.mark.spec("NOTE-1", "PROF-3")
def test_subscription_and_email_language_are_saved(bam_client):
    user = bam_client.user
    # No choice made: emails follow the preferred language.
    bam_client.post("/en/account/profile/", profile_data(preferred_language="fr"))
    user.refresh_from_db()
    assert (user.email_notices, user.notice_language, user.email_language) == (True, "", "fr")

    response = bam_client.post(
        "/en/account/profile/",
        profile_data(email_notices="no", preferred_language="en", notice_language="fr"),
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.email_notices, user.preferred_language, user.notice_language) == (
        False,
        "en",
        "fr",
    )
    assert user.email_language == "fr"
