"""Target pages (销售目标): the list of target sets with the create form, and the decomposition editor — the tree
as a table of months, quarters and the year, cells saved one by one through HTMX with live sums and unallocated
amounts, spreading, adding nodes, the workflow buttons, revisions with a reason, and the history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core.scoping import get_visible_or_404
from apps.core.views import add_service_errors
from apps.org.models import Department, Employee
from apps.sales.choices import TargetStatus
from apps.sales.forms_targets import (
    AddChildForm,
    MoveForm,
    ProposeForm,
    SpreadForm,
    TargetFilterForm,
    TargetSetCreateForm,
)
from apps.sales.models import TargetNode, TargetSet
from apps.sales.models.targets import MONTH_FIELDS
from apps.sales.selectors import targets as selectors
from apps.sales.services import targets as services


def _check_view(user: Any) -> None:
    if not (user.is_superuser or user.has_perm("sales.view_targetset")):
        raise PermissionDenied


@login_required
def target_list_view(request: HttpRequest) -> HttpResponse:
    """Target sets by fiscal year, metric and tier with their status and annual total."""
    _check_view(request.user)
    filter_form = TargetFilterForm(request.GET or None)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    qs = selectors.target_set_list(user=request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    totals = selectors.root_totals(list(page.object_list))
    for target_set in page.object_list:
        target_set.annual_total = totals.get(target_set.pk)
    return render(request, "sales/target_list.html", {
        "page_obj": page, "object_list": page.object_list, "filter_form": filter_form,
        "create_form": TargetSetCreateForm() if request.user.has_perm("sales.add_targetset") else None,
    })


@login_required
def target_create_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("sales.add_targetset"):
        raise PermissionDenied
    form = TargetSetCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            target_set = services.target_set_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Target set created; now decompose it."))
            return redirect("sales:target_editor", pk=target_set.pk)
    return render(request, "sales/target_create.html", {"form": form})


def _choices(wanted: bool, kind: str) -> list[tuple]:
    """Plain (id, label…) tuples for the add-node selects, one query each."""
    if not wanted:
        return []
    if kind == "department":
        return list(Department.objects.filter(is_active=True, parent__isnull=False).order_by("path")
                    .values_list("pk", "name"))
    return list(Employee.objects.filter(is_active=True).order_by("department__path", "user__name")
                .values_list("pk", "user__name", "department__name"))


def _editor_context(request: HttpRequest, target_set: TargetSet) -> dict[str, Any]:
    user = request.user
    tree = selectors.target_tree(target_set=target_set, user=user)
    editable_ids = [row.node.pk for row in tree.rows if row.editable]
    editable = TargetNode.objects.filter(pk__in=editable_ids).select_related("department", "person")
    draft = target_set.status == TargetStatus.DRAFT
    return {
        "target_set": target_set, "tree": tree, "draft": draft,
        "editing": draft and tree.may_edit,
        "months": range(1, 13),
        "add_form": AddChildForm(parents=editable.filter(person__isnull=True)) if draft and tree.may_edit else None,
        "add_departments": _choices(draft and tree.may_edit, "department"),
        "add_people": _choices(draft and tree.may_edit, "person"),
        "move_form": (MoveForm(nodes=editable) if target_set.status == TargetStatus.APPROVED and tree.may_edit
                      else None),
        "spread_form": SpreadForm(),
        "may_submit": draft and user.has_perm("sales.add_targetnode") and tree.may_edit,
        "may_approve": target_set.status == TargetStatus.SUBMITTED and user.has_perm("sales.approve_targetset"),
        "own_row": next((row for row in tree.rows if row.proposable), None),
        "wan": request.GET.get("unit") == "wan",
    }


@login_required
def target_editor_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The decomposition editor of one set, scoped to what the user may see."""
    _check_view(request.user)
    target_set = get_object_or_404(TargetSet.objects.select_related("approved_by"), pk=pk)
    return render(request, "sales/target_editor.html", _editor_context(request, target_set))


def _node_of(request: HttpRequest, pk: int, node_pk: int, action: str = "change") -> TargetNode:
    node = get_visible_or_404(TargetNode, request.user, node_pk, action)
    if node.target_set_id != pk:
        raise Http404
    return node


