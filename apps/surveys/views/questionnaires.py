"""The questionnaire builder (问卷设计): list, create, edit (questions with Chinese and English text), preview."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from apps.core.views import ScopedDetailView, ScopedListView, add_service_errors
from apps.surveys.forms import BaseQuestionFormSet, QuestionFormSet, QuestionnaireForm, question_initial
from apps.surveys.models import Questionnaire
from apps.surveys.permissions import SurveyPerm
from apps.surveys.selectors.campaigns import questionnaire_list
from apps.surveys.services import questionnaires as services


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


class QuestionnaireListView(ScopedListView):
    """Every questionnaire with its question and campaign counts (questionnaires have no data scope)."""

    model = Questionnaire
    permission = SurveyPerm.VIEW_QUESTIONNAIRE
    template_name = "surveys/questionnaire_list.html"
    context_object_name = "questionnaires"

    def get_queryset(self) -> QuerySet:
        return questionnaire_list()

    def get_paginate_by(self, queryset: QuerySet) -> int | None:  # type: ignore[override]
        return None  # a handful of questionnaires, on one page


class QuestionnaireDetailView(ScopedDetailView):
    model = Questionnaire
    permission = SurveyPerm.VIEW_QUESTIONNAIRE
    template_name = "surveys/questionnaire_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        questionnaire = self.object
        return {
            "questionnaire": questionnaire,
            "questions": questionnaire.questions.order_by("order", "id"),
            "answered": services.has_answers(questionnaire),
            "may_change": self.request.user.has_perm(SurveyPerm.CHANGE_QUESTIONNAIRE),
        }


def _builder(request: HttpRequest, questionnaire: Questionnaire | None) -> HttpResponse:
    """The builder. Function views: a questionnaire form with a formset of its questions, which the generic form
    views (one form) do not cover."""
    answered = questionnaire is not None and services.has_answers(questionnaire)
    if request.method == "POST":
        form = QuestionnaireForm(request.POST, instance=questionnaire)
        formset = cast(BaseQuestionFormSet, QuestionFormSet(request.POST, prefix="questions"))
        if form.is_valid() and formset.is_valid():
            data = {name: form.cleaned_data[name] for name in services.QUESTIONNAIRE_FIELDS}
            try:
                if questionnaire is None:
                    questionnaire = services.questionnaire_create(
                        actor=request.user, data=data, questions=formset.questions()
                    )
                else:
                    services.questionnaire_update(
                        actor=request.user, questionnaire=questionnaire, data=data, questions=formset.questions()
                    )
            except ValidationError as error:
                add_service_errors(form, error)
                if questionnaire is not None and questionnaire.pk:
                    questionnaire.refresh_from_db()
            else:
                messages.success(request, _("Questionnaire saved."))
                return redirect("surveys:questionnaire_detail", pk=questionnaire.pk)
    else:
        form = QuestionnaireForm(instance=questionnaire)
        initial = question_initial(questionnaire) if questionnaire else [{"kind": "rating", "required": True}]
        formset = cast(BaseQuestionFormSet, QuestionFormSet(prefix="questions", initial=initial))
    return render(
        request,
        "surveys/questionnaire_form.html",
        {
            "form": form,
            "formset": formset,
            "questionnaire": questionnaire,
            "answered": answered,
        },
    )


@login_required
def questionnaire_create_view(request: HttpRequest) -> HttpResponse:
    _require(request, "surveys.add_questionnaire")
    return _builder(request, None)


@login_required
def questionnaire_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "surveys.change_questionnaire")
    return _builder(request, get_object_or_404(Questionnaire, pk=pk))
