# The assignee filter's choices probe each person's newest visible ticket (core.selectors.people_in_view).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('service', '0004_ticket_customer_sharing_keys'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['assignee', '-created_at'], name='ticket_assignee_created_idx'),
        ),
    ]
