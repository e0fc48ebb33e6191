"""Policy pages: questions about an article and their interpretations (asked, answered, published, declined)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy

from apps.core.history import history_entries
from apps.core.views import ScopedActionView, ScopedCreateView, ScopedDetailView, ScopedListView
from apps.policy import selectors, services
from apps.policy.choices import (
    InterpretationStatus,
)
from apps.policy.forms.ack import (
    InterpretationAnswerForm,
    InterpretationAskForm,
    InterpretationDeclineForm,
)
from apps.policy.models import Interpretation
from apps.policy.permissions import AckPerm


class InterpretationVisibleMixin:
    """Interpretations have no department scope: the published ones for everyone, one's own questions, all for
    those who answer (``selectors.interpretation_list``)."""

    request: HttpRequest

    def get_queryset(self) -> Any:
        return selectors.interpretation_list(user=self.request.user)


class InterpretationListView(InterpretationVisibleMixin, ScopedListView):
    model = Interpretation
    permission = AckPerm.VIEW_INTERPRETATION
    template_name = "policy/interpretation_list.html"
    search_fields = ("question", "answer")
    sort_fields = ("created_at", "status", "article__number")
    default_sort = "-created_at"

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        status = self.request.GET.get("status", "")
        if status in InterpretationStatus.values:
            qs = qs.filter(status=status)
        term = self.request.GET.get("q", "").strip()
        if term:
            from django.db.models import Q

            qs = qs.filter(Q(question__icontains=term) | Q(answer__icontains=term))
        return qs.order_by(self.current_sort(), "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(statuses=InterpretationStatus.choices, status=self.request.GET.get("status", ""))
        return context


class InterpretationDetailView(InterpretationVisibleMixin, ScopedDetailView):
    model = Interpretation
    permission = AckPerm.VIEW_INTERPRETATION
    template_name = "policy/interpretation_detail.html"
    context_object_name = "item"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            moves=services.interpretation_allowed(self.request.user, self.object),
            answer_form=InterpretationAnswerForm(initial={"answer": self.object.answer}),
            decline_form=InterpretationDeclineForm(),
            history=history_entries(self.object),
        )
        return context


class InterpretationAskView(ScopedCreateView):
    """Any employee asks a question about an article of the version in force (``?article=<number>`` preselects)."""

    model = Interpretation
    permission = AckPerm.ASK_INTERPRETATION
    form_class = InterpretationAskForm
    template_name = "policy/interpretation_form.html"
    service = services.interpretation_ask
    success_message = gettext_lazy("Your question is sent to the leadership group.")
    success_url = "policy:interpretation_detail"

    def get_object(self) -> None:
        try:
            self.version = selectors.policy_in_force()
        except selectors.NoPolicyInForce as exc:
            raise Http404 from exc

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "articles": selectors.article_choices(self.version)}

    def get_initial(self) -> dict[str, Any]:
        number = self.request.GET.get("article", "")
        if number.isdigit():
            article = self.version.articles.filter(number=number).first()
            if article is not None:
                return {"article": article.pk}
        return {}


class InterpretationMoveView(InterpretationVisibleMixin, ScopedActionView):
    model = Interpretation
    permission = AckPerm.ANSWER_INTERPRETATION
    success_url = "policy:interpretation_detail"

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"interpretation": self.object, **data}


class InterpretationAnswerView(InterpretationMoveView):
    form_class = InterpretationAnswerForm
    service = services.interpretation_answer
    success_message = gettext_lazy("The answer is saved; publish it to show it to everyone.")


class InterpretationPublishView(InterpretationMoveView):
    service = services.interpretation_publish
    success_message = gettext_lazy("The interpretation is published beside the article.")


class InterpretationDeclineView(InterpretationMoveView):
    form_class = InterpretationDeclineForm
    service = services.interpretation_decline
    success_message = gettext_lazy("The question is declined; the asker is told why.")
