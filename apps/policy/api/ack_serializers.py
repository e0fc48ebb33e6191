"""Representation and input of the acknowledgements, interpretations and reviews API. Serializers never save."""

from __future__ import annotations

from rest_framework import serializers

from apps.core.api.workflow import AllowedActionsField
from apps.org.models import User
from apps.policy.choices import ReviewOutcome
from apps.policy.models import Article, Interpretation, PolicyAcknowledgement, PolicyReview, PolicyVersion
from apps.policy.services import interpretation_allowed


class AckUserRef(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "name"]


class AcknowledgementSerializer(serializers.ModelSerializer):
    user = AckUserRef(read_only=True)
    version_label = serializers.CharField(source="version.label", read_only=True)
    department = serializers.CharField(source="user.employee.department.name", read_only=True, default=None)
    is_confirmed = serializers.BooleanField(read_only=True)

    class Meta:
        model = PolicyAcknowledgement
        fields = [
            "id",
            "version",
            "version_label",
            "user",
            "department",
            "is_confirmed",
            "confirmed_at",
            "reminded_at",
            "reminder_count",
            "created_at",
        ]
        read_only_fields = fields


class AcknowledgementSummaryRowSerializer(serializers.Serializer):
    department_id = serializers.IntegerField(allow_null=True)
    department = serializers.CharField()
    asked = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    pending = serializers.IntegerField()
    share = serializers.DecimalField(max_digits=5, decimal_places=1)


class AcknowledgementRemindSerializer(serializers.Serializer):
    version = serializers.PrimaryKeyRelatedField(
        queryset=PolicyVersion.objects.all(), required=False, allow_null=True, default=None
    )


class RemindedSerializer(serializers.Serializer):
    reminded = serializers.IntegerField()


class InterpretationSerializer(serializers.ModelSerializer):
    asked_by = AckUserRef(read_only=True)
    answered_by = AckUserRef(read_only=True, allow_null=True)
    article_number = serializers.IntegerField(source="article.number", read_only=True)
    version_label = serializers.CharField(source="version.label", read_only=True)
    allowed_actions = AllowedActionsField(interpretation_allowed)

    class Meta:
        model = Interpretation
        fields = [
            "id",
            "version",
            "version_label",
            "article",
            "article_number",
            "question",
            "asked_by",
            "status",
            "answer",
            "answered_by",
            "answered_at",
            "published_at",
            "decline_reason",
            "allowed_actions",
            "created_at",
        ]
        read_only_fields = fields


class InterpretationAskSerializer(serializers.Serializer):
    article = serializers.PrimaryKeyRelatedField(queryset=Article.objects.all())
    question = serializers.CharField(max_length=2000)


class InterpretationAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=5000)


class InterpretationDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class PolicyReviewSerializer(serializers.ModelSerializer):
    reviewed_by = AckUserRef(read_only=True)
    version_label = serializers.CharField(source="version.label", read_only=True)
    draft_label = serializers.CharField(source="draft.label", read_only=True, default=None)

    class Meta:
        model = PolicyReview
        fields = [
            "id",
            "version",
            "version_label",
            "reviewed_on",
            "outcome",
            "reasons",
            "evidence",
            "reviewed_by",
            "next_review_on",
            "draft",
            "draft_label",
            "created_at",
        ]
        read_only_fields = fields


class PolicyReviewRecordSerializer(serializers.Serializer):
    version = serializers.PrimaryKeyRelatedField(queryset=PolicyVersion.objects.all())
    outcome = serializers.ChoiceField(choices=ReviewOutcome.choices)
    reasons = serializers.CharField(max_length=5000)
    next_review_on = serializers.DateField(required=False, allow_null=True, default=None)
