"""The customer timeline: one mechanism, sources registered from outside, newest first, bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.customers.selectors.archive import customer_timeline
from apps.customers.services import archive as services
from apps.customers.tests.factories import CustomerFactory, FollowUpFactory
from apps.customers.timeline import TimelineEvent, register_timeline_source, timeline_sources

pytestmark = pytest.mark.django_db


@pytest.fixture
def extra_source():
    """Register a source as a higher app (marketing) would, and remove it afterwards."""
    before = timeline_sources()

    def visits(customer, user):
        return [
            TimelineEvent(
                when=timezone.now() + dt.timedelta(seconds=1),
                kind="visit",
                icon="bi-geo",
                title="拜访：现场演示",
                url="/marketing/visits/1/",
            )
        ]

    register_timeline_source("visit", visits)
    yield
    from apps.customers import timeline

    timeline._sources.clear()
    timeline._sources.update(before)


class TimelineTests:
    def test_built_in_sources_are_registered_at_start_up(self) -> None:
        assert {"follow_up", "need", "ownership", "contact"} <= set(timeline_sources())

    def test_it_merges_every_source_newest_first(self, personas, extra_source) -> None:
        alice = personas["rep_alice"]
        customer = services.customer_create(
            actor=alice.user, data={"name": "时间线测试有限公司"}, contacts=[{"name": "周总", "mobile": "13911112222"}]
        )
        services.need_create(actor=alice.user, customer=customer, content="需要年度维保")
        yesterday = timezone.now() - dt.timedelta(days=1)
        services.follow_up_create(
            actor=alice.user, customer=customer, data={"content": "电话确认需求", "occurred_at": yesterday}
        )
        events = customer_timeline(customer=customer, user=alice.user)
        kinds = [e.kind for e in events]
        assert kinds[0] == "visit"  # the registered source, newest
        assert {"follow_up", "need", "ownership", "contact", "visit"} == set(kinds)
        assert [e.when for e in events] == sorted((e.when for e in events), reverse=True)

    @pytest.mark.parametrize("follow_ups", [3, 40])
    def test_query_count_does_not_grow_with_the_records(
        self, personas, follow_ups, django_assert_max_num_queries
    ) -> None:
        customer = CustomerFactory(owner=personas["rep_alice"].user)
        FollowUpFactory.create_batch(follow_ups, customer=customer)
        with django_assert_max_num_queries(len(timeline_sources())):
            events = customer_timeline(customer=customer, user=personas["rep_alice"].user, limit=20)
        assert len(events) == min(20, follow_ups)
