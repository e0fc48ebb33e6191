"""Seed the policy 公司市场开发及销售管理制度, version 1.0, in force from 2026-01-01, from ``apps.policy.seed_data``."""

import datetime as dt

from django.db import migrations

from apps.policy import seed_data

SEED_REASON = "依据制度原文录入 (seeded from the policy text)"


def seed(apps, schema_editor):
    Policy = apps.get_model("policy", "Policy")
    PolicyVersion = apps.get_model("policy", "PolicyVersion")
    Article = apps.get_model("policy", "Article")
    policy, _ = Policy.objects.get_or_create(
        code=seed_data.POLICY_CODE, defaults={"name": seed_data.POLICY_NAME, "name_en": seed_data.POLICY_NAME_EN}
    )
    if PolicyVersion.objects.filter(policy=policy, label=seed_data.VERSION_LABEL).exists():
        return
    published_at = dt.datetime.combine(seed_data.EFFECTIVE_FROM, dt.time(), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    version = PolicyVersion.objects.create(
        policy=policy, label=seed_data.VERSION_LABEL, status="in_force", effective_from=seed_data.EFFECTIVE_FROM,
        published_at=published_at, next_review_on=seed_data.NEXT_REVIEW_ON, rules=seed_data.RULES,
    )
    order = 0
    for chapter in seed_data.CHAPTERS:
        for article in chapter["articles"]:
            order += 1
            Article.objects.create(
                version=version, chapter_number=chapter["number"], chapter_title_zh=chapter["title_zh"],
                chapter_title_en=chapter["title_en"], number=article["number"], title_zh=article["title_zh"],
                title_en=article["title_en"], text_zh=article["text_zh"], text_en=article["text_en"], order=order,
            )
    _record_creation(apps, version)


def _record_creation(apps, version):
    """Historical models are not tracked in migrations, so write the "created" entry of the history by hand."""
    HistoricalPolicyVersion = apps.get_model("policy", "HistoricalPolicyVersion")
    fields = {f.attname: getattr(version, f.attname) for f in version._meta.fields}
    HistoricalPolicyVersion.objects.create(
        **{k: v for k, v in fields.items() if k != "rules"},
        history_date=version.created_at, history_type="+", history_change_reason=SEED_REASON,
    )


def unseed(apps, schema_editor):
    PolicyVersion = apps.get_model("policy", "PolicyVersion")
    PolicyVersion.objects.filter(policy__code=seed_data.POLICY_CODE, label=seed_data.VERSION_LABEL).delete()


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
