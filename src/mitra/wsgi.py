"""WSGI entry point for `mitra serve` and any WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitra.settings")
application = get_wsgi_application()
