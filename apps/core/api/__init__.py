"""What every API view builds on: pagination with ``page``/``page_size``, the scoped viewset (enforcement point 2),
and writes that go through services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.template import loader
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import pagination, permissions, renderers, status
from rest_framework.exceptions import ValidationError
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework.renderers import HTMLFormRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import PrimaryKeyRelatedField, Serializer
from rest_framework.settings import api_settings
from rest_framework.utils.field_mapping import ClassLookupDict

from apps.core.scoping import permission_name

# HTTP method → the action whose permission and scope apply.
METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200


def drf_validation_error(exc: DjangoValidationError) -> ValidationError:
    """Turn a service's Django ``ValidationError`` into DRF's, keeping the field names (a 400, not a 500)."""
    if hasattr(exc, "error_dict"):
        detail: Any = {
            (api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name): [str(m) for m in messages]
            for name, messages in exc.message_dict.items()
        }
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: [str(m) for m in exc.messages]}
    return ValidationError(detail)


class ServiceErrorsMixin:
    """Answer a service's ``django.core.exceptions.ValidationError`` with 400 and its messages."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            exc = drf_validation_error(exc)
        return super().handle_exception(exc)  # type: ignore[misc]


class ScopedModelPermission(permissions.BasePermission):
    """The user needs ``<app>.<action>_<model>`` for the request's method."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        model = view.get_queryset().model
        return request.user.has_perm(permission_name(model, METHOD_ACTIONS.get(request.method, "view")))


class ScopedViewSetMixin(ServiceErrorsMixin):
    """Restrict ``queryset`` to the requester's scope for the method's action; out of scope answers 404."""

    permission_classes = [permissions.IsAuthenticated, ScopedModelPermission]
    queryset: QuerySet

    def get_queryset(self) -> QuerySet:
        qs = super().get_queryset()  # type: ignore[misc]
        action = METHOD_ACTIONS.get(self.request.method, "view")  # type: ignore[attr-defined]
        return qs.visible_to(self.request.user, action)  # type: ignore[attr-defined]


class ServiceWriteMixin:
    """Create and update through services: validate with ``write_serializer_class`` (or
    ``update_serializer_class``), call ``service_create`` / ``service_update``, answer with ``serializer_class``.

    Serializers never save; the service checks the actor, validates again and keeps history.
    """

    write_serializer_class: type[Serializer]
    update_serializer_class: type[Serializer] | None = None

    def service_create(self, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def service_update(self, instance: Model, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def _validated(self, serializer_class: type[Serializer], request: Request, partial: bool = False) -> dict:
        serializer = serializer_class(data=request.data, partial=partial, context=self.get_serializer_context())  # type: ignore[attr-defined]
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _answer(self, instance: Model, code: int) -> Response:
        return Response(self.get_serializer(instance).data, status=code)  # type: ignore[attr-defined]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._validated(self.write_serializer_class, request)
        return self._answer(self.service_create(data), status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()  # type: ignore[attr-defined]
        serializer_class = self.update_serializer_class or self.write_serializer_class
        data = self._validated(serializer_class, request, partial=True)
        return self._answer(self.service_update(instance, data), status.HTTP_200_OK)


ViewSetT = TypeVar("ViewSetT", bound=type)


def service_write_schema(
    *, listing: Any, detail: Any, create: Any, update: Any = None, **more: Any
) -> Callable[[ViewSetT], ViewSetT]:
    """The OpenAPI description of a ``ServiceWriteMixin`` viewset, from its serializers: ``create`` takes
    ``write_serializer_class`` and answers 201 with ``serializer_class``; ``partial_update`` (unless ``update`` is
    ``None``: records never changed) takes ``update_serializer_class`` (else the write serializer) and answers with
    ``serializer_class``. ``listing``, ``detail``, ``create`` and ``update`` are the summaries; ``more`` describes
    further actions (``extend_schema``)."""

    def describe(viewset: ViewSetT) -> ViewSetT:
        read, write = viewset.serializer_class, viewset.write_serializer_class  # type: ignore[attr-defined]
        change = viewset.update_serializer_class or write  # type: ignore[attr-defined]
        changes = (
            {} if update is None else {"partial_update": extend_schema(summary=update, request=change, responses=read)}
        )
        return extend_schema_view(
            list=extend_schema(summary=listing),
            retrieve=extend_schema(summary=detail),
            create=extend_schema(summary=create, request=write, responses={201: read}),
            **changes,
            **more,
        )(viewset)

    return describe


class ScopedPrimaryKeyRelatedField(PrimaryKeyRelatedField):
    """A related id the requester may not see is refused exactly like one that does not exist."""

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset.visible_to(getattr(request, "user", None))


class IdInputFormRenderer(HTMLFormRenderer):
    """The browsable API's HTML forms with related records as id text inputs, not a ``<select>`` of every row."""

    default_style = ClassLookupDict(
        {
            **HTMLFormRenderer.default_style.mapping,
            RelatedField: {"base_template": "input.html", "input_type": "text"},
            ManyRelatedField: {"base_template": "input.html", "input_type": "text"},
        }
    )


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API whose pages do not grow with the data: a filter on a related record (django-filter's
    ``ModelChoiceFilter``) is an id input instead of an ``<option>`` per customer (7.3 MB and 12–35 s per page at
    100,000 customers), and so are the related fields of the POST form. The JSON renderer is unchanged.
    """

    form_renderer_class = IdInputFormRenderer

    def get_filter_form(self, data: Any, view: Any, request: Any) -> Any:
        if not hasattr(view, "get_queryset") or not hasattr(view, "filter_backends"):
            return None
        paginator = getattr(view, "paginator", None)
        if not isinstance(data, list):
            if paginator is None or data is None:
                return None
            try:
                paginator.get_results(data)
            except (TypeError, KeyError):
                return None
        queryset = view.get_queryset()
        elements = []
        for backend_class in view.filter_backends:
            backend = backend_class()
            if isinstance(backend, DjangoFilterBackend):
                html = self._django_filter_html(backend, request, queryset, view)
            elif hasattr(backend, "to_html"):
                html = backend.to_html(request, queryset, view)
            else:
                html = None
            if html:
                elements.append(html)
        if not elements:
            return None
        return loader.get_template(self.filter_template).render({"elements": elements})

    @staticmethod
    def _django_filter_html(backend: DjangoFilterBackend, request: Any, queryset: QuerySet, view: Any) -> Any:
        filterset = backend.get_filterset(request, queryset, view)
        if filterset is None:
            return None
        for field in filterset.form.fields.values():
            if isinstance(field, forms.ModelMultipleChoiceField):
                field.widget = forms.TextInput(attrs={"placeholder": "id,id"})
            elif isinstance(field, forms.ModelChoiceField):
                field.widget = forms.TextInput(attrs={"placeholder": "id"})
        return loader.get_template(backend.template).render({"filter": filterset}, request)
