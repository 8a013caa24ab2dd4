"""The API's URLs under /api/v1/: its routes, then a problem for any other path."""

from __future__ import annotations

from django.urls import path

from .v1 import api, unknown_route

urlpatterns, app_name, _namespace = api.urls
urlpatterns = [*urlpatterns, path("<path:rest>", unknown_route)]

__all__ = ["app_name", "urlpatterns"]
