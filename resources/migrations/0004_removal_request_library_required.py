import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """In a migration of its own: PostgreSQL does not alter a table with the rows just filled in the same transaction."""

    dependencies = [
        ("resources", "0003_removal_request_status"),
    ]

    operations = [
        migrations.AlterField(
            model_name="removalrequest",
            name="library",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="removal_requests",
                to="libraries.library",
                verbose_name="library",
            ),
        ),
    ]
