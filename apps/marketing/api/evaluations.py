"""What the API of an evaluation (actual against target over a period) is, for marketing's evaluations and the sales
target evaluations built on them: written through three services, completed by a POST that freezes the figures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, NamedTuple

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ServiceWriteMixin


class EvaluationServices(NamedTuple):
    create: Callable[..., Model]  # (actor=, **fields)
    update: Callable[..., Model]  # (actor=, evaluation=, data=)
    complete: Callable[..., Model]  # (actor=, evaluation=): the figures frozen with the policy version


class EvaluationViewSetMixin(ServiceWriteMixin):
    """An evaluation viewset: writes through ``services``; its serializer knows the view's action (``view_action``:
    a draft's figures are computed live for one evaluation, not for list rows)."""

    services: ClassVar[EvaluationServices]

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "view_action": getattr(self, "action", None)}  # type: ignore[misc]

    def service_create(self, data: dict[str, Any]) -> Model:
        return self.services.create(actor=self.request.user, **data)  # type: ignore[attr-defined]

    def service_update(self, instance: Model, data: dict[str, Any]) -> Model:
        return self.services.update(actor=self.request.user, evaluation=instance, data=data)  # type: ignore[attr-defined]

    @extend_schema(summary=_("Complete: freeze the figures with the policy version and report"), request=None)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: Any = None) -> Response:
        evaluation = self.services.complete(actor=request.user, evaluation=self.get_object())  # type: ignore[attr-defined]
        return Response(self.get_serializer(evaluation).data)  # type: ignore[attr-defined]
