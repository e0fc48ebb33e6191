"""``core.selectors.people_in_view``: the owner and assignee choices of the lists, probed per person for a wide
scope, are exactly the people of the records each persona sees (the plain ``pk IN (SELECT …)``)."""

from __future__ import annotations

import pytest

from apps.core.selectors import people_in_view
from apps.core.testing import PERSONAS
from apps.org.models import User
from apps.sales.models import Contract, Opportunity
from apps.sales.tests.factories_contracts import ContractFactory
from apps.sales.tests.factories_pipeline import OpportunityFactory

pytestmark = pytest.mark.django_db


def _plain(rows, field: str) -> set[int]:
    return set(
        User.objects.filter(pk__in=rows.filter(**{f"{field}__isnull": False}).values(field)).values_list(
            "pk", flat=True
        )
    )


def test_the_owner_choices_are_the_owners_of_what_each_persona_sees(personas: dict) -> None:
    for key in ("rep_alice", "lead_bob", "rep_carol"):
        OpportunityFactory(owner=personas[key].user)
        ContractFactory(owner=personas[key].user)
    for key in PERSONAS:
        user = personas[key].user
        for model, order in ((Opportunity, "stage"), (Contract, "status")):
            rows = model.objects.visible_to(user)
            probed = set(people_in_view(rows, "owner", user=user, probe_order=order).values_list("pk", flat=True))
            assert probed == _plain(rows, "owner"), (key, model.__name__)
    assert len(_plain(Opportunity.objects.visible_to(personas["lead_bob"].user), "owner")) == 2  # Bob's and Alice's
