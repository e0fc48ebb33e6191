"""The stages each opportunity's stage history has reached, one bit each (issue 14: the funnel in one pass without
grouping the stage history), computed from the stage changes that exist."""

from django.db import migrations, models
import django.db.models.functions


# As ``apps.sales.models.pipeline.STAGE_BITS`` (a migration keeps its own copy).
STAGE_BITS = {"initial": 1, "needs": 2, "proposal": 4, "negotiation": 8, "won": 16, "lost": 32, "invalid": 64}


def backfill(apps, schema_editor):
    Opportunity = apps.get_model("sales", "Opportunity")
    StageChange = apps.get_model("sales", "OpportunityStageChange")
    bit = models.Case(
        *(models.When(to_stage=stage, then=models.Value(value)) for stage, value in STAGE_BITS.items()),
        default=models.Value(0),
        output_field=models.IntegerField(),
    )
    reached = (
        StageChange.objects.filter(opportunity=models.OuterRef("pk"))
        .order_by()
        .values("opportunity")
        .annotate(bits=models.Sum(bit, distinct=True))
        .values("bits")
    )
    Opportunity.objects.update(
        stages_reached=models.functions.Coalesce(models.Subquery(reached[:1]), models.Value(0))
    )


class Migration(migrations.Migration):

    dependencies = [
        ('sales', '0005_plan_action_done_at'),
    ]

    operations = [
        migrations.AddField(
            model_name='opportunity',
            name='stages_reached',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
