"""What a computed KPI measures and returns: the subject (a person or a department), the span (a period, with a memo
shared by the KPIs of one computation), the measure (value and the records counted), and the grouping helpers the
KPIs share. The KPIs themselves are ``metrics`` (sales, market development; the registry ``METRICS``) and
``service_metrics`` (customer service, improvement actions, violations)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F, Q, QuerySet

from apps.core.periods import DaySpan
from apps.org.models import Department, User

ZERO = Decimal("0")
ONE_DECIMAL = Decimal("0.1")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Subject:
    """Who is measured: a person (``user``, in ``department``) or a whole department (``user`` None)."""

    department: Department
    user: User | None = None

    @property
    def is_person(self) -> bool:
        return self.user is not None


@dataclass(frozen=True)
class Span(DaySpan):
    """The period measured: whole days in the policy's time zone, and the sales period of the same months.

    ``memo`` keeps what one computation of a cycle reads for everyone at once (the attainment of every node of a
    target set), so a cycle of hundreds of people does not recompute it per person."""

    key: str
    start: dt.date
    end: dt.date
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass
class Measure:
    """An actual (None: nothing to measure in the period), how it came about, and the records behind it."""

    actual: Decimal | None
    basis: str = ""
    sources: list[dict[str, Any]] = field(default_factory=list)


def half_up(value: Decimal, step: Decimal = ONE_DECIMAL) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    return half_up(Decimal(part) * 100 / whole) if whole else None


def _source(obj: Any, label: str, value: Any = "") -> dict[str, Any]:
    return {"model": obj._meta.label_lower, "pk": obj.pk, "label": label, "value": str(value)}


def _of(subject: Subject, owner: str, unit_path: str) -> Q:
    if subject.is_person:
        return Q(**{owner: subject.user})
    return Q(**{f"{unit_path}__startswith": subject.department.path})


@dataclass
class Grouped:
    """The rows one metric counts over a span for everybody at once (one query), in the metric's order, with the
    owner and the unit path each row is attributed by; ``of`` picks a subject's rows by the same rule as ``_of``
    (the owner for a person, the unit's subtree for a department), so the figures equal a query per subject."""

    rows: list[tuple[Any, int | None, str | None]]
    by_owner: dict[int | None, list[Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for obj, owner, _path in self.rows:
            self.by_owner.setdefault(owner, []).append(obj)

    def of(self, subject: Subject) -> list[Any]:
        if subject.user is not None:  # a person
            return list(self.by_owner.get(subject.user.pk, []))
        prefix = subject.department.path
        return [obj for obj, _owner, path in self.rows if path is not None and path.startswith(prefix)]


def _grouped(span: Span, key: Any, rows: Callable[[], QuerySet], owner: str, unit_path: str) -> Grouped:
    """``rows()`` annotated with the attribution fields, read once per span and kept in its memo."""
    memo_key = ("grouped", key)
    if memo_key not in span.memo:
        qs = rows().annotate(_owner_id=F(f"{owner}_id"), _unit_path=F(unit_path))
        span.memo[memo_key] = Grouped([(obj, obj._owner_id, obj._unit_path) for obj in qs])
    return span.memo[memo_key]
