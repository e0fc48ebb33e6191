"""One timeline per customer (客户动态), filled by registered sources.

A lower app cannot import a higher one, so every app that touches customers registers a source at start-up:
``register_timeline_source(key, fn)`` where ``fn(customer, user)`` returns a list of ``TimelineEvent`` — one
bounded query per source. The archive registers follow-ups, needs, ownership changes and contacts; marketing
registers leads and visits, service its tickets. ``selectors.archive.customer_timeline`` merges them.

The same module holds the transfer hooks: when customers change owner, things that follow the customer (open
opportunities, once sales exists) are moved by hooks registered here, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


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
_sources: dict[str, TimelineSource] = {}


def register_timeline_source(key: str, fn: TimelineSource) -> None:
    """Register (or replace) the source ``key``; registering the same key again keeps one source."""
    _sources[key] = fn


def timeline_sources() -> dict[str, TimelineSource]:
    return dict(_sources)


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
