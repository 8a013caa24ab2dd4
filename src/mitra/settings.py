"""Django settings, read from the environment and validated at start-up.

MITRA_DATA_DIR      folder for the SQLite database and secrets (default: the user data folder)
MITRA_DATABASE_URL  use this database instead of SQLite (for example postgres://user@host/db)
MITRA_DEBUG         "1" for development error pages (never on a shared machine)
MITRA_LOCALE        country code for crisis resources (default: the time zone's country)
MITRA_SECRET_KEY    the session-signing key; else read from MITRA_SECRET_KEY_FILE, else generated
                    once into the data folder
MITRA_BEHIND_PROXY  "1": trust X-Forwarded-Proto from the HTTPS proxy in front (--behind-proxy)
MITRA_ALLOWED_HOSTS comma-separated host names to answer to besides loopback (serve --host)
MITRA_IDLE_MINUTES_PERSON  minutes a person's session lives idle (default 7 days; clinicians 30)
MITRA_ENCRYPTION_KEY       store the SQLite database encrypted (SQLCipher 4) with this key: 64
                           hexadecimal digits (a raw 256-bit key) or a passphrase
MITRA_ENCRYPTION_KEY_FILE  the same key read from a file only its owner can read (0600)
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
import platformdirs
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from mitra.journal.sqlcipher.key import encryption_key


def envbool(name: str, default: bool = False) -> bool:
    """A boolean environment variable: 1/true/yes/on (any case) mean True."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(
    os.environ.get("MITRA_DATA_DIR") or platformdirs.user_data_dir("mitra")
).expanduser()

# The journal is health data: its folder is the owner's alone (0700) and every file mitra
# writes is owner-only (0600), whatever the umask of the shell that started it.
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


class DataDirUnusable(ImproperlyConfigured):
    """The data folder cannot be made or kept private: one line that names it and says why."""


def private_data_dir() -> Path:
    """The data folder, created if needed and made owner-only (also when an older mitra made it)."""
    try:
        DATA_DIR.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        if DATA_DIR.stat().st_mode & 0o777 != PRIVATE_DIR_MODE:
            DATA_DIR.chmod(PRIVATE_DIR_MODE)
    except OSError as exc:
        # Typically a folder owned by another user: its permissions cannot be tightened, and a
        # journal in a folder someone else controls would not be private anyway.
        raise DataDirUnusable(
            f"the data folder {DATA_DIR} cannot be made private to you "
            f"({exc.strerror or exc}); set MITRA_DATA_DIR to a folder you own"
        ) from None
    return DATA_DIR


