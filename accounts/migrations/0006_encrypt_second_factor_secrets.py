"""SEC-2: encrypt the authenticator secrets and recovery-code seeds stored in clear
before MFA_ENCRYPTION_KEYS existed (rows already encrypted are left as they are)."""

from django.db import migrations


def encrypt_secrets(apps, schema_editor):
    from accounts.mfa import SECRET_FIELDS, encrypt, is_encrypted

    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=list(SECRET_FIELDS)).iterator():
        data = dict(authenticator.data)
        changed = False
        for field in SECRET_FIELDS[authenticator.type]:
            value = data.get(field)
            if value and not is_encrypted(value):
                data[field] = encrypt(value)
                changed = True
        codes = data.get("migrated_codes")
        if codes:
            data["migrated_codes"] = [c if is_encrypted(c) else encrypt(c) for c in codes]
            changed = True
        if changed:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_second_factor_limits"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, migrations.RunPython.noop)]
