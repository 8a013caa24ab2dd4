"""Settings: a person deletes their journal and all their data, after typing DELETE."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from mitra.accounts.services import delete_journal_and_account
from mitra.journal.erase import CONFIRMATION
from mitra.reads import cache as read_cache

from .form_words import InMitrasWords
from .views import current_person


class DeleteJournalForm(InMitrasWords, forms.Form):
    confirm = forms.CharField(
        label=f"Type {CONFIRMATION} to confirm",
        max_length=20,
        help_text="Capital letters, as shown. This cannot be undone.",
        error_messages={"required": f"Type {CONFIRMATION} to delete your journal."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_confirm(self) -> str:
        typed = str(self.cleaned_data["confirm"]).strip()
        if typed != CONFIRMATION:
            raise forms.ValidationError(
                f"Nothing was deleted: type {CONFIRMATION} in capital letters to confirm."
            )
        return typed


def delete_page(request: HttpRequest) -> HttpResponse:
    """GET: what deleting means and the typed confirmation; POST: delete everything."""
    person = current_person(request)
    form = DeleteJournalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        delete_journal_and_account(person)
        read_cache.clear()  # results computed from the journal, held in this process
        request.session.flush()
        messages.success(request, "Your journal and all its data were deleted from this machine.")
        return redirect("today")
    context: dict[str, Any] = {"form": form}
    return render(request, "web/delete_journal.html", context, status=422 if form.errors else 200)
