"""Error answers: mitra's own page (with navigation and the crisis link), or a problem under /api/.

None of these handlers reads the request body: a body Django could not parse (a form sent as
latin-1, say) raises again on every read, and Django's default handlers re-read it through the
CSRF check, which turned a 400 into a text/plain 500.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.html import escape

from mitra.api.problems import problem

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def _answer(request: HttpRequest, status: int, detail: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return problem(status, detail)
    context = {"status": status, "title": HTTPStatus(status).phrase, "detail": detail}
    html: str
    try:
        html = render_to_string("web/error.html", context, request=request)
    except Exception:
        # The page's context reads the journal; when the journal itself is failing, a bare page
        # that still leads to crisis help is better than a second error.
        logger.exception("the error page could not be rendered")
        html = (
            f"<!doctype html><html lang='en'><title>{status} · mitra</title>"
            f"<main><h1>{escape(context['title'])}</h1><p>{escape(detail)}</p>"
            "<p><a href='/crisis'>Crisis help</a> · <a href='/'>Today</a></p></main></html>"
        )
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: the request could not be read (Django's own reason when it gives a plain one)."""
    detail = "The request could not be read."
    if type(exception) is BadRequest and str(exception):
        detail = f"{detail} {exception}"
    return _answer(request, 400, detail)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403: the request is not allowed."""
    return _answer(request, 403, "This request is not allowed.")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 from the CSRF check: the form is stale or came from another site."""
    return _answer(
        request,
        403,
        "This form could not be accepted because it was sent from an old page or another "
        "site. Reload the page and send it again.",
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: nothing lives at this address."""
    return _answer(request, 404, "There is nothing at this address.")


def server_error(request: HttpRequest) -> HttpResponse:
    """500: mitra failed; what was already saved is kept."""
    return _answer(
        request,
        500,
        "Something went wrong inside mitra. Entries saved before this are kept; "
        "the last change may not have been saved, so please check it.",
    )
