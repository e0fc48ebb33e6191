"""The tabs of the customer-service area, shared by service and surveys pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()

# key, label, icon, url name, permission
TABS = (
    ("dashboard", _("Service dashboard"), "bi-speedometer2", "service:dashboard", "service.view_ticket"),
    ("tickets", _("Tickets"), "bi-ticket-detailed", "service:ticket_list", "service.view_ticket"),
    ("feedback", _("Customer feedback"), "bi-chat-square-quote", "service:feedback_list", "service.view_feedback"),
    ("routings", _("Feedback to my department"), "bi-inbox", "service:routing_list", "service.view_feedbackrouting"),
    ("contacts", _("Customer care"), "bi-telephone-outbound", "service:due_contact_list", "service.view_duecontact"),
    (
        "surveys",
        _("Satisfaction surveys"),
        "bi-clipboard2-check",
        "surveys:campaign_list",
        "surveys.view_surveycampaign",
    ),
)


@register.inclusion_tag("service/tabs.html", takes_context=True)
def service_tabs(context: Any, active: str = "") -> dict[str, Any]:
    """Render the area's tabs; a tab whose page does not exist (yet) or is not permitted is left out."""
    user = context.get("user")
    tabs = []
    for key, label, icon, url_name, permission in TABS:
        if not (user and user.has_perm(permission)):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        tabs.append({"key": key, "label": label, "icon": icon, "url": url, "active": key == active})
    return {"tabs": tabs}


@register.simple_tag
def service_url(name: str, *args: Any) -> str:
    """``reverse`` that answers "" for a page that does not exist, so pages can link to each other's areas."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""
