"""Re-encrypt every authenticator secret and recovery-code seed with the first key of
MFA_ENCRYPTION_KEYS (SC-28 key rotation, SEC-2). Put the new key first, run this, then
remove the old key. Values still in clear are encrypted too.

    manage.py mfa_keys_rotate
"""

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.mfa import SECRET_FIELDS, rotate_data


class Command(BaseCommand):
    help = "Re-encrypt the second-factor secrets with the first MFA_ENCRYPTION_KEYS key."

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            rows = Authenticator.objects.select_for_update().filter(type__in=list(SECRET_FIELDS))
            for authenticator in rows:
                data, changed = rotate_data(authenticator.type, authenticator.data)
                if changed:
                    authenticator.data = data
                    authenticator.save(update_fields=["data"])
                    count += 1
        self.stdout.write(f"Re-encrypted {count} second factors.")
