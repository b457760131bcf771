"""The first categories of the *Category* drop-down; CBSA staff manage them afterwards."""

from django.db import migrations

CATEGORIES = [
    (
        "Ruling request – supporting documents",
        "Demande de décision – documents à l'appui",
    ),
    (
        "Product literature, drawings, photographs or diagrams",
        "Documentation sur les produits, dessins, photographies ou schémas",
    ),
    ("Commercial invoice", "Facture commerciale"),
    (
        "Response to a request for more information",
        "Réponse à une demande de renseignements supplémentaires",
    ),
    ("Other", "Autre"),
]


def add(apps, schema_editor):
    Category = apps.get_model("documents", "DocumentCategory")
    for position, (english, french) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(
            name_en=english, defaults={"name_fr": french, "position": position * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
