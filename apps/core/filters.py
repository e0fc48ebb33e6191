"""What every list's FilterSet builds on: one declaration of a list's filters, read by its page
(``ScopedListView.filterset_class``), its API viewset (``filterset_class``, DjangoFilterBackend) and its Excel export
(``ListExportMixin``), so the three read the same GET parameters the same way.

An invalid value (an unknown choice, a month that is not YYYY-MM, an owner who is not on the list) is a form error
in the user's language: the page shows it in the filter bar and lists nothing, the export answers 400 with it, the
API answers 400 with it — none of them quietly widens the list.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class MonthField(forms.DateField):
    """A month as ``YYYY-MM`` (what ``<input type="month">`` sends); the first day of that month."""

    input_formats = ["%Y-%m"]  # noqa: RUF012 - Django's own class attribute
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class MonthFilter(django_filters.Filter):
    """Rows whose ``field_name`` (a date) falls in the month given as ``YYYY-MM``."""

    field_class = MonthField

    def filter(self, qs: QuerySet, value: dt.date | None) -> QuerySet:
        if not value:
            return qs
        start = value.replace(day=1)
        end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return qs.filter(**{f"{self.field_name}__gte": start, f"{self.field_name}__lt": end})


class LazyChoices:
    """Choices that depend on the user (the people on one's tickets), read on first use: an API call that does not
    use the filter runs no query for them. Copied with its form field as itself."""

    def __init__(self, make: Callable[[], Iterable[tuple[Any, Any]]]) -> None:
        self.make = make
        self.items: list[tuple[Any, Any]] | None = None

    def _items(self) -> list[tuple[Any, Any]]:
        if self.items is None:
            self.items = list(self.make())
        return self.items

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        return iter(self._items())

    def __len__(self) -> int:
        return len(self._items())

    def __deepcopy__(self, memo: dict[int, Any]) -> LazyChoices:
        return self


def _copy_filter(source: django_filters.Filter) -> django_filters.Filter:
    """A filter for one FilterSet instance: what ``copy.deepcopy`` gave, for the parts an instance changes — its
    own ``extra`` (a subclass puts per-user choices there, a queryset filter its queryset), its method bound to
    itself, its own form field if one was built — without deep-copying every choice label and queryset."""
    copied = copy.copy(source)
    copied.extra = dict(source.extra)
    if source.method is not None:
        copied.method = source.method  # a new FilterMethod for the copy (the source's points at the source)
    if "_field" in source.__dict__:
        copied._field = copy.deepcopy(source._field)  # type: ignore[attr-defined]
    return copied


class _FilterCopies(OrderedDict):
    """A FilterSet's ``base_filters``: django-filters deep-copies them for every instance (for a list page, once per
    request: ~900 deep copies of filters, choices and querysets); this gives each instance its own filters the
    cheaper way of ``_copy_filter``."""

    def __deepcopy__(self, memo: dict[int, Any]) -> OrderedDict[str, Any]:
        return OrderedDict((name, _copy_filter(source)) for name, source in self.items())


class ListFilterSet(django_filters.FilterSet):
    """A list's filters. ``q`` searches ``search_fields`` (case-insensitive ``contains``, any of them) unless the
    subclass gives ``search_q(term)``; the request (``self.request``) is there for filters that depend on the user
    (scenes such as "mine", the owners one may pick)."""

    search_fields: ClassVar[tuple[str, ...]] = ()
    search_placeholder: ClassVar[Any] = ""  # what ``q`` searches, shown in the filter bar's search box
    # True when no filter depends on the request (no per-user choices, no queryset callable taking the request): the
    # form class is then built once per language and process instead of on every request. Its fields are copied
    # for each form as always (``BaseForm.__init__``), so nothing a form does reaches another.
    shared_form_class: ClassVar[bool] = False
    _form_classes: ClassVar[dict[str, type[forms.Form]]]

    q = django_filters.CharFilter(method="filter_q", label=_("Search"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.search_placeholder:
            self.filters["q"].extra["widget"] = forms.TextInput(attrs={"placeholder": self.search_placeholder})

    @classmethod
    def get_filters(cls) -> OrderedDict[str, Any]:
        return _FilterCopies(super().get_filters())

    def get_form_class(self) -> type[forms.Form]:
        if not self.shared_form_class:
            return super().get_form_class()  # type: ignore[no-any-return]
        cls = type(self)
        if "_form_classes" not in cls.__dict__:
            cls._form_classes = {}
        language = get_language() or ""  # the labels django-filters makes from the model are plain strings
        form_class = cls._form_classes.get(language)
        if form_class is None:
            form_class = cls._form_classes[language] = super().get_form_class()
        return form_class

    def search_q(self, term: str) -> Q:
        cond = Q()
        for name in self.search_fields:
            cond |= Q(**{f"{name}__icontains": term})
        return cond

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        term = (value or "").strip()
        return qs.filter(self.search_q(term)) if term else qs

    @property
    def user(self) -> Any:
        return getattr(self.request, "user", None)

    def filtered(self) -> QuerySet:
        """The filtered rows; nothing when a value is invalid (the errors say why)."""
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return self.qs

    def error_text(self) -> str:
        """The form's errors as one line per field: ``Label: message``."""
        lines = []
        for name, errors in self.form.errors.items():
            field = self.form.fields.get(name)
            label = str(field.label) if field is not None and field.label else name
            lines.append(f"{label}: {' '.join(str(e) for e in errors)}")
        return "\n".join(lines)

    def described(self) -> str:
        """The applied filters as ``name=value; …`` (for the export log)."""
        data = self.form.cleaned_data if self.is_bound and self.is_valid() else {}
        return "; ".join(f"{k}={getattr(v, 'pk', v)}" for k, v in sorted(data.items()) if v not in (None, "", [], ()))
