"""Representation and input validation of the improvement actions API. Serializers never save."""

from __future__ import annotations

from rest_framework import serializers

from apps.improvements.choices import EffectDirection, ImprovementSource
from apps.improvements.models import ImprovementAction
from apps.org.models import User


class ImprovementUserRef(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "name"]


class ImprovementActionSerializer(serializers.ModelSerializer):
    owner = ImprovementUserRef(read_only=True)
    verified_by = ImprovementUserRef(read_only=True, allow_null=True)
    effect_checked_by = ImprovementUserRef(read_only=True, allow_null=True)
    owner_unit = serializers.CharField(source="owner_unit.name", read_only=True)
    source_type = serializers.CharField(source="source_type.model", read_only=True, allow_null=True, default=None)
    is_overdue = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = ImprovementAction
        fields = [
            "id",
            "title",
            "description",
            "source_kind",
            "source_type",
            "source_id",
            "owner",
            "owner_unit",
            "due_date",
            "status",
            "is_overdue",
            "result",
            "completed_at",
            "verification",
            "verified_by",
            "verified_at",
            "effect_measure",
            "effect_baseline",
            "effect_direction",
            "effect_check_on",
            "effect_value",
            "effect_moved",
            "effect_note",
            "effect_checked_by",
            "effect_checked_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ImprovementRaiseSerializer(serializers.Serializer):
    """Input of ``improvement_raise`` (the owner must be within the requester's scope; the service checks it)."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    due_date = serializers.DateField()
    source_kind = serializers.ChoiceField(choices=ImprovementSource.choices, default=ImprovementSource.OTHER)
    effect_measure = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    effect_baseline = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True, default=None
    )
    effect_direction = serializers.ChoiceField(
        choices=EffectDirection.choices, required=False, allow_blank=True, default=""
    )


class ImprovementUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False)
    due_date = serializers.DateField(required=False)
    effect_measure = serializers.CharField(max_length=200, required=False, allow_blank=True)
    effect_baseline = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
    effect_direction = serializers.ChoiceField(choices=EffectDirection.choices, required=False, allow_blank=True)


class CompleteSerializer(serializers.Serializer):
    result = serializers.CharField()


class VerifySerializer(serializers.Serializer):
    effective = serializers.BooleanField()
    verification = serializers.CharField()


class EffectCheckSerializer(serializers.Serializer):
    """The figure read again at the next evaluation (and the figure itself if the action did not name it)."""

    value = serializers.DecimalField(max_digits=16, decimal_places=2)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    effect_measure = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    effect_baseline = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True, default=None
    )
    effect_direction = serializers.ChoiceField(
        choices=EffectDirection.choices, required=False, allow_blank=True, default=""
    )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=100)
