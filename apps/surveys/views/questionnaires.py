"""The questionnaire builder (问卷设计): list, create, edit (questions with Chinese and English text), preview."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from apps.core.views import add_service_errors
from apps.surveys.forms import QuestionFormSet, QuestionnaireForm, question_initial
from apps.surveys.models import Questionnaire
from apps.surveys.selectors.campaigns import questionnaire_list
from apps.surveys.services import questionnaires as services


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


@login_required
def questionnaire_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "surveys.view_questionnaire")
    return render(request, "surveys/questionnaire_list.html", {"questionnaires": questionnaire_list()})


@login_required
def questionnaire_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "surveys.view_questionnaire")
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    return render(request, "surveys/questionnaire_detail.html", {
        "questionnaire": questionnaire, "questions": questionnaire.questions.order_by("order", "id"),
        "answered": services.has_answers(questionnaire),
        "may_change": request.user.has_perm("surveys.change_questionnaire"),
    })


def _builder(request: HttpRequest, questionnaire: Questionnaire | None) -> HttpResponse:
    answered = questionnaire is not None and services.has_answers(questionnaire)
    if request.method == "POST":
        form = QuestionnaireForm(request.POST, instance=questionnaire)
        formset = QuestionFormSet(request.POST, prefix="questions")
        if form.is_valid() and formset.is_valid():
            data = {name: form.cleaned_data[name] for name in services.QUESTIONNAIRE_FIELDS}
            try:
                if questionnaire is None:
                    questionnaire = services.questionnaire_create(actor=request.user, data=data,
                                                                  questions=formset.questions())
                else:
                    services.questionnaire_update(actor=request.user, questionnaire=questionnaire, data=data,
                                                  questions=formset.questions())
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
        formset = QuestionFormSet(prefix="questions", initial=initial)
    return render(request, "surveys/questionnaire_form.html", {
        "form": form, "formset": formset, "questionnaire": questionnaire, "answered": answered,
    })


@login_required
def questionnaire_create_view(request: HttpRequest) -> HttpResponse:
    _require(request, "surveys.add_questionnaire")
    return _builder(request, None)


@login_required
def questionnaire_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "surveys.change_questionnaire")
    return _builder(request, get_object_or_404(Questionnaire, pk=pk))


