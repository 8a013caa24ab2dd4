"""Forms render the inputs and parse their types; the journal's schemas decide what is valid."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from mitra.journal.errors import ConfirmationNeeded, EntryInvalid, TokenReused
from mitra.knowledge import load as load_knowledge
from mitra.timeline import SkippedTime, on_wall_clock, zone_names
from mitra.vocabulary import (
    DOSE_UNITS,
    PRACTICE_KINDS,
    PRODUCT_FORMS,
    PRODUCT_UNITS,
    VEINS,
    choices,
)

from .form_words import InMitrasWords

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class WallClockField(forms.DateTimeField):
    """A datetime-local value read as a naive wall-clock time; the form attaches the zone.

    Django would attach the current zone itself and refuse the repeated hour when clocks go
    back; mitra takes the earlier reading instead, as the CLI does. A value that carries its own
    offset ("Z", "+05:30": a script, or a pasted time) names one instant: it stays aware.
    """

    def to_python(self, value: Any) -> datetime | None:
        with timezone.override(UTC):
            result = super().to_python(value)
        if result is None or _has_offset(value):
            return result
        return result.replace(tzinfo=None)


def _has_offset(value: Any) -> bool:
    if isinstance(value, datetime):
        return value.tzinfo is not None
    try:
        parsed = parse_datetime(str(value).strip())
    except ValueError:
        return False
    return parsed is not None and parsed.tzinfo is not None


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


class JournalForm(InMitrasWords, forms.Form):
    """Base form: a one-time token against replays, and service errors shown beside fields."""

    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    field_aliases: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: What the saved message should add about how a time was read ("" when nothing).
        self.time_note = ""
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4().hex)

    def wall_clock(self, name: str, zone: ZoneInfo) -> datetime | None:
        """The time in field `name`, read on the person's clock in `zone`.

        A time with its own offset is kept as given. A local time the clock skips (02:30 on a
        spring-forward day) does not exist: refused beside the field (EntryInvalid, which the
        views show like the services' refusals), never moved silently. A time in the repeated
        hour of autumn is read as its earlier pass, and `time_note` says so.
        """
        value: datetime | None = self.cleaned_data.get(name)
        if value is None:
            return value
        try:
            read, note = on_wall_clock(value, zone)
        except SkippedTime as exc:
            raise EntryInvalid({name: str(exc)}) from None
        if note:
            self.time_note = f" {note}"
        return read

    def show_errors(self, exc: EntryInvalid) -> None:
        """Put each of the service's messages beside its field (or at the top of the form)."""
        if isinstance(exc, TokenReused):
            # Sent before with other values (changed after going back): the form comes back
            # with a new token, so saving it again saves these values as a new entry.
            data = cast(Any, self.data).copy()  # a QueryDict: several values kept per key
            data["token"] = uuid.uuid4().hex
            self.data = data
            self.add_error(
                None,
                f"This form was sent before with other values ({exc.word} {exc.entry.pk} was "
                "saved then), so these were not saved. Check them and save again to add them.",
            )
            return
        for name, message in exc.errors.items():
            field = self.field_aliases.get(name.split(".")[0], name.split(".")[0])
            end = "" if message.endswith((".", "!", "?")) else "."
            if field in self.fields:
                self.add_error(field, f"{self.fields[field].label} {message}{end}")
            else:
                self.add_error(None, f"{message[:1].upper()}{message[1:]}{end}")


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    """A form's choice field, typed (Form.fields holds plain Field)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def _number(label: str, **attrs: Any) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", **attrs}),
    )


class WelcomeForm(JournalForm):
    time_zone = forms.ChoiceField(
        label="Your time zone",
        help_text="Your days start at 4:00 local time, so a late night counts with the day before.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "time_zone").choices = [(z, z.replace("_", " ")) for z in zone_names()]
        if not self.is_bound:
            # A first visit only: the page's script picks the browser's own zone. A form sent
            # back with an error keeps the zone the person chose.
            self.fields["time_zone"].widget.attrs["data-guess"] = "browser"


def _scale(label: str, low: int, high: int, required: bool) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[(str(i), str(i)) for i in range(low, high + 1)],
        coerce=int,
        required=required,
        empty_value=None,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
    )


class CheckInForm(JournalForm):
    at = WallClockField(label="Time", input_formats=[DATETIME_FORMAT], widget=LocalDateTimeInput())
    anxiety = _scale("Anxiety right now (0 none, 10 worst)", 0, 10, required=False)
    mood = _scale("Mood (1 very low, 5 very good)", 1, 5, required=False)
    sleep_hours = _number("Sleep last night (hours)", step="0.25", min="0", max="24")
    sleep_quality = _scale("Sleep quality (1 very poor, 5 very good)", 1, 5, required=False)
    symptoms = forms.MultipleChoiceField(
        label="Symptoms", required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    regular_meals = forms.TypedChoiceField(
        label="Regular meals today",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        required=False,
        empty_value=None,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
    )
    caffeine_cups = _number("Caffeine today (cups)", step="0.5", min="0", max="30")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "symptoms").choices = [
            (s.id, s.label) for s in load_knowledge().symptoms
        ]
        for kind, label in PRACTICE_KINDS.items():
            # 0 is refused like -5, not taken as "not done" and dropped: empty means not done.
            self.fields[f"practice_{kind}"] = forms.IntegerField(
                label=f"{label} (minutes)",
                required=False,
                min_value=1,
                max_value=720,
                error_messages={
                    "min_value": "Minutes must be at least 1; leave it empty if you did not do it.",
                    "max_value": "Minutes must be at most 720 (12 hours).",
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "1", "max": "720"}),
            )

    def practice_fields(self) -> list[forms.BoundField]:
        return [self[f"practice_{kind}"] for kind in PRACTICE_KINDS]

    def payload(self, zone: ZoneInfo) -> dict[str, Any]:
        data = self.cleaned_data
        practices = [
            {"kind": kind, "minutes": data[f"practice_{kind}"]}
            for kind in PRACTICE_KINDS
            if data.get(f"practice_{kind}")
        ]
        return {
            "at": self.wall_clock("at", zone),
            "anxiety": data["anxiety"],
            "mood": data["mood"],
            "sleep_hours": data["sleep_hours"],
            "sleep_quality": data["sleep_quality"],
            "symptoms": data["symptoms"],
            "practices": practices,
            "note": data["note"],
            "regular_meals": data["regular_meals"],
            "caffeine_cups": data["caffeine_cups"],
        }

    def show_errors(self, exc: EntryInvalid) -> None:
        # A practice error ("practices.0.minutes") belongs beside that practice's minutes.
        rows = [k for k in PRACTICE_KINDS if self.cleaned_data.get(f"practice_{k}")]
        for name in list(exc.errors):
            parts = name.split(".")
            if parts[0] == "practices" and len(parts) > 1 and parts[1].isdigit():
                kind = rows[int(parts[1])]
                self.add_error(f"practice_{kind}", f"Minutes {exc.errors.pop(name)}.")
        super().show_errors(exc)


class DoseForm(JournalForm):
    product_id = forms.TypedChoiceField(label="Product", coerce=int, empty_value=None)
    amount = _number("Amount", step="any", min="0")
    unit = forms.ChoiceField(label="Unit", choices=[])
    taken_at = WallClockField(
        label="Time taken", input_formats=[DATETIME_FORMAT], widget=LocalDateTimeInput()
    )
    note = forms.CharField(label="Note", required=False, max_length=2000)
    # Shown only once the journal asked "are you sure?" about the amount (ConfirmationNeeded).
    confirm = forms.BooleanField(
        label="Yes, this amount is right",
        required=False,
        error_messages={"required": "Tick \u201cYes, this amount is right\u201d to save it."},
    )

    def __init__(self, *args: Any, products: list[Any], **kwargs: Any) -> None:
        # Its own id prefix: the dose and check-in forms share a page and both have a note.
        kwargs.setdefault("auto_id", "dose_%s")
        super().__init__(*args, **kwargs)
        self.asks_confirmation = False
        choice_field(self, "product_id").choices = [(p.id, p.name) for p in products]
        choice_field(self, "unit").choices = unit_choices(None)
        self.fields["amount"].required = False

    def payload(self, zone: ZoneInfo) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "product_id": data["product_id"],
            "amount": data["amount"],
            "unit": data["unit"],
            "taken_at": self.wall_clock("taken_at", zone),
            "note": data["note"],
            "confirm": data["confirm"],
        }

    def show_errors(self, exc: EntryInvalid) -> None:
        asked_about(self, exc)
        super().show_errors(exc)


def asked_about(form: forms.Form, exc: EntryInvalid) -> None:
    """When the journal asks "are you sure?" (ConfirmationNeeded), the entry stays in `form`,
    whose `confirm` box is shown (`asks_confirmation`), and each message says to tick it."""
    if isinstance(exc, ConfirmationNeeded):
        cast(Any, form).asks_confirmation = True
        label = form.fields["confirm"].label
        for name, message in exc.errors.items():
            exc.errors[name] = (
                f"{message}. If it is right, tick \u201c{label}\u201d and save again."
            )


def unit_choices(product: Any | None) -> list[tuple[str, str]]:
    """Units a dose of `product` can be logged in: its own unit first, then g and mg."""
    choices = [("g", "g"), ("mg", "mg")]
    if product is not None and product.unit != "g":
        return [(product.unit, PRODUCT_UNITS[product.unit]), *choices]
    if product is None:
        return [*choices, *[(u, PRODUCT_UNITS[u]) for u in DOSE_UNITS if u not in {"g", "mg"}]]
    return choices


class ProductForm(JournalForm):
    name = forms.CharField(label="Name", required=False, max_length=120)
    vendor = forms.CharField(label="Vendor", required=False, max_length=120)
    strain = forms.CharField(
        label="Strain",
        required=False,
        max_length=80,
        help_text="The vendor's label, such as Maeng Da or Bali. Studies have not shown that "
        "strain or vein colour predicts alkaloid content.",
    )
    vein = forms.ChoiceField(label="Vein", choices=choices(VEINS), initial="unknown")
    form = forms.ChoiceField(label="Form", choices=choices(PRODUCT_FORMS), initial="powder")
    unit = forms.ChoiceField(
        label="Counted in",
        choices=choices(PRODUCT_UNITS),
        initial="g",
        error_messages=dict.fromkeys(
            ("required", "invalid_choice"),
            "Choose what the product is counted in: grams, capsules or another unit listed.",
        ),
    )
    grams_per_unit = _number("Grams per unit", step="any", min="0")
    mitragynine_mg_per_g = _number("Lab mitragynine (mg per g)", step="any", min="0")
    hydroxy_mg_per_g = _number("Lab 7-OH (mg per g)", step="any", min="0")
    notes = forms.CharField(
        label="Notes", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Shown only once the journal asked "are you sure?" about a lab figure (ConfirmationNeeded).
    confirm = forms.BooleanField(label="Yes, this lab figure is right", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asks_confirmation = False

    def payload(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("token", None)
        return data

    def show_errors(self, exc: EntryInvalid) -> None:
        asked_about(self, exc)
        super().show_errors(exc)


class QuestionnaireForm(JournalForm):
    """One group of radio buttons per item of an instrument, named item_1, item_2, ..."""

    def __init__(self, *args: Any, instrument: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for number, item in enumerate(instrument.items, start=1):
            self.fields[f"item_{number}"] = forms.TypedChoiceField(
                label=f"{number}. {item.text}",
                choices=[(str(o.value), o.label) for o in instrument.options(number)],
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect(attrs={"class": "answers"}),
                error_messages=dict.fromkeys(
                    ("required", "invalid_choice"),
                    f"Choose one of the answers to question {number}.",
                ),
            )

    def item_fields(self) -> list[forms.BoundField]:
        return [self[f"item_{n}"] for n in range(1, len(self.instrument.items) + 1)]

    def answers(self) -> list[int | None]:
        return [
            self.cleaned_data.get(f"item_{n}") for n in range(1, len(self.instrument.items) + 1)
        ]


class SettingsForm(JournalForm):
    time_zone = forms.ChoiceField(label="Time zone")
    day_boundary_hour = forms.TypedChoiceField(
        label="Your day starts at",
        coerce=int,
        choices=[(h, f"{h:02d}:00") for h in range(24)],
        help_text="Entries before this hour count with the day before.",
        error_messages=dict.fromkeys(
            ("required", "invalid_choice"), "Choose the hour your day starts at, 00:00 to 23:00."
        ),
    )
    gad7_every_days = forms.IntegerField(
        label="GAD-7 reminder every (days)",
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "1", "max": "365"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "time_zone").choices = [(z, z.replace("_", " ")) for z in zone_names()]

    checkin_time = forms.TimeField(
        label="Daily check-in reminder at",
        required=False,
        help_text="Local time of the check-in reminder in your calendar feed.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    def payload(self) -> dict[str, Any]:
        # The crisis contacts moved to the Plan page (mitra.web.plan_forms); they stay as they are.
        data = self.cleaned_data
        return {
            "time_zone": data["time_zone"],
            "day_boundary_hour": data["day_boundary_hour"],
            "gad7_every_days": data["gad7_every_days"],
        }


class SubstanceForm(JournalForm):
    name = forms.CharField(
        label="Medication or substance",
        required=False,
        max_length=120,
        help_text="A generic or brand name, e.g. sertraline, Xanax, alcohol, caffeine.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    dose_text = forms.CharField(label="How you take it (optional)", required=False, max_length=120)
    # Shown only once the journal asked about a name it does not know (ConfirmationNeeded).
    confirm = forms.BooleanField(label="Yes, list it as I typed it", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asks_confirmation = False

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"name": data["name"], "dose_text": data["dose_text"], "confirm": data["confirm"]}

    def show_errors(self, exc: EntryInvalid) -> None:
        asked_about(self, exc)
        super().show_errors(exc)


class IntakeForm(JournalForm):
    substance_id = forms.TypedChoiceField(label="Substance", coerce=int, empty_value=None)
    amount = _number("Amount", step="any", min="0")
    unit = forms.CharField(
        label="Unit",
        required=False,
        max_length=24,
        help_text="Optional, but each with the other: e.g. 10 mg, 2 drinks.",
    )
    taken_at = WallClockField(
        label="Time taken", input_formats=[DATETIME_FORMAT], widget=LocalDateTimeInput()
    )
    note = forms.CharField(label="Note", required=False, max_length=2000)

    def __init__(self, *args: Any, substances: list[Any], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "intake_%s")
        super().__init__(*args, **kwargs)
        choice_field(self, "substance_id").choices = [(s.id, s.name) for s in substances]

    def payload(self, zone: ZoneInfo) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "substance_id": data["substance_id"],
            "amount": data["amount"],
            "unit": data["unit"],
            "taken_at": self.wall_clock("taken_at", zone),
            "note": data["note"],
        }
