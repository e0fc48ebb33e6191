"""Customer search by pinyin initials (rfkj → 瑞丰科技): kept by the services that write the name, searched within
the user's scope like any other term."""

from __future__ import annotations

import random
import re

import pytest
from pypinyin import Style, lazy_pinyin

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


def test_initials_are_pypinyins_letters_of_the_whole_name_polyphones_in_context() -> None:
    """The segment memo gives exactly what ``lazy_pinyin`` gives for the whole name: polyphonic characters read in
    their phrase (银行 yh, 行业 hy, 重庆 cq, 长沙 cs), Latin letters, digits and full-width forms kept."""
    assert pinyin_initials("中国银行重庆分行") == "zgyhcqfh"
    assert pinyin_initials("行业协会") == "hyxh"
    names = [
        "长沙银行",
        "朝阳区行业协会",
        "厦门单县重量级长城",
        "ABC电子(上海)有限公司",
        "北京 好 的 ·公司",
        "乐乐音乐行",
        "行长长行",
        "还有还是",
        "了解了",
        "都江堰都市",
        "Ｔｅｓｔ公司",
        "",
    ]
    soup = (
        "中国银行重庆分行长沙朝阳区业协会厦门单县量级城乐音"
        "还是了解都江堰市瑞丰科技有限公司贸易发展集团股份ABCxyz123（）·-"
    )
    rnd = random.Random(7)
    names += ["".join(rnd.choice(soup) for _ in range(rnd.randint(2, 14))) for _ in range(2000)]
    for name in names:
        letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors=lambda chars: list(chars))  # type: ignore[arg-type,return-value]
        assert pinyin_initials(name) == re.sub(r"[^a-z0-9]", "", "".join(letters).lower())[:200], name


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
