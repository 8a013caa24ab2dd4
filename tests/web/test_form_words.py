"""Every web form refuses in mitra's words: the field's name and what to do, never Django's
defaults ("This field is required.", "Ensure this value ...", "Select a valid choice.")."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.test import Client

import mitra.web
from mitra.journal import services
from mitra.knowledge.instruments import load_instruments
from mitra.web.form_words import django_default_messages

pytestmark = pytest.mark.django_db

#: Django's own refusals, in part: none may remain on a mitra form.
DJANGO_WORDS = (
    "This field is required",
    "Ensure this value",
    "Ensure this filename",
    "Select a valid choice",
    "Enter a valid",
    "Enter a whole number",
    "Enter a number",
    "Enter a list of values",
    "No file was submitted",
    "The submitted file is empty",
    "Please either submit a file or check the clear checkbox",
    "Null characters are not allowed",
)

#: What each form that takes more than data is built with.
BUILT_WITH: dict[str, dict[str, Any]] = {
    "DoseForm": {"products": []},
    "IntakeForm": {"substances": []},
    "QuestionnaireForm": {"instrument": load_instruments()["GAD-7"]},
}


def _web_forms() -> dict[str, type[forms.BaseForm]]:
    """Every form class mitra.web defines, by name."""
    found: dict[str, type[forms.BaseForm]] = {}
    for module in pkgutil.iter_modules(mitra.web.__path__):
        for value in vars(importlib.import_module(f"mitra.web.{module.name}")).values():
            if (
                inspect.isclass(value)
                and issubclass(value, forms.BaseForm)
                and value.__module__.startswith("mitra.web")
            ):
                found[value.__qualname__] = value
    return found


def _bound(kind: type[forms.BaseForm]) -> forms.BaseForm:
    """`kind` sent empty and validated (fields a form adds as it is made are there then)."""
    name = kind.__qualname__
    request = (None,) if name == "LoginForm" else ()
    form = kind(*request, data={}, **BUILT_WITH.get(name, {}))  # type: ignore[arg-type]
    form.is_valid()
    return form


def test_every_refusal_of_every_web_form_is_in_mitras_words() -> None:
    found = _web_forms()
    assert {"CheckInForm", "DoseForm", "IntakeForm", "PlanForm", "LoginForm"} <= set(found)
    params = {"limit_value": 7, "show_value": 9, "value": "x", "max": 7, "length": 9}
    for name, kind in sorted(found.items()):
        form = _bound(kind)
        for field_name, field in form.fields.items():
            defaults = django_default_messages(field)
            assert defaults, (name, field_name)
            for code in defaults:
                where = f"{name}.{field_name} ({code})"
                said = str(field.error_messages.get(code, defaults[code])) % params
                assert said != defaults[code] % params, where
                assert not any(words in said for words in DJANGO_WORDS), (where, said)
        refused = " ".join(str(e) for errors in form.errors.values() for e in errors)
        assert not any(words in refused for words in DJANGO_WORDS), (name, refused)


def _error_beside(html: str, field_id: str) -> str:
    match = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', html, re.S)
    assert match, f"no error beside {field_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_an_intake_without_its_time_asks_for_the_time_taken(client: Client, alice: Any) -> None:
    beer = services.add_substance(alice, {"name": "alcohol"})
    refused = client.post(
        "/intakes", {"token": "i3", "substance_id": beer.pk, "amount": "2", "unit": "drinks"}
    )
    assert refused.status_code == 422
    html = refused.content.decode()
    assert _error_beside(html, "intake_taken_at") == "Enter the time taken."
    assert 'value="drinks"' in html


def test_too_many_minutes_and_too_long_a_note_say_the_limit_beside_the_field(
    client: Client, alice: Any
) -> None:
    at = (datetime.now(UTC) - timedelta(hours=1)).astimezone(ZoneInfo("Europe/Berlin"))
    refused = client.post(
        "/checkins",
        {
            "token": "c-long",
            "at": at.strftime("%Y-%m-%dT%H:%M"),
            "anxiety": "4",
            "practice_yoga": "721",
            "note": "x" * 2001,
        },
    )
    html = refused.content.decode()
    assert _error_beside(html, "id_practice_yoga") == "Minutes must be at most 720 (12 hours)."
    assert _error_beside(html, "id_note") == (
        "Note is too long (at most 2000 characters; it has 2001)."
    )
