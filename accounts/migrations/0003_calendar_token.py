import secrets

from django.db import migrations, models

import accounts.models


def give_every_person_a_token(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.filter(calendar_token__isnull=True).only("pk"):
        user.calendar_token = secrets.token_urlsafe(24)
        user.save(update_fields=["calendar_token"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_profile_and_preferences")]

    # A unique value per existing row: add the column empty, fill it, then make it required.
    operations = [
        migrations.AddField(
            model_name="user",
            name="calendar_token",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="secret address of your calendar"
            ),
        ),
        migrations.RunPython(give_every_person_a_token, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="calendar_token",
            field=models.CharField(
                default=accounts.models.new_calendar_token,
                editable=False,
                max_length=64,
                unique=True,
                verbose_name="secret address of your calendar",
            ),
        ),
    ]
