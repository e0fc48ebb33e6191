"""Representation and input of the policy API (versions, diff, impact, decisions). Serializers never save."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.core.api.workflow import AllowedActionsField
from apps.org.models import User
from apps.policy import selectors
from apps.policy.choices import VoteChoice
from apps.policy.models import PolicyDecision, PolicyVersion, PolicyVote


class PolicyUserRef(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "name"]


class PolicyVersionSerializer(serializers.ModelSerializer):
    policy = serializers.CharField(source="policy.code", read_only=True)
    published_by = PolicyUserRef(read_only=True, allow_null=True)
    allowed_actions = AllowedActionsField(selectors.version_allowed)

    class Meta:
        model = PolicyVersion
        fields = [
            "id",
            "policy",
            "label",
            "status",
            "based_on",
            "effective_from",
            "next_review_on",
            "published_at",
            "published_by",
            "decided_by",
            "decision_note",
            "rules",
            "allowed_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DraftSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=20)


class RulesUpdateSerializer(serializers.Serializer):
    rules = serializers.JSONField(help_text='Only what changes, e.g. {"kpi_weights": {"sales_target": 60, ...}}')


class PublishSerializer(serializers.Serializer):
    effective_from = serializers.DateField()
    next_review_on = serializers.DateField(required=False, allow_null=True, default=None)


class DiffSerializer(serializers.Serializer):
    base = serializers.CharField(allow_null=True)
    articles = serializers.ListField(child=serializers.DictField())
    rules = serializers.ListField(child=serializers.DictField())

    def to_representation(self, diff: Any) -> dict[str, Any]:
        return {
            "base": diff.base.label if diff.base is not None else None,
            "articles": [
                {
                    "number": a.number,
                    "label": a.label,
                    "title": a.title,
                    "kind": a.kind,
                    "fields": a.fields,
                    "old_text": a.old_text,
                    "new_text": a.new_text,
                }
                for a in diff.articles
            ],
            "rules": [
                {
                    "section": r.change.section,
                    "article": r.article,
                    "rule": r.change.label,
                    "old": r.change.old,
                    "new": r.change.new,
                    "sentence": r.sentence,
                }
                for r in diff.rules
            ],
        }


class ImpactSerializer(serializers.Serializer):
    section = serializers.CharField()
    title = serializers.CharField()
    changes = serializers.ListField(child=serializers.CharField())
    effects = serializers.ListField(child=serializers.CharField())

    def to_representation(self, impact: Any) -> dict[str, Any]:
        return {
            "section": impact.section,
            "title": impact.title,
            "changes": [c.sentence for c in impact.changes],
            "effects": impact.effects,
        }


class PolicyVoteSerializer(serializers.ModelSerializer):
    member = PolicyUserRef(read_only=True)

    class Meta:
        model = PolicyVote
        fields = ["id", "member", "vote", "created_at", "updated_at"]
        read_only_fields = fields


class PolicyDecisionSerializer(serializers.ModelSerializer):
    votes = PolicyVoteSerializer(many=True, read_only=True)
    tally = serializers.SerializerMethodField()

    class Meta:
        model = PolicyDecision
        fields = ["id", "version", "meeting_date", "minutes", "outcome", "group_size", "votes", "tally", "closed_at"]
        read_only_fields = fields

    def get_tally(self, obj: PolicyDecision) -> dict[str, Any]:
        tally = selectors.decision_tally(obj)
        return {
            "group_size": tally.group_size,
            "present": tally.present,
            "in_favour": tally.in_favour,
            "against": tally.against,
            "abstain": tally.abstain,
            "quorum": tally.quorum,
            "majority": tally.majority,
        }


class VoteSerializer(serializers.Serializer):
    vote = serializers.ChoiceField(choices=VoteChoice.choices)


class CloseSerializer(serializers.Serializer):
    minutes = serializers.CharField()
    meeting_date = serializers.DateField(required=False, allow_null=True, default=None)
