"""One timeline per customer (客户动态), filled by registered sources.

A lower app cannot import a higher one, so every app that touches customers registers a source at start-up, in
one of two ways:

- ``register_timeline_rows(key, TimelineRows(queries, events))``: the source declares what it reads — per query,
  the customer's rows (``TimelineQuery``: a queryset of the customer, the values read by name, newest first, at
  most ``limit``) — and ``events(rows, user)`` turns the rows (``{query name: [dict of the values, in order]}``)
  into ``TimelineEvent``s. ``selectors.timeline`` reads the queries of every such source in ONE query (a UNION
  ALL, ``read_rows``); called as ``source(customer, user)`` a ``TimelineRows`` reads its own.
  Marketing (leads, visits), sales (opportunities, contracts, payments), service (tickets, feedback, care
  contacts) and surveys (answers) do.
- ``register_timeline_source(key, fn)`` where ``fn(customer, user)`` returns the events itself (its own bounded
  queries): the archive's follow-ups, needs, ownership changes and contacts, which its page reads anyway.

``selectors.archive.customer_timeline`` merges them: sources in registration order, newest first (a stable sort).

The same module holds the transfer hooks: when customers change owner, things that follow the customer (open
opportunities, once sales exists) are moved by hooks registered here, in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connections, models
from django.db.models import F, Value, Window
from django.db.models.functions import Cast, RowNumber
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


@dataclass(frozen=True)
class TimelineEvent:
    when: Any  # an aware datetime
    kind: str  # the source key, e.g. "follow_up", "lead", "ticket"
    icon: str  # a bootstrap-icons class, e.g. "bi-telephone"
    title: str
    body: str = ""
    url: str = ""
    actor_name: str = ""


TimelineSource = Callable[[Any, Any], list[TimelineEvent]]


@dataclass(frozen=True)
class TimelineQuery:
    """What a source reads of one customer: ``rows(customer)`` (a queryset of the customer's rows), ``fields``
    (name → lookup or expression; each row comes back as a dict of these names), ``order`` (newest first, with a
    unique last key so that the order is total) and ``limit`` (the rows read at most; ``None``: all). ``rows`` may
    use the customer only to select by it (``filter(customer=customer)``): the union is compiled once for a stand-in
    customer and run with each customer's key."""

    rows: Callable[[Any], Any]
    fields: Mapping[str, Any]
    order: tuple[str, ...]
    limit: int | None = None


@dataclass(frozen=True)
class TimelineRows:
    """A source read in the timeline's one query: its ``queries`` and the function that makes its events."""

    queries: Mapping[str, TimelineQuery]
    events: Callable[[Mapping[str, list[dict[str, Any]]], Any], list[TimelineEvent]]

    def __call__(self, customer: Any, user: Any) -> list[TimelineEvent]:
        """This source's events alone, as a function source gives them (its queries in one query)."""
        return self.events(read_rows(customer, {"self": self})["self"], user)


_sources: dict[str, TimelineSource | TimelineRows] = {}


def register_timeline_source(key: str, fn: TimelineSource) -> None:
    """Register (or replace) the source ``key``; registering the same key again keeps one source."""
    _sources[key] = fn


def register_timeline_rows(key: str, source: TimelineRows) -> None:
    """Register (or replace) the source ``key`` read in the timeline's one query (see the module's docstring)."""
    _sources[key] = source


def timeline_sources() -> dict[str, TimelineSource | TimelineRows]:
    return dict(_sources)


def fields(*lookups: str) -> dict[str, str]:
    """``TimelineQuery.fields`` for plain lookups, each read under its own name."""
    return {lookup: lookup for lookup in lookups}


def person_fields(relation: str) -> dict[str, str]:
    """The values ``person`` needs for the user at ``relation`` (e.g. ``owner``, ``invitation__owner``)."""
    return fields(f"{relation}_id", f"{relation}__name", f"{relation}__username")


def person(row: Mapping[str, Any], relation: str) -> Any:
    """The user at ``relation`` of a row read with ``person_fields`` (None when there is none): an unsaved
    ``User`` with the read values, so that ``str()`` shows them exactly as the record's own user would."""
    from apps.org.models import User

    pk = row[f"{relation}_id"]
    if pk is None:
        return None
    return User(pk=pk, name=row[f"{relation}__name"], username=row[f"{relation}__username"])


def display(model: Any, field_name: str, value: Any) -> str:
    """A choice's label as ``Model.get_<field>_display()`` would show it for ``value``."""
    choices = dict(make_hashable(model._meta.get_field(field_name).flatchoices))
    return force_str(choices.get(make_hashable(value), value), strings_only=True)


#
# Reading the row sources in one query
#
# A ``UNION ALL`` needs the same columns in every branch, so the values are laid out in typed slots: the values of
# one type (date-time, date, decimal, integer, boolean, text) of each query go into that type's slots in order, and
# the slots a query does not use hold a NULL of the slot's type. Each branch (a query, newest first and limited in
# its own sub-select) also carries its number and its rows' rank in the query's order, so the rows come back to
# their source in order. The values are converted as the ORM converts them (``get_db_converters``), so a source
# sees exactly what a queryset would give.
#

# The slot types, with the field a NULL of that type is cast to.
_SLOT_TYPES: dict[str, models.Field] = {
    "dt": models.DateTimeField(),
    "date": models.DateField(),
    "dec": models.DecimalField(max_digits=30, decimal_places=2),
    "int": models.BigIntegerField(),
    "bool": models.BooleanField(),
    "text": models.TextField(),
}
_TYPES = {
    "DateTimeField": "dt",
    "DateField": "date",
    "DecimalField": "dec",
    "BooleanField": "bool",
    **dict.fromkeys(
        (
            "AutoField",
            "BigAutoField",
            "SmallAutoField",
            "IntegerField",
            "BigIntegerField",
            "SmallIntegerField",
            "PositiveIntegerField",
            "PositiveSmallIntegerField",
            "PositiveBigIntegerField",
            "ForeignKey",
            "OneToOneField",
        ),
        "int",
    ),
    **dict.fromkeys(("CharField", "TextField", "EmailField", "SlugField", "URLField"), "text"),
}


@dataclass
class _Branch:
    """One query of one source in the union: its rows with the values annotated (``tl_<n>``), each value's name
    and slot type."""

    source: str
    name: str
    query: TimelineQuery
    qs: Any
    names: dict[str, str]
    types: dict[str, str]


def read_rows(customer: Any, sources: Mapping[str, TimelineRows]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The rows of every query of ``sources`` for ``customer``: ``{source: {query: [row, …]}}``, in one query."""
    read: dict[str, dict[str, list[dict[str, Any]]]] = {key: {} for key in sources}
    union = _union(type(customer), sources)
    if union is None:
        return read
    params = [customer.pk if _is_stand_in(p) else p for p in union.params]
    connection = connections[union.db]
    with connection.cursor() as cursor:
        cursor.execute(union.sql, params)
        fetched = cursor.fetchall()
    by_branch: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in fetched:
        by_branch[int(row[0])].append(row)
    for number, (source, name, readers) in enumerate(union.branches):
        rows = sorted(by_branch[number], key=lambda r: int(r[1]))
        read[source][name] = [_values(row, readers, connection) for row in rows]
    return read


# The union's SQL depends on the sources and the database, not on the customer: it is compiled once per process for a
# stand-in customer (this primary key) and run with the customer's own key in the stand-in's place. Compiling eleven
# querysets took most of the customer page's Python time.
_STAND_IN_PK = -7_391_024_117
_compiled: dict[tuple[Any, ...], _Union | None] = {}


@dataclass
class _Union:
    db: str
    sql: str
    params: list[Any]
    # per branch: its source, its query's name, and how to read each value (name, column, expression, converters)
    branches: list[tuple[str, str, list[tuple[str, int, Any, list[Any]]]]]
    queries: list[TimelineQuery]  # held, so that the key's ids stay theirs


def _is_stand_in(param: Any) -> bool:
    return type(param) is int and param == _STAND_IN_PK


def _union(customer_model: Any, sources: Mapping[str, TimelineRows]) -> _Union | None:
    key = (customer_model, tuple((k, n, id(q)) for k, source in sources.items() for n, q in source.queries.items()))
    if key in _compiled:
        return _compiled[key]
    stand_in = customer_model(pk=_STAND_IN_PK)
    branches = [
        _resolved(stand_in, key, name, query)
        for key, source in sources.items()
        for name, query in source.queries.items()
    ]
    union = None
    if branches:
        slots = _slots(branches)
        sql, params = [], []
        for number, branch in enumerate(branches):
            branch_sql, branch_params = _branch_qs(number, branch, slots).query.sql_with_params()
            if not any(_is_stand_in(p) for p in branch_params):
                raise ValueError(f"the timeline query {branch.source}.{branch.name} must select by the customer")
            sql.append(f"SELECT * FROM ({branch_sql}) tl{number}")
            params.extend(branch_params)
        db = branches[0].qs.db
        connection = connections[db]
        position = {slot: 2 + i for i, (slot, _type) in enumerate(slots)}
        readers = []
        for branch in branches:
            entries = []
            for alias, slot in _assignment(branch.types).items():
                expression = branch.qs.query.annotations[alias]
                converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
                entries.append((branch.names[alias], position[slot], expression, converters))
            readers.append((branch.source, branch.name, entries))
        union = _Union(
            db=db,
            sql=" UNION ALL ".join(sql),
            params=list(params),
            branches=readers,
            queries=[b.query for b in branches],
        )
    if len(_compiled) > 32:  # sources registered anew (tests): forget the old unions
        _compiled.clear()
    _compiled[key] = union
    return union


def _resolved(customer: Any, source: str, name: str, query: TimelineQuery) -> _Branch:
    aliases = {f"tl_{i}": field for i, field in enumerate(query.fields)}
    exprs = {alias: _expr(query.fields[field]) for alias, field in aliases.items()}
    qs = query.rows(customer).annotate(**exprs)
    types = {}
    for alias in exprs:
        internal = qs.query.annotations[alias].output_field.get_internal_type()
        if internal not in _TYPES:
            raise ValueError(f"a timeline value of type {internal} cannot be read in the union")
        types[alias] = _TYPES[internal]
    return _Branch(source=source, name=name, query=query, qs=qs, names=aliases, types=types)


def _expr(lookup: Any) -> Any:
    return F(lookup) if isinstance(lookup, str) else lookup


def _slots(branches: list[_Branch]) -> list[tuple[str, str]]:
    """The union's value columns: per type, as many slots as the query that needs the most of that type."""
    need: dict[str, int] = defaultdict(int)
    for branch in branches:
        counts: dict[str, int] = defaultdict(int)
        for slot_type in branch.types.values():
            counts[slot_type] += 1
        for slot_type, count in counts.items():
            need[slot_type] = max(need[slot_type], count)
    return [(f"s_{t}_{i}", t) for t in _SLOT_TYPES for i in range(need.get(t, 0))]


def _assignment(types: dict[str, str]) -> dict[str, str]:
    """Which slot each of a query's values goes into: its type's slots in the order of the query's values."""
    used: dict[str, int] = defaultdict(int)
    assigned = {}
    for alias, slot_type in types.items():
        assigned[alias] = f"s_{slot_type}_{used[slot_type]}"
        used[slot_type] += 1
    return assigned


def _branch_qs(number: int, branch: _Branch, slots: list[tuple[str, str]]) -> Any:
    order = [F(key[1:]).desc() if key.startswith("-") else F(key).asc() for key in branch.query.order]
    by_slot = {slot: alias for alias, slot in _assignment(branch.types).items()}
    columns = {
        "tl_branch": Value(number, output_field=models.IntegerField()),
        "tl_rank": Window(RowNumber(), order_by=order),
        **{
            slot: F(by_slot[slot]) if slot in by_slot else Cast(Value(None), output_field=_SLOT_TYPES[slot_type])
            for slot, slot_type in slots
        },
    }
    qs = branch.qs.annotate(**columns).order_by(*branch.query.order).values_list(*columns)
    return qs[: branch.query.limit] if branch.query.limit is not None else qs


def _values(row: tuple[Any, ...], readers: list[tuple[str, int, Any, list[Any]]], connection: Any) -> dict[str, Any]:
    """One row of a branch as the dict its source reads: each value converted as the ORM would convert it."""
    values = {}
    for name, column, expression, converters in readers:
        value = row[column]
        for converter in converters:
            value = converter(value, expression, connection)
        values[name] = value
    return values


# Hooks run by ``customer_transfer`` for things that follow the customer to the new owner:
# ``fn(actor=, customers=, from_owners=, to_owner=, reason=)``; from_owners maps customer pk → previous owner.
TransferHook = Callable[..., None]
_transfer_hooks: list[TransferHook] = []


def register_transfer_hook(fn: TransferHook) -> None:
    if fn not in _transfer_hooks:
        _transfer_hooks.append(fn)


def transfer_hooks() -> list[TransferHook]:
    return list(_transfer_hooks)


# Hooks run whenever customers change sales owner or service owner (transfer, the pool's claim / assignment /
# return / recycling, the service owner), in the same transaction: ``fn(customer_ids=[…])``. Service keeps its
# tickets' copies of those people (the ticket visibility rule's keys) with it.
OwnerChangeHook = Callable[..., None]
_owner_change_hooks: list[OwnerChangeHook] = []


def register_owner_change_hook(fn: OwnerChangeHook) -> None:
    if fn not in _owner_change_hooks:
        _owner_change_hooks.append(fn)


def owners_changed(customer_ids: list[int]) -> None:
    """Tell the registered hooks that these customers have a new sales or service owner."""
    if customer_ids:
        for hook in list(_owner_change_hooks):
            hook(customer_ids=list(customer_ids))
