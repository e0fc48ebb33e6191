"""The customer archive API: customers, contacts and follow-ups. Thin: scoped querysets in, services for writes
(a duplicate answers 400 with the service's message), serializers for validation and representation.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import filters, viewsets

from apps.core.api import ScopedViewSetMixin, ServiceWriteMixin, service_write_schema
from apps.customers.api import serializers as s
from apps.customers.api.filters import ContactFilterSet, FollowUpFilterSet
from apps.customers.filters import CustomerFilterSet
from apps.customers.models import Contact, Customer, CustomerNeed, FollowUp
from apps.customers.selectors import archive as selectors
from apps.customers.services import archive as services

_BACKENDS = [DjangoFilterBackend, filters.OrderingFilter]


@service_write_schema(
    listing=_("List the customers the user may see"),
    detail=_("One customer (404 when out of scope)"),
    create=_("Create a customer with its contacts (duplicate check: 400)"),
    update=_("Change a customer"),
)
class CustomerViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ModelViewSet):
    """Customers within the user's data scope; filter by scene, quick filter, level, lifecycle, source, industry,
    province, tag, owner; ``search`` finds names, contacts, mobiles and credit codes."""

    queryset = selectors.with_list_data(Customer.objects.all())
    serializer_class = s.CustomerSerializer
    write_serializer_class = s.CustomerWriteSerializer
    filterset_class = CustomerFilterSet
    filter_backends = _BACKENDS
    ordering_fields = list(selectors.SORT_FIELDS)
    ordering = ["-updated_at", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def service_create(self, data: dict[str, Any]) -> Customer:
        contacts = data.pop("contacts", [])
        allow = data.pop("allow_similar_name", False)
        customer = services.customer_create(
            actor=self.request.user, data=data, contacts=contacts, allow_similar_name=allow
        )
        return self.get_queryset().get(pk=customer.pk)

    def service_update(self, instance: Customer, data: dict[str, Any]) -> Customer:  # type: ignore[override]
        data.pop("contacts", None)
        allow = data.pop("allow_similar_name", False)
        services.customer_update(actor=self.request.user, customer=instance, data=data, allow_similar_name=allow)
        return self.get_queryset().get(pk=instance.pk)


@service_write_schema(
    listing=_("List the contacts of customers the user may see (mobiles masked for non-owners)"),
    detail=_("One contact (404 when out of scope)"),
    create=_("Add a contact to a customer (a mobile already in the archive: 400)"),
    update=_("Change a contact"),
)
class ContactViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ModelViewSet):
    queryset = Contact.objects.select_related("customer")
    serializer_class = s.ContactSerializer
    write_serializer_class = s.ContactWriteSerializer
    update_serializer_class = s.ContactUpdateSerializer
    filterset_class = ContactFilterSet
    filter_backends = [*_BACKENDS, filters.SearchFilter]
    search_fields = ["name", "title", "customer__name"]
    ordering_fields = ["name", "created_at"]
    ordering = ["customer_id", "-is_primary", "name"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def service_create(self, data: dict[str, Any]) -> Contact:
        customer = data.pop("customer")
        return services.contact_create(actor=self.request.user, customer=customer, data=data)

    def service_update(self, instance: Contact, data: dict[str, Any]) -> Contact:  # type: ignore[override]
        return services.contact_update(actor=self.request.user, contact=instance, data=data)


@extend_schema_view(
    list=extend_schema(summary=_("List the follow-ups of customers the user may see")),
    retrieve=extend_schema(summary=_("One follow-up (404 when out of scope)")),
    create=extend_schema(
        summary=_("Record a follow-up; it updates the customer's last and next contact"),
        request=s.FollowUpWriteSerializer,
        responses={201: s.FollowUpSerializer},
    ),
)
class FollowUpViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ModelViewSet):
    queryset = FollowUp.objects.select_related("author")
    serializer_class = s.FollowUpSerializer
    write_serializer_class = s.FollowUpWriteSerializer
    filterset_class = FollowUpFilterSet
    filter_backends = [*_BACKENDS, filters.SearchFilter]
    search_fields = ["content"]
    ordering_fields = ["occurred_at", "next_contact_at"]
    ordering = ["-occurred_at", "-id"]
    http_method_names = ["get", "post", "head", "options"]

    def service_create(self, data: dict[str, Any]) -> FollowUp:
        customer = data.pop("customer")
        return services.follow_up_create(actor=self.request.user, customer=customer, data=data)


@extend_schema_view(
    list=extend_schema(summary=_("List the customer needs the user may see")),
    retrieve=extend_schema(summary=_("One customer need (404 when out of scope)")),
)
class CustomerNeedViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """客户需求 recorded in the archive; recorded and changed on the customer's page (read-only here)."""

    queryset = CustomerNeed.objects.select_related("recorded_by")
    serializer_class = s.CustomerNeedSerializer
    filter_backends = [*_BACKENDS, filters.SearchFilter]
    filterset_fields = ["customer", "status"]
    search_fields = ["content"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]
