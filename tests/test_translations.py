"""The French catalogue is complete: 0 untranslated, 0 fuzzy (X-1)."""

from pathlib import Path

import polib
import pytest

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"


@pytest.mark.spec("X-1")
def test_french_catalogue_is_complete():
    catalogue = polib.pofile(str(CATALOGUE))
    assert len(catalogue) > 100
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    assert not catalogue.metadata_is_fuzzy
    assert catalogue.metadata["Plural-Forms"].startswith("nplurals=2")


@pytest.mark.spec("X-1")
def test_placeholders_survive_translation():
    import re

    catalogue = polib.pofile(str(CATALOGUE))
    for entry in catalogue.translated_entries():
        wanted = set(re.findall(r"%\(\w+\)s", entry.msgid))
        found = set(re.findall(r"%\(\w+\)s", entry.msgstr or entry.msgstr_plural.get(1, "")))
        assert wanted == found, entry.msgid
