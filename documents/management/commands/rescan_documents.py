"""Scan uploaded documents again, chosen by scan state (SPEC DOC-5; operators).

    manage.py rescan_documents --state infected [--state type_mismatch] [--case 8000000683]
                               [--dry-run]

Each chosen document goes back to quarantine (*pending scan*) and its scan is queued;
documents already pending are only queued again (what to do after clamd was down for a
long time: ``--state pending``; after it was down past DOCUMENT_SCAN_GIVE_UP_AFTER:
``--state scan_failed``, which brings those files back to pending). Idempotent: running it twice scans the same files again.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from documents import services
from documents.models import Document


class Command(BaseCommand):
    help = "Scan uploaded documents again, chosen by scan state."

    def add_arguments(self, parser):
        parser.add_argument(
            "--state",
            action="append",
            required=True,
            choices=[state.value for state in Document.ScanState],
            help="scan state of the documents to scan again (repeatable)",
        )
        parser.add_argument("--case", help="only this case/reference number")
        parser.add_argument("--dry-run", action="store_true", help="say what would be done")

    def handle(self, *args, state, case=None, dry_run=False, **options):
        documents = Document.objects.filter(scan_state__in=state).order_by("pk")
        if case:
            documents = documents.filter(case_number=case.strip().upper())
        total = documents.count()
        if dry_run:
            self.stdout.write(f"{total} document(s) would be scanned again (dry run).")
            return
        for done, document in enumerate(documents.iterator(), start=1):
            services.document_rescan(document=document)
            if done % 100 == 0:
                self.stdout.write(f"{done}/{total}")
        self.stdout.write(self.style.SUCCESS(f"{total} document(s) queued for a new scan."))
