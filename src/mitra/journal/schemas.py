"""One validation schema per entry kind. Services validate every input against these."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from mitra.knowledge import load as load_knowledge
from mitra.timeline import zone_names
from mitra.vocabulary import DOSE_UNITS, GOAL_KINDS, PRODUCT_UNITS, PracticeKind, ProductForm, Vein

# A clock may run a little fast: accept times up to this far ahead of the server's now.
FUTURE_SLACK = timedelta(minutes=10)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
MAX_DOSE_GRAMS = 100.0  # plausibility: above this the amount or the unit is surely mistyped


def _not_future(value: datetime) -> datetime:
    if value > datetime.now(UTC) + FUTURE_SLACK:
        raise ValueError("is in the future; log what has happened")
    if value < EARLIEST:
        raise ValueError("is before the year 2000; check the date")
    return value


def moment_problem(value: datetime) -> str | None:
    """What an entry's time would be refused for now (in the future, before 2000), or None:
    for a face to say before asking for the rest of the entry."""
    try:
        _not_future(value)
    except ValueError as exc:
        return str(exc)
    return None


@dataclass(frozen=True)
class _Measured:
    """Refuse a positive value below `smallest` (0 is taken when `zero`); keep `decimals` places
    of the rest. The JSON schema states the same: `minimum` is `smallest`, or, with `zero`, the
    values between 0 and `smallest` are excluded, so the API's document promises what is taken.
    """

    smallest: float
    decimals: int
    zero: bool = False

    def check(self, value: float | None) -> float | None:
        if value is None or (self.zero and value == 0):
            return value
        if value < self.smallest:
            raise ValueError(f"must be {'0 or ' if self.zero else ''}at least {self.smallest:g}")
        return round(value, self.decimals)

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        stated = handler(schema)
        for option in stated.get("anyOf", [stated]):
            if option.get("type") == "number":
                if self.zero:
                    option["not"] = {"exclusiveMinimum": 0, "exclusiveMaximum": self.smallest}
                else:
                    option.pop("exclusiveMinimum", None)
                    option["minimum"] = self.smallest
        return stated


# The smallest amount worth keeping and its precision, per quantity. Below these a number is a
# typing slip (or 1e-320), not a measurement, and it would only skew sums and averages.
# Kratom doses: jewellery scales read to 0.001 g, and 0.001 ml or of a capsule is finer still.
DoseAmount = Annotated[float, Field(gt=0, le=100_000, allow_inf_nan=False), _Measured(0.001, 3)]
# Grams of leaf in one capsule, scoop or shot: labels give at most milligrams (0.001 g).
GramsPerUnit = Annotated[
    float | None, Field(gt=0, le=100, allow_inf_nan=False), _Measured(0.001, 3)
]
# Alkaloid content from a lab sheet: reported to 0.001 % at best, i.e. 0.01 mg per g; 0 means
# "not detected".
AlkaloidMgPerG = Annotated[
    float | None, Field(ge=0, le=1000, allow_inf_nan=False), _Measured(0.01, 2, zero=True)
]
# Sleep: nights are remembered to the quarter hour at best; 0.01 h (36 s) keeps any entry and
# 0 is a sleepless night.
SleepHours = Annotated[
    float | None, Field(ge=0, le=24, allow_inf_nan=False), _Measured(0.01, 2, zero=True)
]
# Other substances: 0.001 of a unit is 1 microgram when the unit is mg (the smallest tablet
# strengths, such as levothyroxine's 25 micrograms, are well above it).
IntakeAmount = Annotated[
    float | None, Field(gt=0, le=100_000, allow_inf_nan=False), _Measured(0.001, 4)
]
# Cups of coffee, tea or energy drinks today; halves are kept, 30 is already implausible.
CaffeineCups = Annotated[
    float | None, Field(ge=0, le=30, allow_inf_nan=False), _Measured(0.5, 1, zero=True)
]
# Ratings and counts a check-in holds.
Anxiety = Annotated[int, Field(ge=0, le=10)]
Rating = Annotated[int, Field(ge=1, le=5)]  # mood and sleep quality, 1 (worst) to 5
Minutes = Annotated[int, Field(ge=1, le=720)]  # of one practice: 12 hours at most
BoundaryHour = Annotated[int, Field(ge=0, le=23)]  # the hour a person's day starts

When = Annotated[AwareDatetime, AfterValidator(_not_future)]


class Lines:
    """Marks a text field of lines (a note): it may hold line breaks and tabs, a name may not."""


LINES = Lines()
Text = Annotated[str, Field(max_length=2000), LINES]


def _blank(c: str) -> bool:
    return c.isspace() or unicodedata.category(c) == "Cf"


# What is taken off either end of a name as spaces are: the invisible marks text picks up when
# copied (zero-width space, joiners, word joiner, byte-order mark, soft hyphen, direction marks,
# embeddings and isolates). Not every format character: an emoji flag's tag characters end it.
_EDGE_MARKS = frozenset(
    "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2066\u2067\u2068\u2069\ufeff"
)


def _edge(c: str) -> bool:
    return c.isspace() or c in _EDGE_MARKS


def _trimmed(value: str) -> str:
    """`value` without spaces and invisible marks (_EDGE_MARKS) at either end."""
    start, end = 0, len(value)
    while start < end and _edge(value[start]):
        start += 1
    while end > start and _edge(value[end - 1]):
        end -= 1
    return value[start:end]


def name_key(name: str) -> str:
    """What two names of one person's products (or substances) are compared by: the name as
    it shows, in any case ("bali" and "Bali" pasted with a zero-width space are one name)."""
    return _trimmed(name).casefold()


def _visible(value: str) -> str:
    # Format characters (a zero-width space, a joiner, a direction mark) show as nothing, as
    # spaces do. A name of only them is refused as empty, not saved as a blank name in a list;
    # at either end they are taken off as spaces are, so "Bali" pasted with a zero-width space
    # after it is the product "Bali", not a second one that looks the same. Between letters
    # they stay: a joiner there is part of how some scripts and emoji are written.
    shown = _trimmed(value)
    if all(_blank(c) for c in shown):
        raise PydanticCustomError("string_too_short", "is empty", {"min_length": 1})
    return shown


Name = Annotated[str, Field(min_length=1, max_length=120), AfterValidator(_visible)]
PHONE = r"^[0-9+()\-. ]+$"  # a phone number: digits, spaces, dots and + ( ) -
Phone = Annotated[str, Field(min_length=3, max_length=40, pattern=PHONE)]

# Control characters (Unicode's Cc: C0, DEL and C1) are codes for terminals and printers, not
# text. No font shows them: the clinician's PDF cannot be typeset with one, a page shows nothing
# where one stands, and NUL cannot be stored at all (PostgreSQL refuses it in text, and on
# SQLite it would cut the text short in other programs). A note keeps its line breaks (a
# browser sends a textarea's as CR LF) and its tabs.
CONTROL = r"\x00-\x1f\x7f-\x9f"
CONTROL_IN_LINES = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
#: Patterns for text without control characters, for the API's body schemas to promise the same.
ONE_LINE_PATTERN = f"^[^{CONTROL}]*$"
LINES_PATTERN = f"^[^{CONTROL_IN_LINES}]*$"
_CONTROL = re.compile(f"[{CONTROL}]")
_CONTROL_IN_LINES = re.compile(f"[{CONTROL_IN_LINES}]")


def control_message(*, lines: bool, found: str | None = None) -> str:
    """Why text with a control character is refused, and what to do (`found`: the character)."""
    which = f" (here U+{ord(found):04X})" if found else ""
    allowed = "; line breaks and tabs are fine" if lines else ""
    return (
        f"must not contain control characters{which}, which cannot be shown or printed; "
        f"type the text again without them{allowed}"
    )


def control_problem(value: Any, *, lines: bool = False) -> str | None:
    """The message for text (or a list of texts) holding a control character, else None."""
    if isinstance(value, str):
        found = (_CONTROL_IN_LINES if lines else _CONTROL).search(value)
        return control_message(lines=lines, found=found.group()) if found else None
    if isinstance(value, list | tuple):
        return next((m for item in value if (m := control_problem(item, lines=lines))), None)
    return None


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_control(cls, value: Any, info: ValidationInfo) -> Any:
        # Every text input, this one and any added later, before it is typed: a name, a unit, a
        # symptom, a time zone; a field marked LINES (a note) keeps line breaks and tabs.
        field = cls.model_fields.get(info.field_name or "")
        lines = field is not None and any(isinstance(m, Lines) for m in field.metadata)
        if isinstance(value, str) and not lines:
            # Line breaks and tabs at either end are spaces, stripped as the spaces are.
            value = value.strip(" \t\r\n")
        if (message := control_problem(value, lines=lines)) is not None:
            raise ValueError(message)
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _no_negative_zero(cls, value: Any) -> Any:
        # Every number, this one and any added later: -0.0 (which JSON, a form and a CSV can
        # all carry) equals 0 and passes every bound, but is stored and shown as "-0".
        if isinstance(value, float) and value == 0:
            return 0.0
        return value


class ProductIn(Schema):
    name: Name
    vendor: Annotated[str, Field(max_length=120)] = ""
    strain: Annotated[str, Field(max_length=80)] = ""
    vein: Vein = "unknown"
    form: ProductForm = "powder"
    unit: Annotated[str, Field(max_length=16)] = "g"
    grams_per_unit: GramsPerUnit = None
    mitragynine_mg_per_g: AlkaloidMgPerG = None
    hydroxy_mg_per_g: AlkaloidMgPerG = None
    notes: Text = ""
    # Save a lab figure the journal asks about (services.refuse_implausible_content).
    confirm: bool = False

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str) -> str:
        if value not in PRODUCT_UNITS:
            raise ValueError(f"must be one of: {', '.join(PRODUCT_UNITS)}")
        return value

    @model_validator(mode="after")
    def _grams_per_unit_for_counted_units(self) -> ProductIn:
        if self.unit == "g" and self.grams_per_unit is not None:
            # Once dropped in silence: a product counted in grams has no unit to weigh.
            raise PydanticCustomError(
                "grams_per_unit_in_grams",
                "is for a product counted in capsules, tablets, scoops, teaspoons, shots or ml; "
                "this one is counted in grams: leave it empty, or choose the unit it is counted in",
                {"field": "grams_per_unit"},
            )
        # Each figure alone is at most 1,000 mg in a gram; together they are still in one gram.
        both = (self.mitragynine_mg_per_g or 0.0) + (self.hydroxy_mg_per_g or 0.0)
        if both > 1000:
            raise PydanticCustomError(
                "more_than_a_gram",
                "together with mitragynine is {both} mg in a gram, more than a gram holds; "
                "check the lab figures",
                {"field": "hydroxy_mg_per_g", "both": f"{both:,g}"},
            )
        return self


class DoseIn(Schema):
    product_id: int
    taken_at: When
    amount: DoseAmount
    unit: str
    note: Text = ""
    # Set when the person confirmed an amount beyond the highest dose band (services.log_dose).
    confirm: bool = False

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str) -> str:
        if value not in DOSE_UNITS:
            raise ValueError(f"is unknown; use one of: {', '.join(DOSE_UNITS)}")
        return value


class PracticeIn(Schema):
    kind: PracticeKind
    minutes: Minutes


class CheckInIn(Schema):
    at: When
    anxiety: Anxiety | None = None
    mood: Rating | None = None
    sleep_hours: SleepHours = None
    sleep_quality: Rating | None = None
    symptoms: list[str] = Field(default_factory=list)
    practices: list[PracticeIn] = Field(default_factory=list)
    note: Text = ""
    regular_meals: bool | None = None
    caffeine_cups: CaffeineCups = None

    @field_validator("symptoms")
    @classmethod
    def _known_symptoms(cls, value: list[str]) -> list[str]:
        known = [s.id for s in load_knowledge().symptoms]
        unknown = [s for s in value if s not in known]
        if unknown:
            raise ValueError(
                f"unknown symptom {', '.join(unknown)}; use one of: {', '.join(known)}"
            )
        return sorted(set(value))

    @field_validator("practices")
    @classmethod
    def _one_row_per_practice(cls, value: list[PracticeIn]) -> list[PracticeIn]:
        kinds = [p.kind for p in value]
        if len(kinds) != len(set(kinds)):
            raise ValueError("lists the same practice twice; add the minutes together")
        return value

    @model_validator(mode="after")
    def _records_something(self) -> CheckInIn:
        # Anxiety may be missing (an imported mood diary has none), but an empty check-in is not
        # a check-in: the anxiety field is where the person is asked for something.
        ratings = (self.anxiety, self.mood, self.sleep_hours, self.sleep_quality)
        others = (self.symptoms, self.practices, self.note)
        if all(v is None for v in ratings) and not any(others):
            raise PydanticCustomError(
                "nothing_recorded",
                "is required when nothing else is recorded",
                {"field": "anxiety"},
            )
        return self


class SubstanceIn(Schema):
    name: Name
    dose_text: Annotated[str, Field(max_length=120)] = ""
    active: bool = True
    # List a name the journal asks about (services.refuse_unchecked_name) as it is.
    confirm: bool = False


class IntakeIn(Schema):
    substance_id: int
    taken_at: When
    amount: IntakeAmount = None
    unit: Annotated[str, Field(max_length=24)] = ""
    note: Text = ""


class IntakeTyped(IntakeIn):
    """An intake a person logs or changes: an amount comes with its unit. (Imports keep what
    other apps and earlier exports hold: a count without a unit is still their record.)"""

    @model_validator(mode="after")
    def _amount_with_its_unit(self) -> IntakeTyped:
        # "sertraline 50" could be 50 mg or 50 tablets: a bare number would be read as either.
        if self.amount is not None and not self.unit.strip():
            raise PydanticCustomError(
                "amount_without_unit",
                "is needed with an amount, e.g. mg, tablets or drinks",
                {"field": "unit"},
            )
        if self.amount is None and self.unit.strip():
            # Once saved as the bare substance, the unit dropped in silence.
            raise PydanticCustomError(
                "unit_without_amount",
                "is needed with a unit (or leave the unit empty)",
                {"field": "amount"},
            )
        return self


class CrisisContact(Schema):
    name: Name
    phone: Phone


class PersonIn(Schema):
    time_zone: str
    day_boundary_hour: BoundaryHour = 4
    name: Annotated[str, Field(max_length=100)] = ""
    gad7_every_days: Annotated[int, Field(ge=1, le=365)] = 14
    crisis_contacts: Annotated[list[CrisisContact], Field(max_length=5)] = Field(
        default_factory=list
    )

    @field_validator("time_zone")
    @classmethod
    def _iana_zone(cls, value: str) -> str:
        if value not in zone_names():
            raise ValueError("is not a time zone name, like Europe/Berlin or America/Chicago")
        return value


class ResponseIn(Schema):
    instrument: Annotated[str, Field(min_length=1, max_length=16)]
    at: When
    answers: list[int | None]


class GoalIn(Schema):
    """A weekly goal as the plan's parser reads it: minutes or sessions a week, or sleep hours."""

    kind: Annotated[str, Field(max_length=24)]
    amount: Annotated[float, Field(gt=0, le=10_080, allow_inf_nan=False)]
    unit: Literal["minutes", "sessions", "hours"]

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in GOAL_KINDS:
            raise ValueError(f"must be one of: {', '.join(GOAL_KINDS)}")
        return value

    @model_validator(mode="after")
    def _unit_fits_kind(self) -> GoalIn:
        if (self.kind == "sleep") != (self.unit == "hours"):
            raise ValueError("a sleep goal is in hours; a practice goal in minutes or sessions")
        if self.unit == "hours" and self.amount > 24:
            raise ValueError("a night has at most 24 hours of sleep")
        return self


Words = Annotated[str, Field(max_length=4000), LINES]


class PlanIn(Schema):
    """The plan's own words: the clinician, the person's reasons and warning signs, contacts."""

    clinician_name: Annotated[str, Field(max_length=120)] = ""
    clinician_contact: Annotated[str, Field(max_length=200)] = ""
    reasons: Words = ""
    warning_signs: Words = ""
    crisis_contacts: Annotated[list[CrisisContact], Field(max_length=5)] = Field(
        default_factory=list
    )
    goals: list[GoalIn] | None = None  # None: the goals stay as they are

    @field_validator("goals")
    @classmethod
    def _one_goal_per_kind(cls, value: list[GoalIn] | None) -> list[GoalIn] | None:
        kinds = [g.kind for g in value or []]
        if len(kinds) != len(set(kinds)):
            raise ValueError("lists the same goal twice")
        return value
