"""Django settings for a terminal command that works on the journal alone: mitra's settings
without the apps only the web server uses.

A check-in, a dose or Today from the terminal signs nobody in, keeps no browser session and
sends no page: passkeys (the webauthn library, its certificate parsing and cryptography), the
lock-out of repeated failed sign-ins, sessions, one-time messages, static files and the page
helpers are the web's. Importing them was about a fifth of such a command's start. The
commands that read or change accounts, delete them (their passkeys go with them), serve the web
or restore a database keep the whole settings: `mitra.launcher.JOURNAL_COMMANDS` names the
others.

A first run that creates the database here creates the journal's tables; the web's own tables
are made by the next command that uses the whole settings (`mitra serve`, `mitra user`, ...),
as every such command brings the schema up to date first.
"""

from __future__ import annotations

from mitra.settings import *  # noqa: F403  the same settings, one list narrowed
from mitra.settings import INSTALLED_APPS as _ALL_APPS

WEB_ONLY_APPS = frozenset(
    {
        "django_otp_webauthn",
        "axes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "django.contrib.staticfiles",
        "django_htmx",
        "csp",
    }
)
INSTALLED_APPS = [name for name in _ALL_APPS if name not in WEB_ONLY_APPS]
