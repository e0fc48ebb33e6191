"""Public support pages (/support/): customers open a ticket without an account and follow it by a private link.

No page here needs a login. Every page is ``noindex``, leaks no referrer and is not cached; the status pages answer
a wrong link with a 404 page in the visitor's language. Form posts are rate-limited per client address.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.service.choices import TicketStatus
from apps.service.forms.public import HONEYPOT_FIELD, PublicMessageForm, PublicReopenForm, PublicTicketForm
from apps.service.models import Ticket
from apps.service.services import public as services

MESSAGE_SENT = _("Your message was sent. We will get back to you soon.")
CONFIRMED = _("Thank you for confirming. The ticket is closed.")
REOPENED = _("Sorry it is not resolved yet. We are working on it again.")


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or — behind ``TRUSTED_PROXY_COUNT`` reverse proxies — the address
    the outermost trusted proxy put into X-Forwarded-For (entries further left are the client's to forge)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(chain) >= proxies:
            candidate = chain[-proxies]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return remote


def _private(response: HttpResponse) -> HttpResponse:
    """Headers of every public page: not indexed, not cached by anyone, no referrer beyond this site."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store, private"
    return response


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return _private(render(request, f"service/{template}", context, status=status))


def _too_many(request: HttpRequest, retry_after: int, unavailable: bool = False) -> HttpResponse:
    """429 when the visitor's address used up its posts; 503 (a friendly page, nothing stored) when the limiter
    cannot count because its cache is down."""
    minutes = max(1, (retry_after + 59) // 60)
    if unavailable:
        response = _page(request, "public_unavailable.html", {"minutes": minutes}, status=503)
    else:
        response = _page(request, "public_rate_limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _not_found(request: HttpRequest) -> HttpResponse:
    return _page(request, "public_not_found.html", {}, status=404)


@require_http_methods(["GET", "POST"])
def ticket_new_view(request: HttpRequest) -> HttpResponse:
    """The public ticket form. A filled honeypot is answered as if all went well, and nothing is stored."""
    ip = client_ip(request)
    limited = services.rate_limit_peek(action="ticket", ip=ip)
    if not limited.allowed:
        return _too_many(request, limited.retry_after, limited.unavailable)
    form = PublicTicketForm(request.POST or None)
    if request.method == "POST":
        if form.is_robot:
            services.rate_limit_consume(action="ticket", ip=ip)
            return _page(request, "public_submitted.html", {"ticket": None})
        if form.is_valid():
            decision = services.rate_limit_consume(action="ticket", ip=ip)
            if not decision.allowed:
                return _too_many(request, decision.retry_after, decision.unavailable)
            ticket = services.ticket_submit_public(data=form.cleaned_data, ip=ip)
            return _private(redirect("support:ticket_submitted", token=ticket.public_token))
    return _page(request, "public_ticket_form.html", {"form": form, "honeypot": HONEYPOT_FIELD})


def _status_url(request: HttpRequest, ticket: Ticket) -> str:
    return request.build_absolute_uri(reverse("support:ticket_status", args=[ticket.public_token]))


def _masked(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else ""


@require_http_methods(["GET"])
def ticket_submitted_view(request: HttpRequest, token: str) -> HttpResponse:
    """After the form: the ticket number and the private status link to keep."""
    ticket = services.public_ticket_get(token=token)
    if ticket is None:
        return _not_found(request)
    return _page(
        request,
        "public_submitted.html",
        {
            "ticket": ticket,
            "status_url": _status_url(request, ticket),
            "masked_mobile": _masked(ticket.requester_mobile),
        },
    )


def _status_context(request: HttpRequest, ticket: Ticket, **forms: Any) -> dict[str, Any]:
    survey_token = services.public_survey_token(ticket)
    return {
        "ticket": ticket,
        "status_label": services.public_status_label(ticket),
        "status_tone": services.PUBLIC_STATUS_TONES.get(ticket.status, "secondary"),
        "events": services.public_events(ticket),
        "status_url": _status_url(request, ticket),
        "survey_url": reverse("survey_answer:answer", args=[survey_token]) if survey_token else "",
        "can_write": services.public_can_write(ticket),
        "is_resolved": ticket.status == TicketStatus.RESOLVED,
        "message_form": forms.get("message_form") or PublicMessageForm(),
        "reopen_form": forms.get("reopen_form") or PublicReopenForm(),
        "show_reopen": bool(forms.get("reopen_form")),
    }


@require_http_methods(["GET"])
def ticket_status_view(request: HttpRequest, token: str) -> HttpResponse:
    """The private status page: the public part of the ticket and what the customer can do with it."""
    ticket = services.public_ticket_get(token=token)
    if ticket is None:
        return _not_found(request)
    return _page(request, "public_status.html", _status_context(request, ticket))


def _post_action(
    request: HttpRequest, token: str, form_class: Any, action: Any, done: Any, form_key: str
) -> HttpResponse:
    ticket = services.public_ticket_get(token=token)
    if ticket is None:
        return _not_found(request)
    ip = client_ip(request)
    limited = services.rate_limit_peek(action="message", ip=ip)
    if not limited.allowed:
        return _too_many(request, limited.retry_after, limited.unavailable)
    form = form_class(request.POST) if form_class is not None else None
    if form is not None and not form.is_valid():
        return _page(request, "public_status.html", _status_context(request, ticket, **{form_key: form}))
    decision = services.rate_limit_consume(action="message", ip=ip)
    if not decision.allowed:
        return _too_many(request, decision.retry_after, decision.unavailable)
    try:
        action(ticket=ticket, **({"body": form.cleaned_data["body"]} if form is not None else {}))
    except services.PublicActionRefused as refused:
        messages.warning(request, refused.message)
    else:
        messages.success(request, done)
    return _private(redirect("support:ticket_status", token=ticket.public_token))


@require_POST
def ticket_message_view(request: HttpRequest, token: str) -> HttpResponse:
    return _post_action(request, token, PublicMessageForm, services.public_message, MESSAGE_SENT, "message_form")


@require_POST
def ticket_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    return _post_action(request, token, None, services.public_confirm, CONFIRMED, "")


@require_POST
def ticket_reopen_view(request: HttpRequest, token: str) -> HttpResponse:
    return _post_action(request, token, PublicReopenForm, services.public_reopen, REOPENED, "reopen_form")
