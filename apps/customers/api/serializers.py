"""Representation and input validation for the customer archive API. Serializers never save: views pass
``validated_data`` to ``apps.customers.services.archive``. Mobiles are masked for anyone but the owner (PIPL).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api import ScopedPrimaryKeyRelatedField
from apps.customers.choices import CustomerKind, CustomerLevel, CustomerSource, FollowUpChannel, Industry, Lifecycle
from apps.customers.models import Contact, Customer, CustomerNeed, FollowUp
from apps.customers.selectors.archive import mobile_for
from apps.customers.services.archive import CUSTOMER_PROFILE_FIELDS
from apps.org.models import Department, User


class CustomerUserRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "name"]


class CustomerDepartmentRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name"]


def _viewer(serializer: serializers.Serializer) -> Any:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


#
# Customers
#


class PrimaryContactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    mobile = serializers.CharField(help_text="Masked (138****8000) unless you own the customer.")


class CustomerSerializer(serializers.ModelSerializer):
    owner = CustomerUserRefSerializer(read_only=True, allow_null=True)
    owner_unit = CustomerDepartmentRefSerializer(read_only=True, allow_null=True)
    service_owner = CustomerUserRefSerializer(read_only=True, allow_null=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    contact_count = serializers.IntegerField(read_only=True, default=0)
    primary_contact = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "code",
            *CUSTOMER_PROFILE_FIELDS,
            "deal_status",
            "owner",
            "owner_unit",
            "owner_since",
            "service_owner",
            "tags",
            "is_locked",
            "last_follow_up_at",
            "last_follow_up_summary",
            "next_contact_at",
            "contact_count",
            "primary_contact",
            "remarks",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(PrimaryContactSerializer(allow_null=True))
    def get_primary_contact(self, customer: Customer) -> dict[str, Any] | None:
        contacts = getattr(customer, "primary_contacts", None)
        if contacts is None:
            contacts = [c for c in customer.contacts.all() if c.is_primary]
        if not contacts:
            return None
        contact = contacts[0]
        mobile = mobile_for(user=_viewer(self), customer=customer, mobile=contact.mobile)
        return {"id": contact.pk, "name": contact.name, "mobile": mobile}


class ContactInputSerializer(serializers.Serializer):
    """A contact's fields (the service normalises and validates the mobile and checks it is new)."""

    name = serializers.CharField(max_length=50)
    mobile = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    wechat = serializers.CharField(max_length=50, required=False, allow_blank=True)
    title = serializers.CharField(max_length=50, required=False, allow_blank=True)
    is_decision_maker = serializers.BooleanField(required=False)
    is_primary = serializers.BooleanField(required=False)
    birthday = serializers.DateField(required=False, allow_null=True)
    remarks = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CustomerWriteSerializer(serializers.Serializer):
    """Input of ``customer_create`` / ``customer_update``; a duplicate answers 400 naming the existing customer
    and its owner, a similar name too unless ``allow_similar_name``."""

    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=CustomerKind.choices, required=False)
    uscc = serializers.CharField(max_length=30, required=False, allow_blank=True, allow_null=True)
    level = serializers.ChoiceField(choices=CustomerLevel.choices, required=False)
    source = serializers.ChoiceField(choices=CustomerSource.choices, required=False)
    industry = serializers.ChoiceField(choices=Industry.choices, required=False, allow_blank=True)
    province = serializers.CharField(max_length=30, required=False, allow_blank=True)
    city = serializers.CharField(max_length=30, required=False, allow_blank=True)
    district = serializers.CharField(max_length=30, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    website = serializers.CharField(max_length=200, required=False, allow_blank=True)
    lifecycle = serializers.ChoiceField(choices=Lifecycle.choices, required=False)
    service_owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    remarks = serializers.CharField(required=False, allow_blank=True)
    is_locked = serializers.BooleanField(required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=30), required=False)
    contacts = ContactInputSerializer(many=True, required=False, help_text="Only on create.")
    allow_similar_name = serializers.BooleanField(required=False, default=False)


#
# Contacts
#


class ContactSerializer(serializers.ModelSerializer):
    mobile = serializers.SerializerMethodField(help_text="Masked (138****8000) unless you own the customer.")

    class Meta:
        model = Contact
        fields = [
            "id",
            "customer",
            "name",
            "mobile",
            "phone",
            "email",
            "wechat",
            "title",
            "is_decision_maker",
            "is_primary",
            "birthday",
            "remarks",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_mobile(self, contact: Contact) -> str:
        return mobile_for(user=_viewer(self), customer=contact.customer, mobile=contact.mobile)


class ContactWriteSerializer(ContactInputSerializer):
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all())


class ContactUpdateSerializer(ContactInputSerializer):
    pass


#
# Follow-ups
#


class FollowUpSerializer(serializers.ModelSerializer):
    author = CustomerUserRefSerializer(read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "customer",
            "contact",
            "channel",
            "content",
            "occurred_at",
            "next_contact_at",
            "author",
            "created_at",
        ]
        read_only_fields = fields


class FollowUpWriteSerializer(serializers.Serializer):
    """Input of ``follow_up_create``: it updates the customer's last and next contact."""

    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all())
    channel = serializers.ChoiceField(choices=FollowUpChannel.choices, required=False)
    content = serializers.CharField()
    occurred_at = serializers.DateTimeField(required=False)
    next_contact_at = serializers.DateTimeField(required=False, allow_null=True)
    contact = ScopedPrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)


class CustomerNeedSerializer(serializers.ModelSerializer):
    recorded_by = CustomerUserRefSerializer(read_only=True)

    class Meta:
        model = CustomerNeed
        fields = ["id", "customer", "content", "status", "recorded_by", "created_at", "updated_at"]
