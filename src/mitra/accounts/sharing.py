"""Sharing a report through a link: made by its person, expiring (at most 90 days), revocable;
every opening is an audit event the person sees on their Sharing page."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from mitra.journal.errors import EntryInvalid, NotFound

from .models import GRANT_SCOPES, Account, AuditEvent, ShareGrant, ShareLink

__all__ = [
    "GRANT_SCOPES",
    "MAX_DAYS",
    "AuditRow",
    "GrantRow",
    "NewShareLink",
    "ShareLinkRow",
    "add_grant",
    "add_share_link",
    "audit_events",
    "grants_given",
    "grants_held",
    "list_share_links",
    "open_grant",
    "open_share_link",
    "revoke_grant",
    "revoke_share_link",
]

MAX_DAYS = 90  # a link is a standing permission: it lapses by itself within a quarter
LABEL_MAX = 100
LINK_PREFIX = "s_"
AUDIT_SHOWN = 200  # the newest events on the page; older ones stay in the database


def _digest(raw: str) -> str:
    # 256 random bits: SHA-256 is enough, and lets an opening find its link by an index.
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewShareLink:
    """A link just made: `secret` goes into its address, shown this once."""

    id: int
    label: str
    expires_at: datetime
    secret: str


@dataclass(frozen=True)
class ShareLinkRow:
    """A link as its person lists it; `time_zone` is their journal's, the clock its times are
    read on by whoever opens it."""

    id: int
    label: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    time_zone: str

    @property
    def live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


@dataclass(frozen=True)
class AuditRow:
    actor: str
    what: str
    at: datetime
    address: str


def add_share_link(person: Any, label: str, days: int) -> NewShareLink:
    """A link to `person`'s report that works for `days` days (1 to 90)."""
    label = " ".join(label.split())
    errors = {}
    if not label or len(label) > LABEL_MAX:
        errors["label"] = f"must be 1 to {LABEL_MAX} characters"
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = f"must be 1 to {MAX_DAYS} days"
    if errors:
        raise EntryInvalid(errors)
    secret = LINK_PREFIX + secrets.token_urlsafe(32)
    link = ShareLink.objects.create(
        person=person,
        label=label,
        prefix=secret[:8],
        digest=_digest(secret),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return NewShareLink(id=link.pk, label=label, expires_at=link.expires_at, secret=secret)


def list_share_links(person: Any) -> list[ShareLinkRow]:
    return [
        ShareLinkRow(
            id=s.pk,
            label=s.label,
            prefix=s.prefix,
            created_at=s.created_at,
            expires_at=s.expires_at,
            revoked_at=s.revoked_at,
            time_zone=person.time_zone,
        )
        for s in ShareLink.objects.filter(person=person).order_by("-created_at", "-pk")
    ]


def revoke_share_link(person: Any, link_id: int) -> None:
    """Revoke one of the person's own links; another person's is not found."""
    found = ShareLink.objects.filter(person=person, pk=link_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not found and not ShareLink.objects.filter(person=person, pk=link_id).exists():
        raise NotFound(f"there is no share link {link_id}")


@transaction.atomic
def open_share_link(raw: str, address: str, what: str = "report") -> Any:
    """The person whose report a live link opens (the opening, of `what`, is audited), or
    None."""
    if not raw.startswith(LINK_PREFIX) or len(raw) > 200:
        return None
    link = (
        ShareLink.objects.select_related("person")
        .filter(digest=_digest(raw), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if link is None:
        return None
    AuditEvent.objects.create(
        person=link.person,
        actor=f"share link “{link.label}”",
        what=what,
        address=address[:64],
        share_link=link,
    )
    return link.person


def audit_events(person: Any) -> list[AuditRow]:
    """Who looked at the person's journal, newest first."""
    return [
        AuditRow(actor=e.actor, what=e.what, at=e.at, address=e.address)
        for e in AuditEvent.objects.filter(person=person).order_by("-at", "-pk")[:AUDIT_SHOWN]
    ]


# --- grants to a clinician's account ------------------------------------------------------


@dataclass(frozen=True)
class GrantRow:
    """A grant as its person (to whom) or its clinician (from whom) sees it; `time_zone` is the
    person's journal's, so both read its times on one clock."""

    id: int
    person_name: str
    clinician_name: str
    scope: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    time_zone: str

    @property
    def live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


def _account_name(person: Any) -> str:
    account = getattr(person, "account", None)  # None: a journal without an account
    return account.user.get_username() if account is not None else str(person)


def _row(g: ShareGrant) -> GrantRow:
    return GrantRow(
        id=g.pk,
        person_name=g.person.name or _account_name(g.person),
        clinician_name=g.clinician.user.get_username(),
        scope=g.scope,
        created_at=g.created_at,
        expires_at=g.expires_at,
        revoked_at=g.revoked_at,
        time_zone=g.person.time_zone,
    )


def add_grant(person: Any, clinician_name: str, scope: str, days: int) -> GrantRow:
    """Let the clinician account `clinician_name` read `person`'s report (or report and data)."""
    errors = {}
    clinician = (
        Account.objects.select_related("user")
        .filter(user__username__iexact=clinician_name.strip(), role="clinician")
        .first()
    )
    if clinician is None:
        errors["clinician"] = "is not the name of a clinician's account here"
    if scope not in GRANT_SCOPES:
        errors["scope"] = f"must be one of {', '.join(GRANT_SCOPES)}"
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = f"must be 1 to {MAX_DAYS} days"
    if errors or clinician is None:
        raise EntryInvalid(errors)
    grant = ShareGrant.objects.create(
        person=person,
        clinician=clinician,
        scope=scope,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return _row(grant)


def grants_given(person: Any) -> list[GrantRow]:
    found = ShareGrant.objects.select_related("clinician__user", "person").filter(person=person)
    return [_row(g) for g in found.order_by("-created_at", "-pk")]


def grants_held(clinician: Account) -> list[GrantRow]:
    """The live grants a clinician holds: the persons who shared with them."""
    found = ShareGrant.objects.select_related("clinician__user", "person").filter(
        clinician=clinician, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    return [_row(g) for g in found.order_by("person__name", "pk")]


def revoke_grant(person: Any, grant_id: int) -> None:
    found = ShareGrant.objects.filter(person=person, pk=grant_id)
    if not found.exists():
        raise NotFound(f"there is no grant {grant_id}")
    found.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def open_grant(clinician: Account, grant_id: int, what: str, address: str) -> Any:
    """The person whose `what` a live grant held by `clinician` lets them read (audited)."""
    grant = (
        ShareGrant.objects.select_related("person")
        .filter(
            clinician=clinician,
            pk=grant_id,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if grant is None:
        return None
    AuditEvent.objects.create(
        person=grant.person,
        actor=f"{clinician.user.get_username()} (clinician)",
        what=what,
        address=address[:64],
    )
    return grant.person
