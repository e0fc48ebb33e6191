"""Sales targets and their decomposition (销售目标分解): a target set per fiscal year, metric and tier is a tree of
nodes (company → departments → teams → people) with twelve month values each.

Rules enforced here: senior management creates a set; managers decompose within their department tree; every
parent equals the sum of its children in every month before the set can be submitted or approved; an approved set
is locked and changes only through a revision with a reason that keeps the tree reconciled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.history import record_actor
from apps.core.scoping import can
from apps.core.services import model_save, notify
from apps.org.models import Department, Employee, User
from apps.sales.choices import TargetStatus
from apps.sales.models import TargetNode, TargetSet
from apps.sales.models.targets import MONTH_FIELDS
from apps.sales.selectors.targets import last_year_actuals, nodes_of_set

CENT = Decimal("0.01")
ZERO = Decimal("0")

NOT_ALLOWED = gettext_lazy("You may not change these targets.")
NOT_IN_SCOPE = gettext_lazy("“%(node)s” is outside your department tree.")
SET_EXISTS = gettext_lazy("A %(metric)s target (%(tier)s) for %(year)s already exists.")
YEAR_RANGE = gettext_lazy("The fiscal year must be between %(first)s and %(last)s.")
FISCAL_YEARS = (2000, 2100)
NO_ROOT = gettext_lazy("The organisation has no company department yet.")
LOCKED = gettext_lazy("These targets are %(status)s; only a draft can be edited. Use a revision with a reason.")
TWELVE_MONTHS = gettext_lazy("Give exactly twelve month values.")
BAD_AMOUNT = gettext_lazy("“%(value)s” is not a valid amount.")
NEGATIVE = gettext_lazy("Targets cannot be negative.")
PERSON_IS_LEAF = gettext_lazy("A person's target cannot be decomposed further.")
CHILD_DEPT = gettext_lazy("“%(child)s” is not a sub-department of “%(parent)s”.")
CHILD_PERSON = gettext_lazy("%(person)s is not employed in “%(parent)s”.")
ONE_OF = gettext_lazy("Pick either a sub-department or a person.")
DUPLICATE = gettext_lazy("“%(name)s” already has a target in this set.")
NO_CHILDREN = gettext_lazy("“%(node)s” has no children to spread over.")
BAD_METHOD = gettext_lazy("Unknown spreading method “%(method)s”.")
BAD_PROFILE = gettext_lazy("A monthly profile needs twelve percentages that add up to 100 (they add up to %(sum)s).")
MANUAL_NEEDS = gettext_lazy("Give the twelve months of every child.")
NO_LAST_YEAR = gettext_lazy("No actuals in %(year)s for these children: spread evenly instead.")
NOT_OWN_NODE = gettext_lazy("You can only propose your own targets.")
NOT_DRAFT_SUBMIT = gettext_lazy("Only a draft can be submitted (this one is %(status)s).")
NOT_SUBMITTED = gettext_lazy("Only submitted targets can be approved or sent back (this one is %(status)s).")
NOT_RECONCILED = gettext_lazy("The targets do not add up: %(details)s.")
MISMATCH_ITEM = gettext_lazy("%(node)s — %(months)s")
MISMATCH_MONTH = gettext_lazy("month %(m)s unallocated %(amount)s")
NOT_APPROVED = gettext_lazy("Only approved targets are revised; edit the draft directly.")
REASON_REQUIRED = gettext_lazy("Give the reason for this revision.")
NOTHING_CHANGED = gettext_lazy("The revision changes nothing.")
WRONG_SET = gettext_lazy("All changed nodes must belong to the same target set.")

METHODS = ("manual", "even", "last_year_share", "profile")


@dataclass(frozen=True)
class Mismatch:
    node: TargetNode
    month: int  # 1..12
    parent_value: Decimal
    children_sum: Decimal
    unallocated: Decimal  # parent − children: positive = not yet given out, negative = over-allocated


@dataclass(frozen=True)
class SpreadResult:
    children: list[TargetNode]
    note: str = ""


def split_cents(total: Decimal, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """Share ``total`` by ``weights`` in whole cents (largest remainder), so the parts sum exactly to the total."""
    cents = int((Decimal(total) / CENT).to_integral_value(ROUND_HALF_UP))
    weight_sum = sum((Decimal(w) for w in weights), ZERO)
    if weight_sum <= 0:
        weights, weight_sum = [1] * len(weights), Decimal(len(weights))
    raw = [Decimal(cents) * Decimal(w) / weight_sum for w in weights]
    floors = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (floors[i] - raw[i], i))
    for i in order[: cents - sum(floors)]:
        floors[i] += 1
    return [(Decimal(c) * CENT).quantize(CENT, ROUND_HALF_UP) for c in floors]


def split_yuan(total: Decimal, weights: Sequence[Decimal | int], *, remainder_last: bool = False) -> list[Decimal]:
    """Share ``total`` by ``weights`` in whole yuan, so a target reads 124,120 rather than 124,120.28 and the parts
    sum exactly to the total: the leftover yuan go by largest remainder (or, with ``remainder_last``, all to the last
    part with a weight, as months do), and the total's cents always go to that last part."""
    total = Decimal(total).quantize(CENT, ROUND_HALF_UP)
    whole = int(total.to_integral_value(ROUND_FLOOR))
    weights = [Decimal(w) for w in weights]
    weight_sum = sum(weights, ZERO)
    if weight_sum <= 0:
        weights, weight_sum = [Decimal(1)] * len(weights), Decimal(len(weights))
    last = max(i for i, w in enumerate(weights) if w > 0)
    raw = [Decimal(whole) * w / weight_sum for w in weights]
    floors = [int(r) for r in raw]
    leftover = whole - sum(floors)
    if remainder_last:
        floors[last] += leftover
    else:
        for i in sorted(range(len(raw)), key=lambda i: (floors[i] - raw[i], i))[:leftover]:
            floors[i] += 1
    parts = [Decimal(f) for f in floors]
    parts[last] += total - whole
    return [p.quantize(CENT, ROUND_HALF_UP) for p in parts]


