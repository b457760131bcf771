"""Re-encrypt every pre-authorized debit's bank details with the first key of
PAD_ENCRYPTION_KEYS (SC-28 key rotation). Put the new key first, run this, then remove
the old key.

    manage.py finance_pad_keys_rotate
"""

from django.core.management.base import BaseCommand

from finance import services


class Command(BaseCommand):
    help = "Re-encrypt the PAD bank details with the first PAD_ENCRYPTION_KEYS key."

    def handle(self, *args, **options):
        count = services.pad_keys_rotate()
        self.stdout.write(f"Re-encrypted {count} agreements.")
