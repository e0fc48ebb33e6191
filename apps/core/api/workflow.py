"""The API's side of a record's workflow: ``allowed_actions`` (the steps the requesting user may take now, the same
as the page's controls and the steps the services accept) and the detail POST actions that take a step."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ViewSetT


def in_list(context: Mapping[str, Any]) -> bool:
    """The serializer answers the view's ``list`` action (a row among many, not one record)."""
    return getattr(context.get("view"), "action", None) == "list"


class AllowedActionsField(serializers.SerializerMethodField):
    """``allowed(user, record)`` for the requesting user, as a list.

    With ``choices`` the answer is for one record only: ``null`` without a request or where ``skip(context)`` says
    the serializer answers rows of a list (by default the view's ``list`` action), and the schema names the
    choices. Without ``choices``: ``[]`` without a request, the steps otherwise (a list of strings).
    """

    def __init__(
        self,
        allowed: Callable[[Any, Any], Iterable[str]],
        *,
        choices: Any = None,
        skip: Callable[[Mapping[str, Any]], bool] = in_list,
        **kwargs: Any,
    ) -> None:
        self.allowed, self.one_only = allowed, choices is not None
        self.skip = skip
        child = serializers.CharField() if choices is None else serializers.ChoiceField(choices=choices)
        extend_schema_field(serializers.ListField(child=child, allow_null=self.one_only))(self)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> list[str] | None:
        request = self.context.get("request")
        if self.one_only and (request is None or self.skip(self.context)):
            return None
        return [] if request is None else list(self.allowed(request.user, value))


def detail_posts(
    take: str, steps: Mapping[str, tuple[Callable[..., Any], Any]], *, request: Any, responses: Any
) -> Callable[[ViewSetT], ViewSetT]:
    """Give a viewset one detail POST action per step, ``name: (service, summary)``: its URL is ``<pk>/<name>/``,
    it answers ``view.<take>(request, service=service)`` and the schema describes it by ``summary``, ``request``
    and ``responses``. One table instead of a method per step."""

    def post(name: str, service: Callable[..., Any], summary: Any) -> Any:
        def act(self: Any, http_request: Request, pk: Any = None) -> Response:
            return getattr(self, take)(http_request, service=service)

        act.__name__ = act.__qualname__ = name  # the action's name, URL and permission checks go by it
        return extend_schema(summary=summary, request=request, responses=responses)(
            action(detail=True, methods=["post"])(act)
        )

    def add(viewset: ViewSetT) -> ViewSetT:
        for name, (service, summary) in steps.items():
            setattr(viewset, name, post(name, service, summary))
        return viewset

    return add
