"""The sales staff and department schemes of the default rules gained "sales plan actions done on time" (0007). A
version that stores no schemes of its own reads the defaults, so a version some cycle was already computed under
would read schemes other than the ones its cycles were computed with: write the schemes it was assessed by into it
(the same rules it always meant). A fresh database (the demo) has no cycles yet: its version 1.0 keeps reading the
defaults, the new KPI included."""

from django.db import migrations

BEFORE = {  # the sales schemes of the defaults until 0007 (weight, target)
    "staff": {
        "contract_amount_completion": {"weight": 50, "target": "100"},
        "payment_completion": {"weight": 30, "target": "100"},
        "new_customers": {"weight": 10, "target": "2"},
        "manager_rating": {"weight": 10, "target": "100"},
    },
    "department": {
        "contract_amount_completion": {"weight": 50, "target": "100"},
        "payment_completion": {"weight": 30, "target": "100"},
        "new_customers": {"weight": 10, "target": "6"},
        "improvements_on_time": {"weight": 10, "target": "100"},
    },
}


def keep(apps, schema_editor):
    cycle_model = apps.get_model("performance", "AssessmentCycle")
    version_model = apps.get_model("policy", "PolicyVersion")
    assessed = set(cycle_model.objects.exclude(rules_version=None).values_list("rules_version_id", flat=True))
    for version in version_model.objects.filter(pk__in=assessed):
        rules = dict(version.rules or {})
        assessment = dict(rules.get("assessment") or {})
        schemes = dict(assessment.get("schemes") or {})
        sales = dict(schemes.get("sales") or {})
        missing = {level: lines for level, lines in BEFORE.items() if level not in sales}
        if not missing:
            continue
        schemes["sales"] = {**sales, **missing}
        assessment["schemes"] = schemes
        rules["assessment"] = assessment
        version_model.objects.filter(pk=version.pk).update(rules=rules)


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0007_sales_plan_actions_kpi"),
        ("policy", "0004_acknowledgement_interpretation_review"),
    ]
    operations = [migrations.RunPython(keep, migrations.RunPython.noop)]
