"""Crawl the portal as each demo person, in French and in English (SPEC X-1, HOME-2,
HOME-4).

From the home page, every link of every page reached is followed (the portal's own
pages, in the page's language; not the admin). It fails on:

- a link that answers 403 or 404 (HOME-2, HOME-4: every link follows the same permission
  rule as the tiles, so none leads to a refusal or to nothing);
- on a French page, a text node outside ``lang="en"`` that is an English text of the
  catalogue (``django.po``'s msgids whose French differs) or the English column of the
  reference data on file (descriptions, business activities, titles, sub-programs,
  treatment names, notice types), and the other way round on English pages (X-1).

The number of pages crawled is printed. With ``PARITY_SAVE_DIR`` set, every HTML page is
saved there (``tests/vnu.sh`` checks them with the Nu HTML checker).
"""

from __future__ import annotations

import os
import re
import time
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import polib
import pytest
from bs4 import BeautifulSoup, Comment, NavigableString
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from business.models import Business, Person, ProgramAccount
from business.navigation import CURRENT_ACCOUNT_KEY
from calculator.models import TariffTreatment
from conftest import _client_for
from finance.models import Invoice, InvoiceLine, Transaction, TransactionType
from notices.models import NoticeType

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
PAGES_PER_PERSON = 120
SKIPPED = re.compile(r"^/(admin|oidc|static|media)/|/sign-out/|/account/(sign-in|register)")
# A text node shorter than this is a code, an abbreviation or a number, the same in both
# languages often enough ("RM", "PDF", "T2026-2") to be left out.
SHORTEST = 4
VALID_TIME = re.compile(
    r"^\d{4}-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?)?$"
)


def _catalogue() -> tuple[set[str], set[str]]:
    """English and French texts of the catalogue that differ between the languages."""
    english, french = set(), set()
    for entry in polib.pofile(str(ROOT / "locale/fr/LC_MESSAGES/django.po")):
        if entry.obsolete or not entry.msgstr or "%" in entry.msgid or "{" in entry.msgid:
            continue
        en, fr = " ".join(entry.msgid.split()), " ".join(entry.msgstr.split())
        if en.casefold() != fr.casefold():
            english.add(en)
            french.add(fr)
    return english, french


def _reference_data() -> tuple[set[str], set[str]]:
    """The English and French columns of what CRA and CBSA hold on file."""
    english, french = set(), set()
    pairs = [
        (Transaction, "description", "description_fr"),
        (TransactionType, "name", "name_fr"),
        (Invoice, "description", "description_fr"),
        (InvoiceLine, "description", "description_fr"),
        (Business, "business_activity", "business_activity_fr"),
        (Person, "title", "title_fr"),
        (TariffTreatment, "name_en", "name_fr"),
        (NoticeType, "label_en", "label_fr"),
    ]
    for model, en_field, fr_field in pairs:
        for en, fr in model.objects.values_list(en_field, fr_field).distinct():
            if en and fr and en != fr:
                english.add(en)
                french.add(fr)
    for en, fr in ProgramAccount.objects.values_list("sub_programs", "sub_programs_fr"):
        english.update(s.strip() for s in en.split(",") if s.strip())
        french.update(s.strip() for s in fr.split(",") if s.strip())
    return english, french


def _other_language_texts() -> dict[str, set[str]]:
    """For each page language, the texts that belong to the other one only."""
    en_catalogue, fr_catalogue = _catalogue()
    en_data, fr_data = _reference_data()
    english, french = en_catalogue | en_data, fr_catalogue | fr_data
    # A text that is also one of the page's own language is not evidence of the other.
    return {"fr": english - french, "en": french - english}


def _in_other_language(node, language: str) -> bool:
    for parent in [node, *node.parents]:
        lang = parent.get("lang") if hasattr(parent, "get") else None
        if lang:
            return not lang.startswith(language)
    return False


def _foreign_texts(page: BeautifulSoup, language: str, foreign: set[str]) -> list[str]:
    found = []
    for node in page.find_all(string=True):
        if isinstance(node, Comment) or not isinstance(node, NavigableString):
            continue
        if node.parent.name in ("script", "style", "code", "pre", "textarea"):
            continue
        value = " ".join(str(node).split())
        if len(value) >= SHORTEST and value in foreign and not _in_other_language(node, language):
            found.append(value)
    # Attributes that are read out: labels, hints, the text of <input> buttons, option
    # groups' and options' labels.
    buttons = "input[type=submit][value], input[type=button][value], input[type=reset][value]"
    for element in page.select(f"[aria-label], [placeholder], [alt], [title], [label], {buttons}"):
        for attribute in ("aria-label", "placeholder", "alt", "title", "label", "value"):
            if attribute == "value" and element.name != "input":
                continue
            value = " ".join((element.get(attribute) or "").split())
            foreign_here = len(value) >= SHORTEST and value in foreign
            if foreign_here and not _in_other_language(element, language):
                found.append(f"{attribute}={value}")
    return found


def _people() -> dict[str, Client]:
    clients = {}
    for username in ("demoimporter", "demoreader", "demobroker", "demoagent", "demonewcomer"):
        clients[username] = _client_for(User.objects.get(username=username))
    # The broker's Editor opens on its client's account (DELEG-4: "ImporterCompany3084"
    # comes first); in the header, they switch to their own employer's.
    agent = clients["demoagent"]
    session = agent.session
    assert ProgramAccount.objects.filter(business__bn9="549132583").exists()
    session[CURRENT_ACCOUNT_KEY] = ProgramAccount.objects.get(business__bn9="871234569").pk
    session.save()
    clients["demoagent acting for the importer"] = _client_for(
        User.objects.get(username="demoagent")
    )
    # The broker's manager too opens on its client's account; in its own business it
    # manages its relationships and assigns its clients (DELEG-2, DELEG-4).
    broker = _client_for(User.objects.get(username="demobroker"))
    session = broker.session
    session[CURRENT_ACCOUNT_KEY] = ProgramAccount.objects.get(business__bn9="871234569").pk
    session.save()
    clients[BROKER_OWN] = broker
    clients["cbsaadmin"] = _client_for(User.objects.get(username="cbsaadmin"))
    return clients


