"""Research consent on the Settings page: tick the kinds of data to share, or withdraw."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from mitra.journal.consent import grant_consent, withdraw_consent
from mitra.journal.errors import EntryInvalid
from mitra.reads.consent import ConsentRead, consent_read
from mitra.vocabulary import RESEARCH_DATA_KINDS

from .form_words import InMitrasWords

_ACTOR = "person (web)"


class ConsentForm(InMitrasWords, forms.Form):
    kinds = forms.MultipleChoiceField(
        label="Data a study may use",
        choices=list(RESEARCH_DATA_KINDS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Tick at least one. Notes, names and contacts are never shared.",
    )


def consent_context(person: Any, form: ConsentForm | None = None) -> dict[str, Any]:
    """What the Settings page's research section shows: the read and its form."""
    read: ConsentRead = consent_read(person)
    chosen = [k.kind for k in read.kinds if k.included]
    return {"consent": read, "consent_form": form or ConsentForm(initial={"kinds": chosen})}


@require_POST
def consent_save(request: HttpRequest) -> HttpResponse:
    """Take part with the ticked kinds; none ticked is refused beside the boxes."""
    from .views import current_person, saved_redirect, settings_page

    person = current_person(request)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            grant_consent(person, form.cleaned_data["kinds"], actor=_ACTOR)
        except EntryInvalid as exc:
            form.add_error("kinds", f"Data a study may use {exc.errors.get('kinds', '')}.")
        else:
            return saved_redirect(request, "Research consent saved.", "settings")
    return settings_page(request, consent_form=form)


@require_POST
def consent_withdraw(request: HttpRequest) -> HttpResponse:
    """Stop taking part; later exports leave the person out."""
    from .views import current_person, saved_redirect

    withdraw_consent(current_person(request), actor=_ACTOR)
    return saved_redirect(
        request, "You no longer take part in research; later exports leave you out.", "settings"
    )
