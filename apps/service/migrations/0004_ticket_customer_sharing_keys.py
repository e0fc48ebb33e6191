"""The customer's sales owner and service owner copied onto each ticket (issue 14: the visibility rule reads the
ticket's own indexed columns), filled from the customers for the tickets that exist."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):
    Ticket = apps.get_model("service", "Ticket")
    Customer = apps.get_model("customers", "Customer")
    customer = Customer.objects.filter(pk=models.OuterRef("customer_id"))
    Ticket.objects.filter(customer__isnull=False).update(
        customer_owner_id=models.Subquery(customer.values("owner_id")[:1]),
        customer_service_owner_id=models.Subquery(customer.values("service_owner_id")[:1]),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('service', '0003_list_sort_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='ticket',
            name='customer_owner',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='ticket',
            name='customer_service_owner',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
