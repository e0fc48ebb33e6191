"""Error pages under DEBUG: `make run` answers a 404 with the project's page, not Django's list of every URL.

With DEBUG off Django itself renders ``templates/404.html``, ``403.html`` and ``500.html``. With DEBUG on it would
show its technical 404 page (the URL patterns of the whole site); this middleware, a no-op with DEBUG off, answers
a missing page or object with the same page users see in production. Tracebacks of real errors (500) still show
under DEBUG, which is what a developer needs.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, get_resolver
from django.views.defaults import page_not_found


class FriendlyNotFoundMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DEBUG:
            try:
                get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
            except Resolver404 as exc:
                return page_not_found(request, exc)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
