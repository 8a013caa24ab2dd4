"""With accounts on: who is asking, and whose journal the request may touch.

Until the first account exists this costs one cached check per request and changes nothing.
Once on, every page and API route serves the signed-in account's own person: `request.person`
is that person (or None for a clinician or admin, whose journal routes then answer 404), set
here and only here, so web and API share one owner-scoped path.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from mitra.accounts import services as accounts
from mitra.api.problems import problem

# Pages anyone may open: signing in, crisis help, static files, the API's description, and the
# reminders feed (its unguessable token is its key: a calendar app cannot sign in).
OPEN_PREFIXES = (
    "/login",
    "/static/",
    "/crisis",
    "/api/v1/openapi.json",
    "/reminders/",
    "/shared/",  # a share link: its token is the key, for a clinician without an account
    "/icons/",  # the app's icons (the manifest's and the home screen's)
)
# The installable app's own files, the same for everyone and holding nothing of any journal:
# the sign-in page links the manifest and registers the service worker, and a browser fetches
# them without a session (behind a redirect to /login the worker and the manifest break). The
# offline page is the worker's fallback, kept when it installs, signed in or not.
OPEN_PATHS = frozenset({"/sw.js", "/manifest.webmanifest", "/offline"})
# Pages for a signed-in user who has yet to give their second factor.
SECOND_FACTOR_PREFIXES = ("/account/two-factor", "/logout")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# A session's idle clock is moved on at most this often (one session write a minute, not one
# per request).
TOUCH_EVERY_SECONDS = 60
SESSION_GENERATION = "mitra_generation"
SESSION_SEEN = "mitra_seen"


class AccountMiddleware:
    """Sign-in, second factor, idle expiry and API tokens, when accounts are on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not accounts.accounts_on():
            return self.get_response(request)
        request.accounts_on = True  # type: ignore[attr-defined]
        request.person = None  # type: ignore[attr-defined]
        if request.path.startswith("/api/"):
            return self._api(request)
        return self._page(request)

    # --- pages --------------------------------------------------------------------------------

    def _page(self, request: HttpRequest) -> HttpResponse:
        account = self._session_account(request)
        if request.path in OPEN_PATHS or request.path.startswith(OPEN_PREFIXES):
            if account is not None and _verified(request, account):
                request.person = account.person  # type: ignore[attr-defined]
            return self.get_response(request)
        if account is None:
            return _to_login(request)
        if not _verified(request, account):
            if request.path.startswith(SECOND_FACTOR_PREFIXES):
                return self.get_response(request)
            return redirect("two_factor")
        request.person = account.person  # type: ignore[attr-defined]
        request.account = account  # type: ignore[attr-defined]
        if account.person is None and not request.path.startswith(("/account", "/logout")):
            # A clinician or admin has no journal: every journal page is not found for them.
            if request.path == "/":
                return redirect("shared_with_me" if account.role == "clinician" else "research")
            raise Http404("This account has no journal of its own.")
        return self.get_response(request)

    def _session_account(self, request: HttpRequest) -> Any:
        """The signed-in account, or None; a session from before "log out everywhere" ends."""
        account = accounts.account_of(request.user)
        if account is None:
            return None
        if request.session.get(SESSION_GENERATION) != account.session_generation:
            logout(request)
            return None
        now = int(time.time())
        if now - int(request.session.get(SESSION_SEEN, 0)) > TOUCH_EVERY_SECONDS:
            # Saving the session moves its expiry on: sessions end after idle time, not at a
            # fixed age.
            request.session[SESSION_SEEN] = now
            request.session.set_expiry(accounts.idle_seconds(account))
        return account

    # --- API ----------------------------------------------------------------------------------

    def _api(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if header:
            return self._api_token(request, header)
        if request.path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        account = self._session_account(request)
        if account is None or not _verified(request, account):
            return _unauthorised()
        if request.method not in SAFE_METHODS:
            # The browser's session writes with the CSRF token, as its forms do.
            refused = self.csrf.process_view(request, _checked_view, (), {})
            if refused is not None:
                return problem(403, "The CSRF token is missing or wrong; reload the page.")
        request.person = account.person  # type: ignore[attr-defined]
        return self.get_response(request)

    def _api_token(self, request: HttpRequest, header: str) -> HttpResponse:
        scheme, _, raw = header.partition(" ")
        found = accounts.token_account(raw.strip()) if scheme.lower() == "bearer" else None
        if found is None:
            return _unauthorised("The token is not valid (revoked, mistyped or unknown).")
        account, scope = found
        if scope == "read" and request.method not in SAFE_METHODS:
            return problem(403, "This token may only read; make a read-write token to write.")
        request.user = account.user
        request.person = account.person  # type: ignore[attr-defined]
        return self.get_response(request)


def _checked_view(request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
    raise AssertionError


def _verified(request: HttpRequest, account: Any) -> bool:
    """The session has the second factor the account needs (if it needs one)."""
    if request.user.is_verified():  # type: ignore[union-attr]
        return True
    return not accounts.needs_two_factor(account)


def _to_login(request: HttpRequest) -> HttpResponse:
    target = request.get_full_path()
    query = ""
    if target != "/" and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        query = "?" + urlencode({"next": target})
    return redirect(reverse("login") + query)


def _unauthorised(
    detail: str = "Sign in, or send a token as Authorization: Bearer.",
) -> HttpResponse:
    answer = problem(401, detail)
    answer["WWW-Authenticate"] = 'Bearer realm="mitra"'
    return answer