def even_months(annual: Decimal) -> list[Decimal]:
    """The annual over twelve months evenly in whole yuan; December takes the remainder."""
    return split_yuan(annual, [1] * 12, remainder_last=True)


def clean_months(months: Iterable[Any]) -> list[Decimal]:
    """Twelve non-negative amounts of two decimals, or a ValidationError naming the bad value."""
    values = list(months)
    if len(values) != 12:
        raise ValidationError(TWELVE_MONTHS)
    cleaned = []
    for value in values:
        try:
            amount = Decimal(str(value).replace(",", "").strip() or "0").quantize(CENT, ROUND_HALF_UP)
        except (InvalidOperation, ValueError):
            raise ValidationError(BAD_AMOUNT % {"value": value}) from None
        if amount < 0:
            raise ValidationError(NEGATIVE)
        cleaned.append(amount)
    return cleaned


def _apply_months(node: TargetNode, months: Sequence[Decimal]) -> None:
    for name, value in zip(MONTH_FIELDS, months, strict=True):
        setattr(node, name, value)


def _save_node(node: TargetNode, actor: User, reason: str = "") -> None:
    model_save(node, actor=actor, reason=reason)


def _check_may_edit(actor: User, node: TargetNode, *, draft_only: bool = True) -> None:
    """Managers and senior management edit nodes in their department tree; staff only propose their own."""
    if draft_only and node.target_set.status != TargetStatus.DRAFT:
        raise ValidationError(LOCKED % {"status": node.target_set.get_status_display()})
    if not actor.has_perm("sales.add_targetnode"):
        raise PermissionDenied(NOT_ALLOWED)
    if not can(actor, "change", node):
        raise PermissionDenied(NOT_IN_SCOPE % {"node": node})