@login_required
@require_POST
def target_cell_view(request: HttpRequest, pk: int, node_pk: int) -> HttpResponse:
    """HTMX: save one month of one node, answer with the node's and its parent's sums and unallocated rows."""
    node = _node_of(request, pk, node_pk)
    error, month = "", request.POST.get("month", "")
    try:
        months: list[Any] = node.months
        if month:  # one cell
            months[int(month) - 1] = request.POST.get("value", "")
        else:  # the row's inputs (the editor posts the whole row on change)
            months = [request.POST.get(name, value) for name, value in zip(MONTH_FIELDS, months, strict=True)]
        services.target_node_set_months(actor=request.user, node=node, months=months)
    except (ValueError, IndexError):
        error = _("Unknown month.")
    except ValidationError as exc:
        error = " ".join(exc.messages)
    except PermissionDenied as exc:
        error = str(exc) or _("You may not do this.")
    target_set = TargetSet.objects.get(pk=pk)
    tree = selectors.target_tree(target_set=target_set, user=request.user)
    rows = [tree.by_id[i] for i in (node.pk, node.parent_id) if i in tree.by_id]
    return render(request, "sales/target_cell_response.html", {
        "rows": rows, "tree": tree, "error": error, "node": node, "month": month,
        "wan": request.GET.get("unit") == "wan",
    })


def _run(request: HttpRequest, action: Any, done: str) -> Any:
    try:
        result = action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You may not do this."))
    else:
        messages.success(request, done)
        return result
    return None


@login_required
@require_POST
def target_add_node_view(request: HttpRequest, pk: int) -> HttpResponse:
    parents = TargetNode.objects.filter(target_set_id=pk, person__isnull=True).visible_to(request.user, "change")
    form = AddChildForm(request.POST, parents=parents)
    if form.is_valid():
        data = form.cleaned_data
        person = data["person"].user if data["person"] else None
        _run(request, lambda: services.target_node_add(actor=request.user, parent=data["parent"],
                                                       department=data["department"], person=person),
             _("Node added; spread its parent's targets or type its months."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("sales:target_editor", pk=pk)


@login_required
@require_POST
def target_spread_view(request: HttpRequest, pk: int, node_pk: int) -> HttpResponse:
    parent = _node_of(request, pk, node_pk)
    form = SpreadForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("sales:target_editor", pk=pk)
    result = _run(request, lambda: services.target_spread(actor=request.user, parent=parent,
                                                          method=form.cleaned_data["method"],
                                                          weights=form.cleaned_data["profile"]),
                  _("Spread over the children of %(node)s.") % {"node": parent})
    if result is not None and result.note:
        messages.warning(request, result.note)
    return redirect("sales:target_editor", pk=pk)


@login_required
@require_POST
def target_propose_view(request: HttpRequest, pk: int, node_pk: int) -> HttpResponse:
    node = _node_of(request, pk, node_pk)
    form = ProposeForm(request.POST)
    if form.is_valid():
        _run(request, lambda: services.target_propose(actor=request.user, node=node, months=form.months()),
             _("Your proposal was sent to your manager."))
    else:
        messages.error(request, _("Enter twelve amounts."))
    return redirect("sales:target_editor", pk=pk)


@login_required
@require_POST
def target_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Revision of an approved set: move an amount between two nodes, with a reason."""
    target_set = get_object_or_404(TargetSet, pk=pk)
    nodes = TargetNode.objects.filter(target_set=target_set).visible_to(request.user, "change")
    form = MoveForm(request.POST, nodes=nodes)
    if form.is_valid():
        data = form.cleaned_data
        _run(request, lambda: services.target_move(actor=request.user, source=data["source"],
                                                   destination=data["destination"], month=data["month"],
                                                   amount=data["amount"], reason=data["reason"]),
             _("Targets revised; the history records the reason."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("sales:target_editor", pk=pk)


_MOVES = {
    "submit": (services.target_set_submit, gettext_lazy("Targets submitted for approval.")),
    "approve": (services.target_set_approve, gettext_lazy("Targets approved and locked.")),
    "return": (services.target_set_return, gettext_lazy("Targets sent back to draft.")),
}


@login_required
@require_POST
def target_transition_view(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    """Submit, approve or send back; a refusal (e.g. it does not reconcile) comes back as a message."""
    _check_view(request.user)
    target_set = get_object_or_404(TargetSet, pk=pk)
    if move not in _MOVES:
        raise Http404
    service, done = _MOVES[move]
    _run(request, lambda: service(actor=request.user, target_set=target_set), str(done))
    return redirect("sales:target_editor", pk=pk)


@login_required
def target_node_detail_view(request: HttpRequest, node_pk: int) -> HttpResponse:
    """One node's months and its own history (who changed it, why)."""
    node = get_visible_or_404(TargetNode, request.user, node_pk)
    node = TargetNode.objects.select_related("target_set", "department", "person", "parent").get(pk=node.pk)
    cells = list(zip(range(1, 13), node.months, strict=True))
    return render(request, "sales/target_node_detail.html", {"node": node, "cells": cells,
                                                              "month_fields": MONTH_FIELDS})
