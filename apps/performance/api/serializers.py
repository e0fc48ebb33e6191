"""Representation and input of the performance API. Serializers never save; amounts and scores are strings."""

from __future__ import annotations

from rest_framework import serializers

from apps.org.models import User
from apps.performance.models import Appeal, Assessment, AssessmentCycle, AssessmentItem, Kpi, RewardPenalty, Violation
from apps.policy.choices import RewardPenaltyAction


class PersonRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "name"]
        ref_name = "PerformancePersonRef"


class KpiSerializer(serializers.ModelSerializer):
    class Meta:
        model = Kpi
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "unit",
            "direction",
            "method",
            "article",
            "description",
            "description_en",
            "score_cap",
        ]
        read_only_fields = fields


class CycleSerializer(serializers.ModelSerializer):
    rules_version = serializers.CharField(source="rules_version.label", read_only=True, allow_null=True, default=None)

    class Meta:
        model = AssessmentCycle
        fields = [
            "id",
            "name",
            "period_key",
            "start",
            "end",
            "status",
            "progress",
            "rules_version",
            "computed_at",
            "finalised_at",
            "published_at",
        ]
        read_only_fields = fields


class CycleCreateSerializer(serializers.Serializer):
    period_key = serializers.CharField(max_length=10)


class ItemSerializer(serializers.ModelSerializer):
    kpi = serializers.CharField(source="kpi.code", read_only=True)
    kpi_name = serializers.CharField(source="kpi.display_name", read_only=True)
    records = serializers.SerializerMethodField()

    class Meta:
        model = AssessmentItem
        fields = [
            "id",
            "kpi",
            "kpi_name",
            "weight",
            "target",
            "actual",
            "completion",
            "score",
            "contribution",
            "basis",
            "records",
        ]
        read_only_fields = fields

    def get_records(self, item: AssessmentItem) -> int:
        return len(item.sources or [])


class AssessmentSerializer(serializers.ModelSerializer):
    owner = PersonRefSerializer(read_only=True, allow_null=True)
    department = serializers.CharField(source="owner_unit.name", read_only=True)
    cycle = serializers.CharField(source="cycle.period_key", read_only=True)
    items = ItemSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "cycle",
            "subject_kind",
            "department_kind",
            "level",
            "owner",
            "department",
            "computed_total",
            "adjustment",
            "adjustment_reason",
            "total",
            "grade",
            "rank_in_department",
            "rank_in_company",
            "status",
            "manager_comment",
            "reviewed_at",
            "confirmed_at",
            "items",
        ]
        read_only_fields = fields


class ReviewSerializer(serializers.Serializer):
    hand_scores = serializers.DictField(
        child=serializers.DecimalField(max_digits=6, decimal_places=2), required=False, default=dict
    )
    adjustment = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, default=0)
    adjustment_reason = serializers.CharField(required=False, allow_blank=True, default="")
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class AppealInputSerializer(serializers.Serializer):
    reason = serializers.CharField()


class AppealSerializer(serializers.ModelSerializer):
    decided_by = PersonRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "assessment",
            "reason",
            "status",
            "decision",
            "new_total",
            "decided_by",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


class AppealDecisionSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    decision = serializers.CharField()
    new_total = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True, default=None)


class RewardPenaltySerializer(serializers.ModelSerializer):
    person = PersonRefSerializer(read_only=True, allow_null=True)
    department = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = RewardPenalty
        fields = [
            "id",
            "action",
            "is_reward",
            "person",
            "department",
            "assessment",
            "violation",
            "reason",
            "amount",
            "status",
            "decision_note",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


class ProposalDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True, default=None)


class ViolationSerializer(serializers.ModelSerializer):
    owner = PersonRefSerializer(read_only=True)
    department = serializers.CharField(source="owner_unit.name", read_only=True)
    reported_by = PersonRefSerializer(read_only=True)

    class Meta:
        model = Violation
        fields = [
            "id",
            "owner",
            "department",
            "article",
            "happened_on",
            "description",
            "reported_by",
            "status",
            "decision",
            "decided_at",
            "appeal_reason",
            "appealed_at",
            "appeal_decision",
            "appeal_decided_at",
            "created_at",
        ]
        read_only_fields = fields


class ViolationInputSerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    article = serializers.IntegerField(min_value=1)
    happened_on = serializers.DateField()
    description = serializers.CharField()


class ViolationDecisionSerializer(serializers.Serializer):
    confirm = serializers.BooleanField()
    decision = serializers.CharField()
    action = serializers.ChoiceField(choices=[("", "—"), *RewardPenaltyAction.choices], required=False, default="")


class ViolationAppealDecisionSerializer(serializers.Serializer):
    upheld = serializers.BooleanField(help_text="true: the violation is overturned; false: it stands")
    decision = serializers.CharField()
