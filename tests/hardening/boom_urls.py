"""mitra's URLs plus a page and an API route that fail, to see the 500 answers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from mitra.web import urls


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("boom", boom), path("api/boom", boom), *urls.urlpatterns]
handler400 = urls.handler400
handler403 = urls.handler403
handler404 = urls.handler404
handler500 = urls.handler500