BROKER_OWN = "demobroker in its own business"


def _form_steps(who: str, language: str) -> list[str]:
    """The pages a person reaches only through a form (the crawl follows links): the
    bulk assignment's second step, for the demo broker's manager (DELEG-4)."""
    if who != BROKER_OWN:
        return []
    from delegation.models import Relationship

    client = Relationship.objects.filter(provider__bn9="871234569", status="active").earliest("pk")
    with translation.override(language):
        return [f"{reverse('delegation:clients_assign')}?clients={client.client_id}"]


def crawl(client: Client, language: str, foreign: set[str], save: Path | None, who: str):
    """Breadth-first from the home page and the pages only a form leads to; returns
    (pages, refusals, foreign texts)."""
    start = f"/{language}/portal/home/"
    queue = deque([(start, "(start)"), *((url, "(a form)") for url in _form_steps(who, language))])
    seen = {urlsplit(url).path for url, _referrer in queue}
    pages, refusals, texts = 0, [], []
    while queue and pages < PAGES_PER_PERSON:
        url, referrer = queue.popleft()
        response = client.get(url)
        pages += 1
        if response.status_code in (403, 404):
            refusals.append(f"{url} answers {response.status_code} (linked from {referrer})")
            continue
        assert response.status_code < 500, f"{who}: {url} answers {response.status_code}"
        if response.status_code in (301, 302):
            location = response["Location"]
            if location.startswith("/") and urlsplit(location).path not in seen:
                seen.add(urlsplit(location).path)
                queue.append((location, url))
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        page = BeautifulSoup(html, "html.parser")
        for value in _foreign_texts(page, language, foreign):
            texts.append(f"{url}: {value!r}")
        # HTML (X-2): a <time datetime> the Nu validator accepts (at most 3 fractional
        # digits of a second).
        for time_element in page.select("time[datetime]"):
            if not VALID_TIME.match(time_element["datetime"]):
                texts.append(f"{url}: <time datetime={time_element['datetime']!r}>")
        if save is not None:
            name = re.sub(r"[^a-z0-9]+", "-", f"{who} {url}".lower()).strip("-")
            (save / f"{name}.html").write_text(html)
        for link in page.select("a[href]"):
            href = urldefrag(link["href"])[0]
            path = urlsplit(href).path
            if not href.startswith(f"/{language}/") or SKIPPED.search(path) or path in seen:
                continue
            seen.add(path)
            queue.append((href, url))
    return pages, refusals, texts


@pytest.mark.spec("X-1", "X-2", "HOME-2", "HOME-4")
@pytest.mark.parametrize("language", ["fr", "en"])  # one test a language: run side by side
def test_every_page_reachable_in_each_language_is_in_that_language_and_no_link_fails(
    settings_debug, language
):
    save = os.environ.get("PARITY_SAVE_DIR")
    save_dir = Path(save) if save else None
    if save_dir is not None:
        save_dir.mkdir(parents=True, exist_ok=True)
    foreign = _other_language_texts()
    total, refusals, texts = 0, [], []
    for who, client in _people().items():
        started = time.monotonic()
        pages, refused, found = crawl(client, language, foreign[language], save_dir, who)
        print(f"{who} [{language}]: {pages} pages, {time.monotonic() - started:.1f} s")
        total += pages
        refusals += [f"{who} [{language}] {r}" for r in refused]
        texts += [f"{who} [{language}] {t}" for t in found]
    print(f"\nParity crawl: {total} pages crawled in {language}.")
    assert total > 50
    assert not refusals, "\n".join(refusals)
    assert not texts, "\n".join(sorted(set(texts)))


@pytest.fixture
def settings_debug(settings):
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
    assert settings.LANGUAGE_CODE


@pytest.mark.spec("X-1")
def test_the_parity_check_sees_the_other_language_outside_lang_elements():
    """The detector itself: English outside ``lang="en"`` on a French page is found;
    inside it, or on an English page, it is not."""
    foreign = {"Card batch", "Accept the terms", "Add the correction", "Interest"}
    page = BeautifulSoup(
        '<html lang="fr"><body><p>Card batch</p><p lang="en">Card batch</p>'
        '<button aria-label="Accept the terms">x</button><td>Lot de cartes</td>'
        '<input type="submit" value="Add the correction"><input name="q" value="Interest">'
        '<select><optgroup label="Interest"><option lang="en">Card batch</option>'
        "<option>Card batch</option></optgroup></select></body></html>",
        "html.parser",
    )
    assert _foreign_texts(page, "fr", foreign) == [
        "Card batch",
        "Card batch",
        "aria-label=Accept the terms",
        "value=Add the correction",
        "label=Interest",
    ]
    assert _foreign_texts(page, "fr", {"Lot"}) == []


@pytest.mark.spec("X-2")
def test_time_elements_carry_at_most_milliseconds():
    """HTML: the Nu validator refuses microseconds in <time datetime>."""
    from django.template import Context, Template
    from django.utils import timezone

    assert not VALID_TIME.match("2026-11-05T10:00:00.123456+00:00")
    rendered = Template("{{ when|date:'Y-m-d\\TH:i:sO' }}").render(
        Context({"when": timezone.now().replace(microsecond=123456)})
    )
    assert VALID_TIME.match(rendered), rendered
