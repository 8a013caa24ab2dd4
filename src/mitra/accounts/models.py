"""An account is a Django user with a role; a person's account owns one journal."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from mitra.journal.models import Person

ROLES = ("person", "clinician", "admin")
TOKEN_SCOPES = ("read", "read-write")


class Account(models.Model):
    """The user's role and, for a person, their journal."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account"
    )
    role = models.CharField(max_length=20, choices=[(r, r) for r in ROLES])
    # PROTECT: deleting an account never deletes a journal by accident.
    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="account"
    )
    # Raised by "log out everywhere": a session signed in under an older generation is ended.
    session_generation = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.role})"


class ApiToken(models.Model):
    """A personal access token: only its SHA-256 digest is stored; the token is shown once."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100)
    # The first characters of the token, so its owner can tell tokens apart in a list.
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=10, choices=[(s, s) for s in TOKEN_SCOPES])
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ShareLink(models.Model):
    """A link that opens one person's report without an account, until it expires or is
    revoked; only its digest is stored."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="share_links")
    label = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.label} ({self.prefix}…)"


class AuditEvent(models.Model):
    """One read of a person's data by someone else: who, what, when, from where."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.CharField(max_length=200)
    what = models.CharField(max_length=100)
    at = models.DateTimeField(auto_now_add=True)
    address = models.CharField(max_length=64, blank=True)
    share_link = models.ForeignKey(ShareLink, on_delete=models.SET_NULL, null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.actor} read {self.what} at {self.at:%Y-%m-%d %H:%M}"


GRANT_SCOPES = ("report", "report-and-data")


class ShareGrant(models.Model):
    """A person lets a clinician's account read their report (or report and data) until the
    grant expires (at most 90 days) or they revoke it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="grants")
    clinician = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="grants_held")
    scope = models.CharField(max_length=20, choices=[(s, s) for s in GRANT_SCOPES])
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.person} -> {self.clinician} ({self.scope})"