def root_department() -> Department:
    root = Department.objects.filter(parent__isnull=True, is_active=True).order_by("order", "pk").first()
    if root is None:
        raise ValidationError(NO_ROOT)
    return root


@transaction.atomic
def target_set_create(
    *, actor: User, fiscal_year: int, metric: str, tier: str, annual: Decimal | None = None
) -> TargetSet:
    """Senior management opens a year's target: the set and its company node, the annual spread evenly."""
    if not actor.has_perm("sales.add_targetset"):
        raise PermissionDenied(NOT_ALLOWED)
    first, last = FISCAL_YEARS
    if not first <= int(fiscal_year) <= last:
        raise ValidationError({"fiscal_year": YEAR_RANGE % {"first": first, "last": last}}, code="year_range")
    if TargetSet.objects.filter(fiscal_year=fiscal_year, metric=metric, tier=tier).exists():
        target_set = TargetSet(fiscal_year=fiscal_year, metric=metric, tier=tier)
        raise ValidationError(
            SET_EXISTS
            % {"metric": target_set.get_metric_display(), "year": fiscal_year, "tier": target_set.get_tier_display()}
        )
    target_set = TargetSet(fiscal_year=fiscal_year, metric=metric, tier=tier, created_by=actor)
    model_save(target_set, actor=actor)
    root = TargetNode(target_set=target_set, department=root_department())
    if annual is not None:
        _apply_months(root, even_months(clean_months([annual] + [0] * 11)[0]))
    _save_node(root, actor)
    return target_set


def _check_child(parent: TargetNode, department: Department | None, person: Any) -> Department:
    """A child is a sub-department of the parent's department or a person employed in it."""
    if parent.person_id:
        raise ValidationError(PERSON_IS_LEAF)
    if (department is None) == (person is None):
        raise ValidationError(ONE_OF)
    if person is not None:
        employee = Employee.objects.filter(user=person, is_active=True).select_related("department").first()
        if employee is None or employee.department_id != parent.department_id:
            raise ValidationError(CHILD_PERSON % {"person": person, "parent": parent.department})
        if TargetNode.objects.filter(
            target_set=parent.target_set, person=person, department=employee.department
        ).exists():
            raise ValidationError(DUPLICATE % {"name": person})
        return employee.department
    assert department is not None
    if department.pk == parent.department_id or not department.path.startswith(parent.department.path):
        raise ValidationError(CHILD_DEPT % {"child": department, "parent": parent.department})
    if TargetNode.objects.filter(target_set=parent.target_set, department=department, person=None).exists():
        raise ValidationError(DUPLICATE % {"name": department})
    return department


@transaction.atomic
def target_node_add(
    *, actor: User, parent: TargetNode, department: Department | None = None, person: Any = None
) -> TargetNode:
    """Add a sub-department or a person under ``parent`` (starting at zero)."""
    _check_may_edit(actor, parent)
    node_department = _check_child(parent, department, person)
    node = TargetNode(target_set=parent.target_set, parent=parent, department=node_department, person=person)
    _save_node(node, actor, _("Added under %(parent)s") % {"parent": parent})
    return node


@transaction.atomic
def target_node_set_months(*, actor: User, node: TargetNode, months: Sequence[Any], reason: str = "") -> TargetNode:
    """Set a node's twelve months (draft only; managers within their tree)."""
    _check_may_edit(actor, node)
    _apply_months(node, clean_months(months))
    _save_node(node, actor, reason)
    return node


def _children(parent: TargetNode) -> list[TargetNode]:
    children = list(parent.children.select_related("department", "person", "target_set"))
    if not children:
        raise ValidationError(NO_CHILDREN % {"node": parent})
    return sorted(children, key=lambda c: (c.person_id is not None, c.department.path, c.person_id or 0))


