"""Signing in and out, the second factor, the Security page and API tokens."""

from __future__ import annotations

import time
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware import csrf
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import JavaScriptCatalog
from django_otp import login as otp_login
from django_otp_webauthn import views as webauthn

from mitra import wording
from mitra.accounts import services as accounts
from mitra.accounts.passkeys import by_name
from mitra.journal.errors import EntryInvalid, NotFound

from .account_middleware import SESSION_GENERATION, SESSION_SEEN
from .form_words import InMitrasWords

CODE_HELP = "The 6 digits your authenticator app shows for mitra."


class LoginForm(InMitrasWords, AuthenticationForm):
    """Django's sign-in form (django-axes counts its failures), with mitra's words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Account name"
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["password"].widget.attrs.update(autocomplete="current-password")

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError as exc:
            # Beside the password: the field to try again (the name may well be right).
            self.add_error("password", exc)
            return self.cleaned_data

    def get_invalid_login_error(self) -> ValidationError:
        return ValidationError(
            "The account name or password is not right. Names and passwords are case-sensitive.",
            code="invalid_login",
        )


class CodeForm(InMitrasWords, forms.Form):
    code = forms.CharField(
        label="Code from your app",
        max_length=12,
        help_text=CODE_HELP,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


class TokenForm(InMitrasWords, forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=accounts.TOKEN_NAME_MAX,
        help_text="What will use it, for example: phone shortcut.",
    )
    scope = forms.ChoiceField(
        label="It may",
        choices=[("read", "Read my journal"), ("read-write", "Read and write my journal")],
        initial="read",
        widget=forms.RadioSelect,
        error_messages=dict.fromkeys(
            ("required", "invalid_choice"),
            "Choose what it may do: read your journal, or read and write it.",
        ),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _show(form: forms.Form, exc: EntryInvalid) -> None:
    for field, message in exc.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        form.add_error(field if field in form.fields else None, f"{label} {message}.".strip())


@require_http_methods(["GET", "HEAD", "POST"])
def login_page(request: HttpRequest) -> HttpResponse:
    """The sign-in page; with no accounts there is nothing to sign in to."""
    if not accounts.accounts_on():
        return redirect("today")
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        account = accounts.account_of(user)
        if account is None:  # a user made outside mitra has no role and no journal
            form.add_error("username", "This name has no mitra account.")
        else:
            auth_login(request, user)
            request.session[SESSION_GENERATION] = account.session_generation
            request.session[SESSION_SEEN] = int(time.time())
            request.session.set_expiry(accounts.idle_seconds(account))
            if accounts.needs_two_factor(account):
                return redirect(reverse("two_factor") + "?" + urlencode({"next": _next(request)}))
            return redirect(_next(request))
    status = 400 if form.is_bound else 200
    return render(request, "web/login.html", {"form": form, "next": _next(request)}, status=status)


def locked_out(request: HttpRequest, response: Any = None, credentials: Any = None) -> HttpResponse:
    """django-axes' answer to a name and address with too many failures: the sign-in page."""
    form = LoginForm(request, data=request.POST or None)
    form.errors.clear()
    form.add_error(
        "password",
        "Too many failed attempts from here for this name: wait 15 minutes and try again.",
    )
    return render(request, "web/login.html", {"form": form, "next": _next(request)}, status=429)


# Signing out also empties what this browser kept for offline use (the service worker's copies
# of Today and the entries queued on the phone): on a shared device nothing of the journal stays.
SIGNED_OUT_CLEARS = '"cache", "storage"'


def _signed_out() -> HttpResponse:
    response = redirect("login")
    response["Clear-Site-Data"] = SIGNED_OUT_CLEARS
    return response


