"""Compile the .po catalogues into .mo files with polib (no gettext tools needed).

``make run`` and ``make test`` call it, so a fresh machine without gettext still gets
French pages. The .mo files are build products: never committed, never hand-written.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/*.po into .mo; refuse incomplete catalogues."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-incomplete",
            action="store_true",
            help="Compile even when entries are untranslated or fuzzy.",
        )

    def handle(self, *args, allow_incomplete=False, **options):
        catalogues = [p for root in settings.LOCALE_PATHS for p in Path(root).rglob("*.po")]
        if not catalogues:
            raise CommandError("no .po catalogue found in LOCALE_PATHS")
        for po_path in catalogues:
            catalogue = polib.pofile(str(po_path))
            untranslated = len(catalogue.untranslated_entries())
            fuzzy = len(catalogue.fuzzy_entries())
            if (untranslated or fuzzy) and not allow_incomplete:
                raise CommandError(
                    f"{po_path}: {untranslated} untranslated and {fuzzy} fuzzy entries"
                )
            catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
            self.stdout.write(
                f"{po_path.relative_to(settings.BASE_DIR)}: "
                f"{len(catalogue.translated_entries())} entries compiled"
            )
