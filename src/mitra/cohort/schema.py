"""The de-identified export's tables: every column with its type and meaning, in one place.

The Parquet writer, the analytics and the data dictionary (docs/cohort.md) all read these
definitions, so the dictionary cannot drift from the files. No column holds free text, a name,
a contact, a database id or an original date.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["COLUMN_TYPES", "TABLES", "Column", "Table"]

#: The column types used, as Arrow names them (the writer maps each to a pyarrow type).
COLUMN_TYPES = ("string", "date32", "int32", "float64", "bool")


@dataclass(frozen=True)
class Column:
    """One column: its name, Arrow type, unit (or "") and meaning."""

    name: str
    type: str
    unit: str
    meaning: str


@dataclass(frozen=True)
class Table:
    """One table (one Parquet folder): its rows, the consent kind it needs, and its columns."""

    name: str
    rows: str
    kind: str | None  # the research-consent kind without which it holds no row of a person
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The column names in order."""
        return tuple(c.name for c in self.columns)


_KEY = Column(
    "study_key",
    "string",
    "",
    "The person's study key: HMAC-SHA256 of the study "
    "secret and the person, as 32 hexadecimal digits; never a database id.",
)
_DAY = Column(
    "day",
    "date32",
    "",
    "The local day, shifted by the person's secret offset "
    "(the same for all their rows, so intervals are kept; never the real date).",
)
_INDEX = Column("day_index", "int32", "days", "Days since the person's first exported day (0).")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("persons", "one per person", None, (
            _KEY,
            Column("source", "string", "", "journal (a consenting person) or synthetic "
                   "(mitra cohort simulate)."),
            Column("first_day", "date32", "", "First exported day (shifted)."),
            Column("last_day", "date32", "", "Last exported day (shifted)."),
            Column("days", "int32", "days", "Days of follow-up, first to last day inclusive."),
            Column("consent_kinds", "string", "", "The consented kinds of data, comma-separated "
                   "ids from a fixed list (see mitra consent)."),
            Column("interdose_estimate", "float64", "points per 6 hours", "The person's "
                   "within-day slope of anxiety on hours since the last dose (their insight); "
                   "empty as for interdose_signature."),
            Column("interdose_signature", "bool", "", "Whether the person's insight found the "
                   "interdose-withdrawal signature (a rise in anxiety with time since a dose); "
                   "empty when not enough data, or without consent to both doses and "
                   "check-ins."),
        )),
        Table("doses", "one per kratom dose", "doses", (
            _KEY, _DAY, _INDEX,
            Column("hour", "float64", "hours", "Local time of day of the dose (0-24)."),
            Column("form", "string", "", "Product form: powder, capsules, tea, extract, "
                   "7-OH product or liquid shot (a fixed vocabulary)."),
            Column("grams_leaf", "float64", "g", "Grams of leaf; empty for forms that are "
                   "not leaf."),
            Column("mg_mitragynine", "float64", "mg", "Estimated mg of mitragynine (central)."),
            Column("mg_mitragynine_low", "float64", "mg", "Low end of its range."),
            Column("mg_mitragynine_high", "float64", "mg", "High end of its range."),
            Column("mg_7oh", "float64", "mg", "Estimated mg of 7-hydroxymitragynine."),
            Column("content_estimated", "bool", "", "True when the alkaloid figures are "
                   "literature defaults rather than the product's lab figures."),
        )),
        Table("checkins", "one per check-in", "checkins", (
            _KEY, _DAY, _INDEX,
            Column("hour", "float64", "hours", "Local time of day (0-24)."),
            Column("anxiety", "float64", "points (0-10)", "Anxiety rating; empty if not given."),
            Column("mood", "float64", "points (1-5)", "Mood; empty if not given."),
            Column("sleep_hours", "float64", "hours", "Hours slept last night."),
            Column("sleep_quality", "float64", "points (1-5)", "Sleep quality."),
            Column("symptoms", "string", "", "Ticked symptoms, comma-separated ids from the "
                   "checklist (never typed text)."),
            Column("caffeine_cups", "float64", "cups", "Caffeinated drinks that day."),
        )),
        Table("practices", "one per practice", "practices", (
            _KEY, _DAY, _INDEX,
            Column("kind", "string", "", "Practice kind (mindfulness, exercise, ...)."),
            Column("minutes", "float64", "minutes", "Minutes of practice."),
        )),
        Table("questionnaires", "one per questionnaire response", "questionnaire_totals", (
            _KEY, _DAY, _INDEX,
            Column("response", "int32", "", "Number of the response within the person (0..)."),
            Column("instrument", "string", "", "GAD-7, PHQ-9, SOWS, ..."),
            Column("total", "float64", "points", "Total score."),
            Column(
                "band",
                "string",
                "",
                "Severity band of the total: the instrument's band id, as the journal stores "
                "it (GAD-7: minimal, mild, moderate, severe).",
            ),
            Column("days_since_taper_step", "int32", "days", "Days since the latest taper "
                   "step began on or before this day; empty outside a taper or without consent "
                   "to taper data."),
        )),
        Table("questionnaire_items", "one per answered item", "questionnaire_items", (
            _KEY,
            Column("response", "int32", "", "The response's number (see questionnaires)."),
            Column("instrument", "string", "", "The instrument."),
            Column("item", "int32", "", "Item number, from 1."),
            Column("answer", "int32", "points", "The answer's value."),
        )),
        Table("substances", "one per intake and substance class", "substances", (
            _KEY, _DAY, _INDEX,
            Column("class", "string", "", "Knowledge-base class of the substance taken "
                   "(benzodiazepine, opioid, alcohol, ...); never its name."),
        )),
        Table("alerts", "one per safety alert", "alerts", (
            _KEY, _DAY, _INDEX,
            Column("rule", "string", "", "The safety rule's id."),
            Column("severity", "string", "", "info, caution, warning or danger."),
        )),
        Table("taper_days", "one per day of a taper", "taper", (
            _KEY, _DAY, _INDEX,
            Column("step", "int32", "", "Step in effect (0: the starting amount)."),
            Column("steps", "int32", "", "Number of steps in the schedule."),
            Column("percent_of_start", "float64", "%", "The day's allowance as a percentage "
                   "of the starting amount."),
            Column("held", "bool", "", "Whether the person held the step that day."),
        )),
    )
}  # fmt: skip