@require_POST
def logout_page(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    return _signed_out()


@require_http_methods(["GET", "HEAD", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Give the second factor; enrol an authenticator app first if there is none."""
    user = request.user
    if not getattr(request, "accounts_on", False) or not user.is_authenticated:
        raise Http404
    enrolled = accounts.two_factor_on(user)
    if enrolled and user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next(request))
    passkeys = accounts.list_passkeys(user) if enrolled else []
    form = CodeForm(request.POST or None)
    device = None if enrolled else accounts.start_totp(user)
    if request.method == "POST" and form.is_valid():
        try:
            if enrolled:
                found = accounts.verify_totp(user, form.cleaned_data["code"])
            else:
                found = accounts.confirm_totp(user, form.cleaned_data["code"])
        except EntryInvalid as exc:
            _show(form, exc)
        else:
            otp_login(request, found)
            if not enrolled:
                messages.success(request, "Two-factor sign-in is on for your account.")
            return redirect(_next(request))
    context: dict[str, Any] = {
        "form": form,
        "next": _next(request),
        "enrolled": enrolled,
        "totp": not enrolled or accounts.totp_on(user),
        "passkeys": bool(passkeys),
        **_passkey_context(request),
    }
    if device is not None:
        context |= _enrolment(device)
    return render(request, "web/two_factor.html", context, status=400 if form.errors else 200)


def _enrolment(device: Any) -> dict[str, str]:
    """What the steps of adding an authenticator app show: its QR code and its key."""
    return {
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(
            scale=5, title="QR code for your authenticator app", omitsize=True
        ),
        "secret": _grouped(device.config_url),
    }


@require_http_methods(["GET", "HEAD", "POST"])
def authenticator_app(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app to an account whose second factor so far is a passkey (one with
    no second factor sets it up on the two-factor page; this session must have given its own)."""
    user = request.user
    if not getattr(request, "accounts_on", False) or not user.is_authenticated:
        raise Http404
    if not accounts.two_factor_on(user):  # setting up a first factor is the two-factor page's
        return redirect("two_factor")
    if not user.is_verified():  # type: ignore[attr-defined]
        return redirect(f"{reverse('two_factor')}?{urlencode({'next': request.path})}")
    if accounts.totp_on(user):
        messages.info(request, "Your authenticator app is already on.")
        return redirect("security")
    form = CodeForm(request.POST or None)
    device = accounts.start_totp(user)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.confirm_totp(user, form.cleaned_data["code"])
        except EntryInvalid as exc:
            _show(form, exc)
        else:
            messages.success(
                request, "Authenticator app added: you can sign in with its code or your passkey."
            )
            return redirect("security")
    return render(
        request,
        "web/authenticator_app.html",
        {"form": form, **_enrolment(device)},
        status=400 if form.errors else 200,
    )


def _passkey_context(request: HttpRequest) -> dict[str, Any]:
    """What a page with a passkey button needs: whether passkeys work at this address, and the
    configuration django-otp-webauthn's script reads (a JSON block, not an inline script)."""
    return {
        "passkeys_by_name": by_name(request),
        "passkey_config": {
            "csrfToken": csrf.get_token(request),
            "beginRegistrationUrl": reverse("passkey_register_begin"),
            "completeRegistrationUrl": reverse("passkey_register_complete"),
            "beginAuthenticationUrl": reverse("passkey_verify_begin"),
            "completeAuthenticationUrl": reverse("passkey_verify_complete"),
            "autocompleteLoginFieldSelector": None,  # no passwordless sign-in
            "nextFieldSelector": "input[name='next']",
        },
    }


# django-otp-webauthn's ceremonies as they are: registering needs a signed-in user, and one who
# already has a second factor must have given it in this session; verifying takes the
# signed-in user's own passkeys only (OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN is off).
passkey_register_begin = webauthn.BeginCredentialRegistrationView.as_view()
_register_complete = webauthn.CompleteCredentialRegistrationView.as_view()


def passkey_register_complete(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """The package's last step of making a passkey; once one is made, an authenticator app
    whose setup was begun and never finished is dropped (its key was shown to a session that
    had given only the password, and adding an app later starts with a new key)."""
    response: HttpResponse = _register_complete(request, *args, **kwargs)
    if response.status_code < 300 and request.user.is_authenticated:
        accounts.drop_unfinished_totp(request.user)
    return response


passkey_verify_begin = webauthn.BeginCredentialAuthenticationView.as_view()
passkey_verify_complete = webauthn.CompleteCredentialAuthenticationView.as_view()
# The words of its script (gettext), from the package's own catalogue.
passkey_words = JavaScriptCatalog.as_view(packages=["django_otp_webauthn"])


def _grouped(config_url: str) -> str:
    """The base32 secret from an otpauth:// URL, in groups of four for typing by hand."""
    from urllib.parse import parse_qs, urlsplit

    secret = parse_qs(urlsplit(config_url).query)["secret"][0]
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _account(request: HttpRequest) -> Any:
    account = getattr(request, "account", None)
    if account is None:
        raise Http404
    return account


@require_http_methods(["GET", "HEAD"])
def security(request: HttpRequest) -> HttpResponse:
    """Who is signed in, their second factor, and ending every session."""
    account = _account(request)
    totp, passkeys = accounts.totp_on(account.user), accounts.list_passkeys(account.user)
    return render(
        request,
        "web/security.html",
        {
            "account": account,
            "two_factor": totp or bool(passkeys),  # as accounts.two_factor_on has it
            "totp": totp,
            "passkeys": passkeys,
            "idle_for": wording.span(accounts.idle_seconds(account) // 60),
            **_passkey_context(request),
        },
    )


@require_POST
def passkey_remove(request: HttpRequest, passkey_id: int) -> HttpResponse:
    try:
        accounts.remove_passkey(_account(request), passkey_id)
    except NotFound:
        raise Http404 from None
    except EntryInvalid as exc:
        messages.error(request, f"This passkey stays: it {exc.errors['passkey']}.")
    else:
        messages.success(request, "The passkey is removed: it no longer signs you in.")
    return redirect("security")


@require_POST
def log_out_everywhere(request: HttpRequest) -> HttpResponse:
    accounts.log_out_everywhere(_account(request))
    auth_logout(request)
    return _signed_out()


@require_http_methods(["GET", "HEAD", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """API tokens: make one (shown this once), see each one's last use, revoke."""
    account = _account(request)
    form = TokenForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        try:
            made = accounts.add_token(
                account, form.cleaned_data["name"], form.cleaned_data["scope"]
            )
        except EntryInvalid as exc:
            _show(form, exc)
        else:
            form = TokenForm()
    response = render(
        request,
        "web/tokens.html",
        {"form": form, "made": made, "tokens": accounts.list_tokens(account)},
        status=400 if form.errors else 200,
    )
    if made is not None:
        response["Cache-Control"] = "no-store"  # the secret is on this page only
    return response


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        accounts.revoke_token(_account(request), token_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, "The token is revoked: it no longer opens your journal.")
    return redirect("tokens")