def _spread_by_weights(parent: TargetNode, children: list[TargetNode], weights: list[Decimal]) -> None:
    for month, name in enumerate(MONTH_FIELDS):
        parts = split_yuan(parent.months[month], weights)
        for child, part in zip(children, parts, strict=True):
            setattr(child, name, part)


def _spread_profile(children: list[TargetNode], profile: Sequence[Any] | None) -> None:
    try:
        percents = [Decimal(str(p)) for p in (profile or [])]
    except InvalidOperation:
        percents = []
    total = sum(percents, ZERO)
    if len(percents) != 12 or total != 100 or any(p < 0 for p in percents):
        raise ValidationError(BAD_PROFILE % {"sum": total})
    for child in children:
        _apply_months(child, split_yuan(child.annual, percents, remainder_last=True))


def _spread_manual(children: list[TargetNode], weights: dict[Any, Sequence[Any]] | None) -> None:
    given = {int(k): v for k, v in (weights or {}).items()}
    if any(child.pk not in given for child in children):
        raise ValidationError(MANUAL_NEEDS)
    for child in children:
        _apply_months(child, clean_months(given[child.pk]))


@transaction.atomic
def target_spread(*, actor: User, parent: TargetNode, method: str, weights: Any = None) -> SpreadResult:
    """Spread a parent over its children: manual months per child, evenly, by each child's share of last year's
    actual of the same metric (even when last year is empty, and say so), or by a monthly profile."""
    if method not in METHODS:
        raise ValidationError(BAD_METHOD % {"method": method})
    # Spread what is stored now, not what the caller's copy of the parent says.
    parent = TargetNode.objects.select_for_update().select_related("target_set", "department").get(pk=parent.pk)
    _check_may_edit(actor, parent)
    children = _children(parent)
    for child in children:
        _check_may_edit(actor, child)
    note = ""
    if method == "manual":
        _spread_manual(children, weights)
    elif method == "profile":
        _spread_profile(children, weights)
    else:
        shares = [Decimal(1)] * len(children)
        if method == "last_year_share":
            year = parent.target_set.fiscal_year - 1
            actuals = last_year_actuals(parent.target_set.metric, year, children)
            if sum(actuals, ZERO) > 0:
                shares = actuals
            else:
                note = str(NO_LAST_YEAR % {"year": year})
        _spread_by_weights(parent, children, shares)
    reason = _("Spread from %(parent)s (%(method)s)") % {"parent": parent, "method": method}
    for child in children:
        _save_node(child, actor, reason)
    return SpreadResult(children, note)


@transaction.atomic
def target_propose(*, actor: User, node: TargetNode, months: Sequence[Any]) -> TargetNode:
    """Bottom-up: a person proposes the months of their own node; the manager then sets the months."""
    if node.person_id != actor.pk or not can(actor, "change", node):
        raise PermissionDenied(NOT_OWN_NODE)
    if node.target_set.status != TargetStatus.DRAFT:
        raise ValidationError(LOCKED % {"status": node.target_set.get_status_display()})
    node.proposed = {name: str(v) for name, v in zip(MONTH_FIELDS, clean_months(months), strict=True)}
    _save_node(node, actor, _("Proposal from below"))
    manager = node.department.manager
    if manager is not None and manager.pk != actor.pk:
        notify(
            recipients=[manager],
            title=_("%(person)s proposed their targets") % {"person": actor},
            body=str(node.target_set),
        )
    return node


def reconcile_nodes(nodes: Sequence[TargetNode]) -> list[Mismatch]:
    """Every parent with children equals the sum of its children in every month."""
    children_sums: dict[int, list[Decimal]] = {}
    for node in nodes:
        if node.parent_id is not None:
            sums = children_sums.setdefault(node.parent_id, [ZERO] * 12)
            for i, value in enumerate(node.months):
                sums[i] += value
    mismatches = []
    for node in nodes:
        found = children_sums.get(node.pk)
        if found is None:
            continue
        sums = found
        for i, value in enumerate(node.months):
            if value != sums[i]:
                mismatches.append(Mismatch(node, i + 1, value, sums[i], value - sums[i]))
    return mismatches


