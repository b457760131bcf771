"""The case-number sequence (ADR 0012): 10 digits, unique, issued in order from
8000000001 (the guide shows 8000000683). A sequence never hands out the same number
twice, whatever the number of concurrent transactions; a rolled-back draft leaves a gap."""

from django.db import migrations

from rulings.models import CASE_NUMBER_SEQUENCE


class Migration(migrations.Migration):
    dependencies = [("rulings", "0001_initial")]

    operations = [
        migrations.RunSQL(
            f"CREATE SEQUENCE {CASE_NUMBER_SEQUENCE} AS bigint "
            "START WITH 8000000001 MINVALUE 8000000001 MAXVALUE 9999999999 NO CYCLE",
            f"DROP SEQUENCE {CASE_NUMBER_SEQUENCE}",
        ),
    ]
