from django.db import migrations

from circles.sdg_data import sdgs_load


def load(apps, schema_editor):
    sdgs_load(apps.get_model("circles", "SDG"))


class Migration(migrations.Migration):
    dependencies = [("circles", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