def target_reconcile(target_set: TargetSet) -> list[Mismatch]:
    """The months where a parent differs from the sum of its children, with the unallocated amount."""
    return reconcile_nodes(nodes_of_set(target_set))


def mismatch_message(mismatches: Sequence[Mismatch], limit: int = 6) -> str:
    """One clause per node, naming its months and unallocated amounts (negative = over-allocated)."""
    by_node: dict[int, list[Mismatch]] = {}
    for mismatch in mismatches:
        by_node.setdefault(mismatch.node.pk, []).append(mismatch)
    items = []
    for group in by_node.values():
        months = [str(MISMATCH_MONTH % {"m": m.month, "amount": f"{m.unallocated:,.2f}"}) for m in group[:limit]]
        if len(group) > limit:
            months.append(_("and %(n)s more months") % {"n": len(group) - limit})
        items.append(str(MISMATCH_ITEM % {"node": group[0].node, "months": ", ".join(months)}))
    return str(NOT_RECONCILED % {"details": "; ".join(items)})


def _save_set(target_set: TargetSet, actor: User, reason: str = "") -> None:
    record_actor(target_set, actor, reason)
    target_set.save()


def _check_reconciled(target_set: TargetSet) -> None:
    mismatches = target_reconcile(target_set)
    if mismatches:
        raise ValidationError(mismatch_message(mismatches))


@transaction.atomic
def target_set_submit(*, actor: User, target_set: TargetSet) -> TargetSet:
    """A sales manager or senior management submits a draft; refused while anything does not reconcile."""
    target_set = TargetSet.objects.select_for_update().get(pk=target_set.pk)
    if not actor.has_perm("sales.add_targetnode"):
        raise PermissionDenied(NOT_ALLOWED)
    if target_set.status != TargetStatus.DRAFT:
        raise ValidationError(NOT_DRAFT_SUBMIT % {"status": target_set.get_status_display()})
    _check_reconciled(target_set)
    target_set.status, target_set.submitted_at = TargetStatus.SUBMITTED, timezone.now()
    _save_set(target_set, actor, _("Submitted for approval"))
    if target_set.created_by and target_set.created_by.pk != actor.pk:
        notify(recipients=[target_set.created_by], title=_("Targets submitted for approval"), body=str(target_set))
    return target_set


@transaction.atomic
def target_set_approve(*, actor: User, target_set: TargetSet) -> TargetSet:
    """Senior management approves a submitted, reconciled set; it is then locked."""
    target_set = TargetSet.objects.select_for_update().get(pk=target_set.pk)
    if not actor.has_perm("sales.approve_targetset"):
        raise PermissionDenied(NOT_ALLOWED)
    if target_set.status != TargetStatus.SUBMITTED:
        raise ValidationError(NOT_SUBMITTED % {"status": target_set.get_status_display()})
    _check_reconciled(target_set)
    target_set.status, target_set.approved_by, target_set.approved_at = TargetStatus.APPROVED, actor, timezone.now()
    _save_set(target_set, actor, _("Approved and locked"))
    return target_set


@transaction.atomic
def target_set_return(*, actor: User, target_set: TargetSet, comment: str = "") -> TargetSet:
    """Senior management sends a submitted set back to draft for more decomposition."""
    target_set = TargetSet.objects.select_for_update().get(pk=target_set.pk)
    if not actor.has_perm("sales.approve_targetset"):
        raise PermissionDenied(NOT_ALLOWED)
    if target_set.status != TargetStatus.SUBMITTED:
        raise ValidationError(NOT_SUBMITTED % {"status": target_set.get_status_display()})
    target_set.status, target_set.submitted_at = TargetStatus.DRAFT, None
    _save_set(target_set, actor, comment or _("Sent back"))
    return target_set


