"""The HTTP API (django-ninja), version 1, under /api/v1/."""
