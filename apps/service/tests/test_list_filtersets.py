"""``core.filters.ListFilterSet`` without its per-request cost: each instance gets its own filters without a deep copy
of every choice and queryset, and a FilterSet whose filters do not depend on the request builds its form class once
per language. Neither may let one request's user, choices or language reach another's."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.utils import translation

from apps.core.filters import LazyChoices, ListFilterSet
from apps.customers.filters import CustomerFilterSet
from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory
from apps.service.filters import TicketFilterSet

pytestmark = pytest.mark.django_db


def _filterset(cls: type[ListFilterSet], user, **data: str) -> ListFilterSet:
    request = RequestFactory().get("/", data)
    request.user = user
    return cls(request.GET.copy(), queryset=cls._meta.model.objects.all(), request=request)


def test_each_instance_has_its_own_filters_bound_to_itself(personas) -> None:
    alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
    hers, his = CustomerFactory(owner=alice), CustomerFactory(owner=bob)
    for_alice = _filterset(CustomerFilterSet, alice, scene="mine")
    for_bob = _filterset(CustomerFilterSet, bob, scene="mine")
    assert list(for_alice.filtered()) == [hers]  # the scene's method reads its own FilterSet's user
    assert list(for_bob.filtered()) == [his]
    for name, mine in for_alice.filters.items():
        assert mine is not for_bob.filters[name] and mine is not CustomerFilterSet.base_filters[name]
        assert mine.extra is not for_bob.filters[name].extra
        assert mine.parent is for_alice and for_bob.filters[name].parent is for_bob
    for_alice.filters["level"].extra["choices"] = [("A", "A")]
    assert for_bob.filters["level"].extra["choices"] != [("A", "A")]
    assert CustomerFilterSet.base_filters["level"].extra["choices"] != [("A", "A")]


def test_per_user_choices_stay_with_their_user(personas) -> None:
    """The ticket list's assignee choices are the people the user may see: built per instance, never shared."""
    alice, boss = personas["rep_alice"].user, personas["auditor_dave"].user
    assert TicketFilterSet.shared_form_class is False
    first, second = _filterset(TicketFilterSet, alice), _filterset(TicketFilterSet, boss)
    assert isinstance(first.filters["assignee"].extra["choices"], LazyChoices)
    assert first.form.fields["assignee"].choices is not second.form.fields["assignee"].choices
    assert type(first.form) is not type(second.form)


def test_a_shared_form_class_is_built_once_per_language(personas) -> None:
    user = personas["rep_alice"].user
    with translation.override("zh-hans"):
        chinese = _filterset(CustomerFilterSet, user, level="Z")
        assert not chinese.is_valid()
        assert type(chinese.form) is type(_filterset(CustomerFilterSet, user).form)
        chinese_label = chinese.form.fields["kind"].label
        assert "选择一个有效的选项" in chinese.error_text()
    with translation.override("en"):
        english = _filterset(CustomerFilterSet, user, level="Z")
        assert not english.is_valid()
        assert type(english.form) is not type(chinese.form)
        english_label = english.form.fields["kind"].label
        assert "Select a valid choice" in english.error_text()
    assert chinese_label != english_label  # the labels django-filters makes from the model, in each language
    assert english.form.fields is not chinese.form.fields  # each form has its own fields, as always
    assert english.form.fields["owner"].queryset is not chinese.form.fields["owner"].queryset


def test_the_customer_filters_give_what_they_gave(personas) -> None:
    user = personas["auditor_dave"].user
    a = CustomerFactory(level="A", province="广东省", owner=personas["rep_alice"].user)
    CustomerFactory(level="B", province="广东省")
    assert list(_filterset(CustomerFilterSet, user, level="A", province="广东省").filtered()) == [a]
    assert set(_filterset(CustomerFilterSet, user, in_pool="true").filtered()) == set(
        Customer.objects.filter(owner=None)
    )