def _revision_summary(changes: list[tuple[TargetNode, list[Decimal]]]) -> str:
    """ "March: 艾丽 −50,000.00 → 鲍勃 +50,000.00" — who moved how much from where to where."""
    parts = []
    for month, name in enumerate(MONTH_FIELDS):
        moves = [(node, new[month] - getattr(node, name)) for node, new in changes]
        given = [f"{node} {delta:+,.2f}" for node, delta in moves if delta < 0]
        taken = [f"{node} {delta:+,.2f}" for node, delta in moves if delta > 0]
        if given or taken:
            parts.append(
                _("month %(m)s: %(from)s → %(to)s")
                % {"m": month + 1, "from": ", ".join(given) or "—", "to": ", ".join(taken) or "—"}
            )
    return "; ".join(parts)


@transaction.atomic
def target_revise(
    *, actor: User, node_changes: Mapping[TargetNode, Sequence[Any]] | list[tuple[TargetNode, Any]], reason: str
) -> str:
    """Change an approved set: a reason is required, the tree must still reconcile, and the history records who
    moved how much from where to where. Returns the readable summary."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(REASON_REQUIRED)
    pairs: list[tuple[TargetNode, Any]] = list(
        node_changes.items() if isinstance(node_changes, Mapping) else node_changes
    )
    target_set = TargetSet.objects.select_for_update().get(pk=pairs[0][0].target_set_id) if pairs else None
    if target_set is None or any(node.target_set_id != target_set.pk for node, _m in pairs):
        raise ValidationError(WRONG_SET if pairs else NOTHING_CHANGED)
    if target_set.status != TargetStatus.APPROVED:
        raise ValidationError(NOT_APPROVED)
    nodes = {node.pk: node for node in nodes_of_set(target_set)}
    changes = []
    for node, months in pairs:
        _check_may_edit(actor, node, draft_only=False)
        changes.append((nodes[node.pk], clean_months(months)))
    summary = _revision_summary(changes)
    if not summary:
        raise ValidationError(NOTHING_CHANGED)
    for node, months in changes:
        _apply_months(node, months)
    mismatches = reconcile_nodes(list(nodes.values()))
    if mismatches:
        raise ValidationError(mismatch_message(mismatches))
    text = f"{reason} — {summary}"
    for node, _months in changes:
        _save_node(node, actor, text)
    _save_set(target_set, actor, text)
    return summary


def _path_to(node_id: int, by_id: dict[int, TargetNode]) -> list[int]:
    chain = [node_id]
    while by_id[chain[-1]].parent_id is not None:
        chain.append(by_id[chain[-1]].parent_id)  # type: ignore[arg-type]
    return chain


def target_move(
    *, actor: User, source: TargetNode, destination: TargetNode, month: int, amount: Any, reason: str
) -> str:
    """Move ``amount`` of one month from one node to another in an approved set: both nodes and their ancestors
    below the common ancestor change, so the tree stays reconciled."""
    amount = clean_months([amount] + [0] * 11)[0]
    if not 1 <= int(month) <= 12 or amount <= 0 or source.pk == destination.pk:
        raise ValidationError(NOTHING_CHANGED)
    by_id = {node.pk: node for node in nodes_of_set(source.target_set)}
    if destination.pk not in by_id:
        raise ValidationError(WRONG_SET)
    up_from, up_to = _path_to(source.pk, by_id), _path_to(destination.pk, by_id)
    changes: dict[TargetNode, list[Decimal]] = {}
    for chain, sign in ((up_from, -1), (up_to, 1)):
        for node_id in chain:
            if node_id in up_from and node_id in up_to:
                break
            months = by_id[node_id].months
            months[int(month) - 1] += sign * amount
            changes[by_id[node_id]] = months
    if any(v < 0 for months in changes.values() for v in months):
        raise ValidationError(NEGATIVE)
    return target_revise(actor=actor, node_changes=changes, reason=reason)