def private_file(path: Path) -> Path:
    """Create `path` empty with owner-only permissions if it is missing; tighten it if it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE)
    try:
        # os.open's mode applies only when it creates the file: an existing one is tightened.
        os.fchmod(fd, PRIVATE_FILE_MODE)
    finally:
        os.close(fd)
    return path


def _secret_key() -> str:
    if key := os.environ.get("MITRA_SECRET_KEY"):
        return key
    if path := os.environ.get("MITRA_SECRET_KEY_FILE"):
        return Path(path).read_text(encoding="utf-8").strip()
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        private_data_dir()
        # Written with owner-only permissions: the key signs the session cookies.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("MITRA_DEBUG")
# The person's country (ISO 3166 code) for crisis resources; unset: the country of their time
# zone (before set-up, US).
MITRA_LOCALE = os.environ.get("MITRA_LOCALE", "").upper()
# The server binds to loopback until accounts exist (see `mitra serve`).
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "mitra.journal",
    "mitra.accounts",
    "mitra.web",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "axes",
]

MIDDLEWARE = [
    "mitra.web.middleware.HeadMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # /healthz for a load balancer, before sessions and the person: it reads nobody's data.
    "mitra.web.health.HealthMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mitra.web.account_middleware.AccountMiddleware",
    "mitra.web.middleware.FirstRunMiddleware",
    # Last: it turns a refused login (django-axes' lockout) into mitra's own login page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mitra.web.urls"
WSGI_APPLICATION = "mitra.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mitra.web.context.crisis",
                "mitra.web.context.alerts",
            ],
        },
    },
]


def _databases() -> dict[str, Any]:
    url = os.environ.get("MITRA_DATABASE_URL")
    if url:
        if not url.startswith(("postgres://", "postgresql://")):
            raise ImproperlyConfigured("MITRA_DATABASE_URL must be a postgres:// URL")
        return {"default": dj_database_url.parse(url, conn_max_age=60)}
    database = private_data_dir() / "mitra.sqlite3"
    # SQLite gives its -wal and -shm files the database file's permissions, so creating the
    # database owner-only here (before Django connects) keeps all three private; the side files
    # an older mitra left readable are tightened too.
    private_file(database)
    for side in ("-wal", "-shm", "-journal"):
        side_file = database.with_name(database.name + side)
        if side_file.exists():
            private_file(side_file)
    options: dict[str, Any] = {
        # WAL lets the web server read while the CLI writes; IMMEDIATE takes the write
        # lock at the start of a transaction, so two writers wait instead of failing.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    key = encryption_key()
    if key is None:
        engine = {"ENGINE": "django.db.backends.sqlite3", "NAME": database, "OPTIONS": options}
        return {"default": engine}
    return {
        "default": {
            # The same SQLite, every page encrypted with SQLCipher 4 (the -wal file too).
            "ENGINE": "mitra.journal.sqlcipher",
            "NAME": database,
            "OPTIONS": options | {"encryption_key": key},
            # A passphrase is stretched on every new connection (about half a second), so
            # connections stay open; a raw key costs nothing to apply.
            "CONN_MAX_AGE": 0 if re.fullmatch(r"[0-9a-fA-F]{64}", key) else None,
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Static files (our CSS, htmx from the django-htmx package) are served straight from the
# installed packages: no collectstatic step on a person's machine.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A refused form gets mitra's own page, which never re-reads the request body.
CSRF_FAILURE_VIEW = "mitra.web.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Every answer (pages, API, error pages) carries a strict Content-Security-Policy: script, style,
# images and requests from mitra's own origin only; no inline script or style, no frames, no
# plugins, forms post only here. Nothing is ever loaded from another origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "worker-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
    }
}
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING"}},
}
FORM_RENDERER = "django.forms.renderers.Jinja2"

# --- accounts (off until `mitra user add` makes the first one) --------------------------------
# Argon2id first: new and changed passwords are hashed with it; the others only read old hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # ASVS 5.0 (6.2.1): at least 8 characters; 12 asks a little more of a health record's key.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it counts every failed login in the database (shared by every worker and
# kept across restarts) and refuses a locked-out name from that address before checking it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours: a locked-out name and address may try again after 15 minutes
# Lock a name from one address: a stranger elsewhere cannot lock the owner out of their journal.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "mitra.web.account_views.locked_out"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "today"
OTP_TOTP_ISSUER = "mitra"
# Passkeys (WebAuthn) are a second factor, never the only one: the password comes first.
# Each passkey is bound to the name the browser opened mitra by (localhost, or a name given to
# `mitra serve --host`), taken from the request after ALLOWED_HOSTS has checked it, and each
# ceremony expects that same origin (mitra.accounts.passkeys). The package's check that a fixed
# list of origins is configured (otp_webauthn.E030) does not apply to a per-request origin.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_ID_CALLABLE = "mitra.accounts.passkeys.relying_party_id"
OTP_WEBAUTHN_RP_NAME = "mitra"
OTP_WEBAUTHN_HELPER_CLASS = "mitra.accounts.passkeys.RequestRelyingParty"
SILENCED_SYSTEM_CHECKS = ["otp_webauthn.E030"]
# A session ends after this many idle minutes, by role: clinicians and admins read other
# people's records, so 30 minutes (ASVS 7.3.1); a person on their own phone, 7 days.
ACCOUNT_IDLE_MINUTES = {
    "person": int(os.environ.get("MITRA_IDLE_MINUTES_PERSON", "10080")),
    "clinician": 30,
    "admin": 30,
}
SESSION_COOKIE_AGE = 7 * 24 * 60 * 60  # the longest idle time; each login sets its own
# `mitra serve --behind-proxy`: the proxy in front terminates HTTPS and says so in
# X-Forwarded-Proto; cookies are then sent over HTTPS only.
if envbool("MITRA_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# `mitra serve --host` beyond loopback (with accounts only) adds the names it answers to.
ALLOWED_HOSTS += [h for h in os.environ.get("MITRA_ALLOWED_HOSTS", "").split(",") if h.strip()]
