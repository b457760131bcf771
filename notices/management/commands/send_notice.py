"""Send a notice written by CBSA staff from a JSON file (SPEC STAFF-2).

    manage.py send_notice --file notice.json [--dry-run]

The file::

    {
      "type": "cbsa_message",              # a staff type of the catalogue (admin)
      "urgent": false,                     # optional; true: emailed even if unsubscribed
      "display_date": "2026-11-27",        # optional; default today, never in the future
      "subject": {"en": "...", "fr": "..."},
      "body": {"en": "...", "fr": "..."},  # plain text; blank lines separate paragraphs
      "to": "everyone",                    # or {"businesses": ["549132583", ...]}
                                           # or {"program_type": "importer"}
      "reference": "2026-11-bulletin-7"    # optional; default: a digest of the file
    }

Idempotent: a notice is sent once per reference, so running the same file again sends
nothing. ``--dry-run`` checks the file and says whom it would reach, and sends nothing.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from notices import services
from notices.forms import NoticeComposeForm
from notices.models import Notice


def form_data(document: dict) -> dict:
    """The compose form's fields from the file's structure."""
    if not isinstance(document, dict):
        raise CommandError("the file must hold one JSON object")
    subject, body = document.get("subject") or {}, document.get("body") or {}
    to = document.get("to")
    data = {
        "type": document.get("type", ""),
        "display_date": document.get("display_date", ""),
        "subject_en": subject.get("en", ""),
        "subject_fr": subject.get("fr", ""),
        "body_en": body.get("en", ""),
        "body_fr": body.get("fr", ""),
    }
    if document.get("urgent"):
        data["urgent"] = "on"
    if to == "everyone":
        data["audience"] = NoticeComposeForm.EVERYONE
    elif isinstance(to, dict) and "businesses" in to:
        data["audience"] = NoticeComposeForm.BUSINESSES
        data["business_numbers"] = "\n".join(str(n) for n in to["businesses"])
    elif isinstance(to, dict) and "program_type" in to:
        data["audience"] = NoticeComposeForm.PROGRAM_TYPE
        data["program_type"] = to["program_type"]
    else:
        raise CommandError(
            '"to" must be "everyone", {"businesses": [...]} or {"program_type": "..."}'
        )
    return data


class Command(BaseCommand):
    help = "Send a bilingual notice written by CBSA staff, from a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("--file", required=True, type=Path, help="The notice, in JSON.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and count the recipients."
        )

    def handle(self, *args, file: Path, dry_run: bool = False, **options):
        try:
            raw = file.read_bytes()
            document = json.loads(raw)
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read {file}: {error}") from error
        form = NoticeComposeForm(form_data(document))
        if not form.is_valid():
            problems = "; ".join(
                f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()
            )
            raise CommandError(f"the notice is not valid: {problems}")
        reference = str(document.get("reference") or "")[:70]
        reference = f"file:{reference or hashlib.sha256(raw).hexdigest()[:64]}"
        existing = Notice.objects.filter(reference=reference).first()
        if existing:
            self.stdout.write(
                f"Already sent as notice {existing.pk} ({existing.recipient_count} people): "
                "nothing sent."
            )
            return
        arguments = form.send_arguments()
        if dry_run:
            count = arguments["audience"].user_ids().count()
            self.stdout.write(
                f"Would send “{arguments['subject_en']}” / “{arguments['subject_fr']}” "
                f"({arguments['type_code']}, {'urgent' if arguments['urgent'] else 'not urgent'}) "
                f"to {count} people ({arguments['audience'].describe()}). Nothing sent."
            )
            return
        notice = services.notice_send_bulk(**arguments, sender=None, reference=reference)
        emails = notice.deliveries.count()
        self.stdout.write(
            f"Sent notice {notice.pk} to {notice.recipient_count} people; {emails} emails queued."
        )
