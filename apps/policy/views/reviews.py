"""Policy pages: the periodic reviews of the policy (art. 15)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from apps.core.history import history_entries
from apps.core.views import ScopedCreateView, ScopedDetailView, ScopedListView
from apps.policy import selectors, services
from apps.policy.forms.ack import (
    PolicyReviewForm,
)
from apps.policy.models import PolicyReview
from apps.policy.permissions import AckPerm


class PolicyReviewListView(ScopedListView):
    """The reviews of the policy (art. 15) and the next review date of the version in force."""

    model = PolicyReview
    permission = AckPerm.VIEW_REVIEW
    template_name = "policy/review_list.html"
    sort_fields = ("reviewed_on",)
    default_sort = "-reviewed_on"

    def get_queryset(self) -> Any:
        return selectors.review_list(user=self.request.user).order_by(self.current_sort(), "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        try:
            context["in_force"] = selectors.policy_in_force()
        except selectors.NoPolicyInForce:
            context["in_force"] = None
        context["today"] = selectors.policy_today()
        return context


class PolicyReviewDetailView(ScopedDetailView):
    model = PolicyReview
    permission = AckPerm.VIEW_REVIEW
    template_name = "policy/review_detail.html"
    context_object_name = "review"

    def get_queryset(self) -> Any:
        return selectors.review_list(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["history"] = history_entries(self.object)
        return context


class PolicyReviewCreateView(ScopedCreateView):
    """Record the review of a version in force (the URL's ``pk`` is the version)."""

    model = PolicyReview
    permission = AckPerm.ADD_REVIEW
    form_class = PolicyReviewForm
    template_name = "policy/review_form.html"
    service = services.policy_review_record
    success_message = gettext_lazy("The review is recorded.")
    success_url = "policy:review_detail"

    def get_object(self) -> None:
        self.version = selectors.version_get(user=self.request.user, pk=self.kwargs["pk"])

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"version": self.version, **form.cleaned_data}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "version": self.version, "today": selectors.policy_today()}
