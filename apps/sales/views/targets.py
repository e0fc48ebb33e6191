"""Target pages (销售目标): the list of target sets with the create form, and the decomposition editor — the tree
as a table of months, quarters and the year, cells saved one by one through HTMX with live sums and unallocated
amounts, spreading, adding nodes, the workflow buttons, revisions with a reason, and the history."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core.scoping import get_visible_or_404
from apps.core.views import ScopedActionView, ScopedCreateView, ScopedDetailView, ScopedListView
from apps.org.models import Department, Employee, User
from apps.sales.choices import TargetStatus
from apps.sales.forms.targets import (
    AddChildForm,
    MoveForm,
    ProposeForm,
    SpreadForm,
    TargetFilterForm,
    TargetSetCreateForm,
)
from apps.sales.models import TargetNode, TargetSet
from apps.sales.models.targets import MONTH_FIELDS
from apps.sales.permissions import SalesPerm
from apps.sales.selectors import targets as selectors
from apps.sales.services import targets as services


def _check_view(user: Any) -> None:
    if not (user.is_superuser or user.has_perm("sales.view_targetset")):
        raise PermissionDenied


class TargetListView(ScopedListView):
    """Target sets by fiscal year, metric and tier with their status and annual total (the sets are company-wide;
    each user sees only their part of the tree inside)."""

    model = TargetSet
    permission = SalesPerm.VIEW_TARGETSET
    template_name = "sales/target_list.html"

    def get_template_names(self) -> list[str]:
        return [self.template_name]  # the page has no rows partial: filters reload it

    def get_queryset(self) -> QuerySet:
        self.filter_form = TargetFilterForm(self.request.GET or None)
        filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return selectors.target_set_list(user=self.request.user, **{k: v for k, v in filters.items() if v})

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = list(context["object_list"])
        totals = selectors.root_totals(page)
        for target_set in page:
            target_set.annual_total = totals.get(target_set.pk)
        user = self.request.user
        context.update(
            object_list=page,
            filter_form=self.filter_form,
            create_form=TargetSetCreateForm() if user.has_perm("sales.add_targetset") else None,
        )
        return context


class TargetCreateView(ScopedCreateView):
    model = TargetSet
    permission = SalesPerm.ADD_TARGETSET
    form_class = TargetSetCreateForm
    service = services.target_set_create
    template_name = "sales/target_create.html"
    success_message = gettext_lazy("Target set created; now decompose it.")
    success_url = "sales:target_editor"


def _choices(wanted: bool, kind: str) -> list[tuple]:
    """Plain (id, label…) tuples for the add-node selects, one query each."""
    if not wanted:
        return []
    if kind == "department":
        return list(
            Department.objects.filter(is_active=True, parent__isnull=False).order_by("path").values_list("pk", "name")
        )
    return list(
        Employee.objects.filter(is_active=True)
        .order_by("department__path", "user__name")
        .values_list("pk", "user__name", "department__name")
    )


def _editor_context(request: HttpRequest, target_set: TargetSet) -> dict[str, Any]:
    user = request.user
    tree = selectors.target_tree(target_set=target_set, user=user)
    editable_ids = [row.node.pk for row in tree.rows if row.editable]
    editable = TargetNode.objects.filter(pk__in=editable_ids).select_related("department", "person")
    draft = target_set.status == TargetStatus.DRAFT
    return {
        "target_set": target_set,
        "tree": tree,
        "draft": draft,
        "editing": draft and tree.may_edit,
        "months": range(1, 13),
        "add_form": AddChildForm(parents=editable.filter(person__isnull=True)) if draft and tree.may_edit else None,
        "add_departments": _choices(draft and tree.may_edit, "department"),
        "add_people": _choices(draft and tree.may_edit, "person"),
        "move_form": (
            MoveForm(nodes=editable) if target_set.status == TargetStatus.APPROVED and tree.may_edit else None
        ),
        "spread_form": SpreadForm(),
        "may_submit": draft and user.has_perm("sales.add_targetnode") and tree.may_edit,
        "may_approve": target_set.status == TargetStatus.SUBMITTED and user.has_perm("sales.approve_targetset"),
        "own_row": next((row for row in tree.rows if row.proposable), None),
        "wan": request.GET.get("unit") == "wan",
    }


class TargetEditorView(ScopedDetailView):
    """The decomposition editor of one set; the tree shows what the user may see."""

    model = TargetSet
    permission = SalesPerm.VIEW_TARGETSET
    template_name = "sales/target_editor.html"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("approved_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **_editor_context(self.request, self.object)}


def _node_of(request: HttpRequest, pk: int, node_pk: int, action: str = "change") -> TargetNode:
    node = get_visible_or_404(TargetNode, request.user, node_pk, action)
    if node.target_set_id != pk:
        raise Http404
    return node


# A special page: HTMX saves one cell of the editor's grid and answers the rows it changed (the node's and its
# parent's sums and unallocated amounts), with the error in place; the node is fetched in the change scope.
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
        services.target_node_set_months(actor=cast(User, request.user), node=node, months=months)
    except (ValueError, IndexError):
        error = _("Unknown month.")
    except ValidationError as exc:
        error = " ".join(exc.messages)
    except PermissionDenied as exc:
        error = str(exc) or _("You may not do this.")
    target_set = TargetSet.objects.get(pk=pk)
    tree = selectors.target_tree(target_set=target_set, user=request.user)
    rows = [tree.by_id[i] for i in (node.pk, node.parent_id) if i in tree.by_id]
    return render(
        request,
        "sales/target_cell_response.html",
        {
            "rows": rows,
            "tree": tree,
            "error": error,
            "node": node,
            "month": month,
            "wan": request.GET.get("unit") == "wan",
        },
    )


class TargetAddNodeView(ScopedActionView):
    """Add a sub-department or a person under a node of the set the user may change."""

    model = TargetSet
    permission = SalesPerm.VIEW_TARGETSET  # the service checks who may edit the parent
    form_class = AddChildForm
    service = services.target_node_add
    success_message = gettext_lazy("Node added; spread its parent's targets or type its months.")
    success_url = "sales:target_editor"

    def get_form_kwargs(self) -> dict[str, Any]:
        parents = TargetNode.objects.filter(target_set=self.object, person__isnull=True)
        return {"parents": parents.visible_to(self.request.user, "change")}

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        person = data["person"].user if data["person"] else None
        return {"parent": data["parent"], "department": data["department"], "person": person}


class _NodeActionView(ScopedActionView):
    """A move on one node of the editor (in the user's change scope, else 404); back to the set's editor."""

    model = TargetNode
    action = "change"
    permission = SalesPerm.VIEW_TARGETNODE

    def get_success_url(self, obj: Any) -> str:
        return reverse("sales:target_editor", args=[obj.target_set_id])


class TargetSpreadView(_NodeActionView):
    form_class = SpreadForm
    service = services.target_spread

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"parent": self.object, "method": data["method"], "weights": data["profile"]}

    def succeed(self, obj: Any) -> None:
        messages.success(self.request, _("Spread over the children of %(node)s.") % {"node": obj})
        if self.result is not None and self.result.note:
            messages.warning(self.request, self.result.note)


class TargetProposeView(_NodeActionView):
    form_class = ProposeForm
    service = services.target_propose
    success_message = gettext_lazy("Your proposal was sent to your manager.")

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"node": self.object, "months": self.form.months()}


class TargetReviseView(ScopedActionView):
    """Revision of an approved set: move an amount between two nodes, with a reason."""

    model = TargetSet
    permission = SalesPerm.VIEW_TARGETSET  # the nodes come from the change scope; the service checks the rest
    form_class = MoveForm
    service = services.target_move
    success_message = gettext_lazy("Targets revised; the history records the reason.")
    success_url = "sales:target_editor"

    def get_form_kwargs(self) -> dict[str, Any]:
        nodes = TargetNode.objects.filter(target_set=self.object).visible_to(self.request.user, "change")
        return {"nodes": nodes}

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return dict(data)


class TargetMoveView(ScopedActionView):
    """Submit, approve or send back; a refusal (e.g. it does not reconcile) comes back as a message."""

    model = TargetSet
    permission = SalesPerm.VIEW_TARGETSET  # the service checks the right to the move
    success_url = "sales:target_editor"
    moves = {
        "submit": (services.target_set_submit, gettext_lazy("Targets submitted for approval.")),
        "approve": (services.target_set_approve, gettext_lazy("Targets approved and locked.")),
        "return": (services.target_set_return, gettext_lazy("Targets sent back to draft.")),
    }

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"target_set": self.object}


class TargetNodeDetailView(ScopedDetailView):
    """One node's months and its own history (who changed it, why)."""

    model = TargetNode
    permission = SalesPerm.VIEW_TARGETNODE
    template_name = "sales/target_node_detail.html"
    context_object_name = "node"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("target_set", "department", "person", "parent")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        cells = list(zip(range(1, 13), self.object.months, strict=True))
        return super().get_context_data(cells=cells, month_fields=MONTH_FIELDS, **kwargs)
