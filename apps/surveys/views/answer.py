"""The public answer page of a one-time link (/s/<token>/): no account, Chinese by default (``?lang=en`` for
English), nothing of the company's internal data beyond the customer's name and the questionnaire.

A forged token answers a 404 page, an expired / closed / answered link a clear page of its own; none records
anything. The POST goes through ``services.answers.response_submit`` (one transaction, locked invitation)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from apps.surveys.choices import QuestionKind
from apps.surveys.models import SurveyInvitation
from apps.surveys.services.answers import AnswersInvalid, LinkRefused, link_state, response_submit

PUBLIC_LANGUAGES = {"zh": "zh-hans", "en": "en"}
REFUSED_STATUS = {"answered": 409, "expired": 410, "closed": 410}


def _language(request: HttpRequest) -> str:
    return PUBLIC_LANGUAGES.get(request.GET.get("lang") or request.POST.get("lang") or "zh", "zh-hans")


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _raw_answers(request: HttpRequest) -> dict[int, Any]:
    """POST fields q<question id> → the raw answers (a list where several values came, i.e. multiple choice)."""
    raw: dict[int, Any] = {}
    for key in request.POST:
        if key.startswith("q") and key[1:].isdigit():
            values = request.POST.getlist(key)
            raw[int(key[1:])] = values if len(values) > 1 else values[0]
    return raw


def _question_rows(questions: list[Any], english: bool, raw: dict[int, Any], errors: dict[int, str]) -> list[dict]:
    rows = []
    for number, question in enumerate(questions, start=1):
        value = raw.get(question.pk)
        if question.kind == QuestionKind.MULTIPLE and value is not None and not isinstance(value, list):
            value = [value]
        options = [
            {"index": i, "label": (o.get("en") or o.get("zh")) if english else (o.get("zh") or o.get("en"))}
            for i, o in enumerate(question.options or [])
        ]
        if question.kind == QuestionKind.RATING:
            scale = list(range(1, 6))
        elif question.kind == QuestionKind.NPS:
            scale = list(range(0, 11))
        else:
            scale = []
        rows.append(
            {
                "question": question,
                "number": number,
                "kind": question.kind,
                "text": (question.text_en or question.text) if english else question.text,
                "options": options,
                "scale": scale,
                "error": errors.get(question.pk, ""),
                "value": "" if value is None or isinstance(value, list) else str(value),
                "values": [str(v) for v in value] if isinstance(value, list) else [],
            }
        )
    return rows


def _render(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The token never leaves in a Referer ("no-referrer" would make the browser send Origin: null and fail CSRF).
    response["Referrer-Policy"] = "same-origin"
    return response


def _base_context(request: HttpRequest, lang: str, token: str = "") -> dict:
    path = request.path
    return {
        "lang": "en" if lang == "en" else "zh",
        "switch_zh": f"{path}?lang=zh",
        "switch_en": f"{path}?lang=en",
        "token": token,
    }


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def answer_view(request: HttpRequest, token: str) -> HttpResponse:
    lang = _language(request)
    with translation.override(lang):
        context = _base_context(request, lang, token)
        errors: dict[int, str] = {}
        raw: dict[int, Any] = {}
        if request.method == "POST":
            # Straight to the service (one transaction, the invitation locked): nothing is read before it.
            raw = _raw_answers(request)
            try:
                response_submit(token=token, raw=raw, ip_address=_client_ip(request))
            except SurveyInvitation.DoesNotExist:
                return _render(request, "surveys/public/not_found.html", context, status=404)
            except LinkRefused as refused:
                context["state"] = refused.reason
                return _render(request, "surveys/public/refused.html", context, status=REFUSED_STATUS[refused.reason])
            except AnswersInvalid as invalid:
                errors = invalid.errors
            else:
                return redirect(reverse("survey_answer:thanks", args=[token]) + f"?lang={context['lang']}")
        invitation = (
            SurveyInvitation.objects.select_related("campaign__questionnaire", "customer").filter(token=token).first()
        )
        if invitation is None:
            return _render(request, "surveys/public/not_found.html", context, status=404)
        state = link_state(invitation)
        context["company"] = invitation.customer.name
        if state != "open":
            context["state"] = state
            return _render(request, "surveys/public/refused.html", context, status=REFUSED_STATUS[state])
        questionnaire = invitation.campaign.questionnaire
        questions = list(questionnaire.questions.order_by("order", "id"))
        english = lang == "en"
        context.update(
            {
                "questionnaire": questionnaire,
                "title": (questionnaire.title_en or questionnaire.title) if english else questionnaire.title,
                "intro": (questionnaire.intro_en or questionnaire.intro) if english else questionnaire.intro,
                "rows": _question_rows(questions, english, raw, errors),
                "error_count": len(errors),
                "expires_at": invitation.expires_at,
            }
        )
        return _render(request, "surveys/public/answer.html", context, status=400 if errors else 200)


@never_cache
def thanks_view(request: HttpRequest, token: str) -> HttpResponse:
    lang = _language(request)
    with translation.override(lang):
        context = _base_context(request, lang, token)
        invitation = SurveyInvitation.objects.select_related("customer").filter(token=token).first()
        if invitation is None:
            return _render(request, "surveys/public/not_found.html", context, status=404)
        if invitation.answered_at is None:
            return redirect(reverse("survey_answer:answer", args=[token]) + f"?lang={context['lang']}")
        context["company"] = invitation.customer.name
        return _render(request, "surveys/public/thanks.html", context)
