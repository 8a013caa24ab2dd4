"""Passkeys (WebAuthn) as a second factor: the relying party is the address the browser used.

mitra answers on loopback, on the names given to `mitra serve --host` (ALLOWED_HOSTS) and behind
an HTTPS proxy; a passkey is bound to one of them. The request's host has been checked against
ALLOWED_HOSTS before any view runs, and the browser signs the origin it really is on, so taking
the relying party from the request accepts exactly the origins mitra answers to (the trust
Django's CSRF check already places in the same host).
"""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest
from django_otp_webauthn.helpers import WebAuthnHelper

__all__ = ["RequestRelyingParty", "by_name", "relying_party_id"]


def relying_party_id(request: HttpRequest) -> str:
    """The host the browser asked for, without its port (OTP_WEBAUTHN_RP_ID_CALLABLE)."""
    host = request.get_host()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if ":" in host else host


def by_name(request: HttpRequest) -> bool:
    """The page was opened by a name (localhost, a domain), not an IP address: browsers bind
    passkeys to a domain and refuse them on an address such as 127.0.0.1."""
    try:
        ipaddress.ip_address(relying_party_id(request))
    except ValueError:
        return True
    return False


class RequestRelyingParty(WebAuthnHelper):  # type: ignore[misc]
    """django-otp-webauthn's ceremonies, expecting the origin of this request."""

    def get_allowed_origins(self) -> list[str]:
        # The scheme is https behind --behind-proxy (SECURE_PROXY_SSL_HEADER), else http on
        # loopback, where browsers allow WebAuthn as a secure context.
        return [f"{self.request.scheme}://{self.request.get_host()}"]
