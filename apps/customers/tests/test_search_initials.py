"""Customer search by pinyin initials (rfkj → 瑞丰科技): kept by the services that write the name, searched within
the user's scope like any other term."""

from __future__ import annotations

import pytest

from apps.customers.selectors.archive import customer_list
from apps.customers.selectors.search import pinyin_initials
from apps.customers.services import archive as services
from apps.customers.tests.factories import make_uscc

pytestmark = pytest.mark.django_db


def _create(persona, name: str, serial: int):
    return services.customer_create(
        actor=persona.user, data={"name": name, "uscc": make_uscc(serial), "level": "B"}, contacts=[]
    )


def test_initials_of_a_chinese_name() -> None:
    assert pinyin_initials("深圳瑞丰科技有限公司") == "szrfkjyxgs"
    assert pinyin_initials("ABC电子（深圳）有限公司") == "abcdzszyxgs"


def test_the_services_keep_the_initials_and_the_list_finds_them(personas) -> None:
    alice = personas["rep_alice"]
    ruifeng = _create(alice, "深圳瑞丰科技有限公司", 901)
    _create(alice, "广州华信电子有限公司", 902)
    assert ruifeng.name_initials == "szrfkjyxgs"
    found = list(customer_list(user=alice.user, q="rfkj"))
    assert found == [ruifeng]
    assert list(customer_list(user=alice.user, q="RFKJ")) == [ruifeng]  # case does not matter
    services.customer_update(
        actor=alice.user, customer=ruifeng, data={"name": "深圳天成科技有限公司"}, allow_similar_name=True
    )
    ruifeng.refresh_from_db()
    assert ruifeng.name_initials == "sztckjyxgs"
    assert list(customer_list(user=alice.user, q="rfkj")) == []
    assert list(customer_list(user=alice.user, q="tckj")) == [ruifeng]


def test_initials_search_stays_within_scope(personas) -> None:
    _create(personas["rep_alice"], "深圳瑞丰科技有限公司", 903)
    assert list(customer_list(user=personas["rep_carol"].user, q="rfkj")) == []
