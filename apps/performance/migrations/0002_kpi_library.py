from django.db import migrations


def seed(apps, schema_editor):
    from apps.performance.kpi_library import sync_kpi_library

    sync_kpi_library(apps.get_model("performance", "Kpi"))


class Migration(migrations.Migration):
    dependencies = [("performance", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
