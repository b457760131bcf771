"""The index of a filtered notices list (NOTE-2, X-4): built concurrently, so that sending
notices is not blocked while it builds on a table of millions of rows."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("notices", "0002_recipient_search_text"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="noticerecipient",
            index=models.Index(
                models.F("user"),
                models.F("display_date").desc(),
                models.F("notice").desc(),
                include=["type", "account_number", "search_en", "search_fr"],
                name="notice_recipient_filter",
            ),
        ),
    ]
