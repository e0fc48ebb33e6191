"""Representation and input validation of the reports API. Serializers never save."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.core.api.workflow import AllowedActionsField
from apps.org.models import Department, User
from apps.reports.choices import Frequency, SubscriptionTarget
from apps.reports.models import DepartmentReport, ReportSubscription
from apps.reports.services import allowed_actions as report_allowed


class ReportUserRef(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "name"]


class DepartmentReportSerializer(serializers.ModelSerializer):
    owner = ReportUserRef(read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    allowed_actions = AllowedActionsField(report_allowed)

    class Meta:
        model = DepartmentReport
        fields = [
            "id",
            "department",
            "department_name",
            "kind",
            "period_key",
            "period_start",
            "period_end",
            "due_date",
            "status",
            "owner",
            "figures",
            "figures_built_at",
            "commentary",
            "causes",
            "next_plans",
            "submitted_at",
            "review_comment",
            "reviewed_at",
            "allowed_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReportGenerateSerializer(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.filter(is_active=True))
    period_key = serializers.CharField(max_length=10)


class ReportUpdateSerializer(serializers.Serializer):
    commentary = serializers.CharField(required=False, allow_blank=True)
    causes = serializers.CharField(required=False, allow_blank=True)
    next_plans = serializers.CharField(required=False, allow_blank=True)


class ReportReviewSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class SubscriptionSerializer(serializers.ModelSerializer):
    owner = ReportUserRef(read_only=True)
    recipients = ReportUserRef(many=True, read_only=True)

    class Meta:
        model = ReportSubscription
        fields = [
            "id",
            "name",
            "target",
            "frequency",
            "recipients",
            "is_active",
            "last_sent_at",
            "owner",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SubscriptionWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    target = serializers.ChoiceField(choices=SubscriptionTarget.choices)
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    recipients = serializers.PrimaryKeyRelatedField(many=True, queryset=User.objects.filter(is_active=True))
    is_active = serializers.BooleanField(default=True)

    def to_internal_value(self, data: Any) -> Any:
        return super().to_internal_value(data)


class SubscriptionUpdateSerializer(SubscriptionWriteSerializer):
    name = serializers.CharField(max_length=100, required=False)
    target = serializers.ChoiceField(choices=SubscriptionTarget.choices, required=False)
    frequency = serializers.ChoiceField(choices=Frequency.choices, required=False)
    recipients = serializers.PrimaryKeyRelatedField(
        many=True, queryset=User.objects.filter(is_active=True), required=False
    )
    is_active = serializers.BooleanField(required=False)
