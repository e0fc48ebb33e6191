"""The duplicate check (查重) while typing on the customer form: an HTMX endpoint that answers the hits for the
typed name, USCC and mobile, so the user sees a duplicate before saving.

Like the check on save, it searches the whole archive (the user's customers, other people's and the public pool)
and shows only what a duplicate warning may show: the customer's name, what matched and who owns it
(CONVENTIONS-CN row 12). Only people who may create or edit customers may ask; a customer left out of the check
(the one being edited) must be one the user may change.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.customers.models import Customer
from apps.customers.selectors.dedupe import find_duplicates


def _excluded(user: object, raw: str) -> int | None:
    """The customer being edited, when the user may change it (else nothing is left out of the check)."""
    if not raw.isdigit():
        return None
    return Customer.objects.visible_to(user, "change").filter(pk=int(raw)).values_list("pk", flat=True).first()


@login_required
@require_GET
def duplicate_check_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.has_perm("customers.add_customer") or user.has_perm("customers.change_customer")):
        raise PermissionDenied
    query = request.GET
    mobile = query.get("contact_mobile", "")[:20]
    hits = find_duplicates(
        name=query.get("name", "")[:200],
        uscc=query.get("uscc", "")[:18] or None,
        mobiles=[mobile] if mobile else [],
        exclude_pk=_excluded(user, query.get("exclude", "")),
    )
    return render(request, "customers/duplicate_hits.html", {"hits": hits})
