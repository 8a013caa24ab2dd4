"""The Import page: upload another app's export, see the dry run, then confirm to import it.

Between the preview and the confirmation the uploaded file is kept in a private temporary file in
the data folder (``imports/``, the folder 0700, the file 0600, a random name), not in the browser
and not re-uploaded: the person confirms exactly the bytes the preview showed, and a large file
crosses the network once. The file is deleted after the import, and files older than an hour
(a preview never confirmed) are deleted on the page's next use. Uploads are read into memory only
(never Django's temporary files in the system's /tmp) and refused above ``MAX_UPLOAD`` bytes.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from mitra.interop.importers import FORMATS, ImportFileError
from mitra.interop.importers.mapping import parse_overrides
from mitra.interop.importing import import_file
from mitra.settings import private_data_dir

from .form_words import InMitrasWords
from .views import current_person

MAX_UPLOAD = 10 * 1024 * 1024  # a web upload; `mitra import` reads files up to 50 MB
_TOO_LARGE = f"The file is larger than {MAX_UPLOAD // (1024 * 1024)} MB."
STALE_SECONDS = 3600
FORMAT_LABELS = {
    "mitra-json": "mitra (JSON)", "fhir": "FHIR bundle (JSON)",
    "pwj": "PsychonautWiki Journal (JSON)", "daylio": "Daylio (CSV)", "bearable": "Bearable (CSV)",
    "track-and-graph": "Track & Graph (CSV)", "herbal-tracker": "Herbal Tracker+ (CSV)",
    "tea-taper": "Tea Taper (CSV)",
}  # fmt: skip
_UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class _InMemory(MemoryFileUploadHandler):
    """Keep every upload in memory (the size is checked first), never in the system's /tmp."""

    def handle_raw_input(self, *args: Any, **kwargs: Any) -> None:
        self.activated = True


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ImportForm(InMitrasWords, forms.Form):
    format = forms.ChoiceField(
        label="The app it comes from", choices=[(f, FORMAT_LABELS.get(f, f)) for f in FORMATS]
    )
    file = forms.FileField(
        label="The exported file",
        help_text=f"At most {MAX_UPLOAD // (1024 * 1024)} MB.",
        required=False,
        # app.js refuses a larger file before sending it, keeping the app chosen.
        widget=forms.ClearableFileInput(
            attrs={"data-max-bytes": MAX_UPLOAD, "data-too-large": _TOO_LARGE}
        ),
    )
    mapping = forms.CharField(
        label="Mapping (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One NAME=TARGET a line, e.g. Running=exercise:30; the preview shows every "
        "name the file uses and what it becomes.",
    )

    def clean_mapping(self) -> dict[str, str]:
        try:
            return parse_overrides(_lines(self.cleaned_data["mapping"]))
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


def _folder() -> Path:
    folder = private_data_dir() / "imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    now = time.time()
    for old in folder.glob("*.upload"):
        try:
            if now - old.stat().st_mtime > STALE_SECONDS:
                old.unlink()
        except OSError:
            continue
    return folder


def _keep(data: bytes) -> str:
    upload_id = secrets.token_urlsafe(24)
    path = _folder() / f"{upload_id}.upload"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    return upload_id


def _kept(upload_id: str) -> Path | None:
    if not _UPLOAD_ID.match(upload_id):
        return None
    path = _folder() / f"{upload_id}.upload"
    return path if path.is_file() else None


@csrf_exempt  # the upload handlers must be set before CSRF reads the body; checked below
@require_http_methods(["GET", "HEAD", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        length = request.META.get("CONTENT_LENGTH") or "0"
        request.upload_handlers = [_InMemory(request)]
        if not length.isdigit() or int(length) > MAX_UPLOAD + 64 * 1024:
            return _too_large(request)  # the body is not read, so nothing changes: no CSRF
        return _post(request)
    return _render(request, ImportForm())


def _too_large(request: HttpRequest) -> HttpResponse:
    current_person(request)
    form = ImportForm(data={})
    form.full_clean()
    # The one error: the body was not read, so no other field can be judged.
    form.errors.clear()
    form.add_error("file", _TOO_LARGE)
    return _render(request, form, status=413)


@csrf_protect
def _post(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    if request.POST.get("action") == "confirm":
        return _confirm(request, person)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, form, status=422)
    upload = form.cleaned_data["file"]
    if upload is None:
        form.add_error("file", "Choose the file to import.")
        return _render(request, form, status=422)
    if upload.size > MAX_UPLOAD:
        form.add_error("file", _TOO_LARGE)
        return _render(request, form, status=413)
    data = upload.read()
    chosen, overrides = form.cleaned_data["format"], form.cleaned_data["mapping"]
    try:
        report = import_file(person, chosen, data, dry_run=True, mapping=overrides)
    except ImportFileError as exc:
        said = str(exc)
        form.add_error(
            "file",
            f"{said[:1].upper()}{said[1:]}. Is it a {FORMAT_LABELS.get(chosen, chosen)} export?",
        )
        return _render(request, form, status=422)
    context = {
        "report": report,
        # Kept (private, for an hour) only for the import to confirm: with nothing to add, no
        # import is offered and the file, notes and answers in it, is not kept at all.
        "upload_id": _keep(data) if report.added_text() else "",
        "format_label": FORMAT_LABELS.get(chosen, chosen),
        "mapping_text": form.data.get("mapping", ""),
    }
    return _render(request, form, context)


def _confirm(request: HttpRequest, person: Any) -> HttpResponse:
    form = ImportForm(request.POST)
    path = _kept(request.POST.get("upload", ""))
    if not form.is_valid() or path is None:
        messages.error(request, "That preview has expired; choose the file again.")
        return redirect("import")
    try:
        data = path.read_bytes()
        report = import_file(person, form.cleaned_data["format"], data, dry_run=False,
                             mapping=form.cleaned_data["mapping"])  # fmt: skip
    except ImportFileError as exc:
        messages.error(request, f"Nothing was imported: {exc}.")
        return redirect("import")
    finally:
        path.unlink(missing_ok=True)
    added = report.added_text() or "nothing new"
    there = sum(report.already.values())
    text = f"Imported: {added}." + (f" {there} were already in your journal." if there else "")
    messages.success(request, text)
    return redirect("import")


def _render(request: HttpRequest, form: ImportForm, extra: dict[str, Any] | None = None,
            status: int | None = None) -> HttpResponse:  # fmt: skip
    context = {"form": form, "max_mb": MAX_UPLOAD // (1024 * 1024), **(extra or {})}
    return render(request, "web/import.html", context, status=status or 200)
