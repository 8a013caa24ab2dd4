"""Plain-data view of a journal over a span, and the person's local day with its boundary hour.

The engines (instruments, pharmacology, safety, insights) consume `Timeline` without Django: it
holds numpy arrays, never ORM objects. `mitra.journal.timeline()` builds it from the database.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from typing import Literal, get_args
from zoneinfo import ZoneInfo, available_timezones

import numpy as np
import numpy.typing as npt

from mitra.vocabulary import LEAF_FORMS

__all__ = [
    "PART_FIELDS",
    "TIMELINE_PARTS",
    "DayClock",
    "SkippedTime",
    "Timeline",
    "TimelinePart",
    "on_wall_clock",
    "zone_country",
    "zone_names",
]

#: The kinds of entry a Timeline holds; one built from some of them has the others empty.
TimelinePart = Literal["doses", "checkins", "practices", "intakes", "responses"]
TIMELINE_PARTS: frozenset[TimelinePart] = frozenset(get_args(TimelinePart))

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class SkippedTime(ValueError):
    """A local time the clocks skip (02:30 on a spring-forward night): it never happened.

    `fact` says so; the message adds what a form asks for (each face words its own request)."""

    def __init__(self, fact: str) -> None:
        super().__init__(f"{fact}; enter a time before or after the change")
        self.fact = fact


def on_wall_clock(value: datetime, zone: ZoneInfo) -> tuple[datetime, str]:
    """`value` read on the wall clock of `zone`, and what to tell of how it was read ("").

    A time with its own offset is kept as given. A local time the clocks skip does not exist:
    SkippedTime, which says so, never a time moved silently. A time in the hour that repeats in
    autumn is read as its earlier pass, and the note says so.
    """
    if value.tzinfo is not None:
        return value, ""
    earlier, later = value.replace(tzinfo=zone, fold=0), value.replace(tzinfo=zone, fold=1)
    if earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value:
        raise SkippedTime(
            f"{value:%H:%M} does not exist on {value:%Y-%m-%d} in {zone.key}: the clocks skip "
            "that hour"
        )
    if earlier.utcoffset() == later.utcoffset():
        return earlier, ""
    return earlier, (
        f"{value:%H:%M} happened twice on {value:%Y-%m-%d} (the clocks went back); mitra took "
        f"the earlier one ({earlier.tzname()}, UTC{earlier.isoformat()[-6:]})."
    )


@dataclass(frozen=True)
class DayClock:
    """A person's days: local calendar days that start at `boundary_hour` (4:00 by default).

    A dose at 01:30 on Saturday night belongs to Saturday, not Sunday. Days are counted on the
    local wall clock, so a day with a daylight-saving change lasts 23 or 25 hours.
    """

    tz: str
    boundary_hour: int = 4

    def __post_init__(self) -> None:
        if not 0 <= self.boundary_hour <= 23:
            raise ValueError("boundary_hour must be between 0 and 23")
        ZoneInfo(self.tz)  # raises ZoneInfoNotFoundError for an unknown name

    @property
    def zone(self) -> ZoneInfo:
        """The IANA time zone."""
        return ZoneInfo(self.tz)

    def local_day(self, moment: datetime) -> date:
        """The person's day that an aware datetime belongs to."""
        wall = moment.astimezone(self.zone).replace(tzinfo=None)
        return (wall - timedelta(hours=self.boundary_hour)).date()

    def day_start(self, day: date) -> datetime:
        """The UTC instant at which `day` begins (its boundary hour on the local clock).

        When the boundary hour falls in a daylight-saving gap or overlap, the earlier reading
        of the wall clock is used (fold 0), which keeps day starts strictly increasing.
        """
        wall = datetime(day.year, day.month, day.day, self.boundary_hour, tzinfo=self.zone)
        return wall.astimezone(UTC)

    def day_span(self, day: date) -> tuple[datetime, datetime]:
        """[start, end) of a day in UTC."""
        return self.day_start(day), self.day_start(day + timedelta(days=1))

    def day_starts(self, first: date, last: date) -> FloatArray:
        """Start of every day from `first` to `last + 1` as POSIX seconds (len = days + 1)."""
        return _day_starts(self, first, last)

    def day_index(self, seconds: FloatArray, first: date, last: date) -> IntArray:
        """Index (0 = `first`) of the local day of each POSIX time; vectorised over the times."""
        starts = self.day_starts(first, last)
        return np.searchsorted(starts, seconds, side="right").astype(np.int64) - 1

    def today(self, now: datetime | None = None) -> date:
        """The person's current day."""
        return self.local_day(now or datetime.now(UTC))


@lru_cache(maxsize=64)
def _day_starts(clock: DayClock, first: date, last: date) -> FloatArray:
    # Cached: every per-day sum of a Timeline needs them, and each costs a datetime per day.
    count = (last - first).days + 2
    starts = np.array(
        [clock.day_start(first + timedelta(days=i)).timestamp() for i in range(count)],
        dtype=np.float64,
    )
    starts.flags.writeable = False  # shared between callers
    return starts


def _empty_float() -> FloatArray:
    return np.zeros(0, dtype=np.float64)


def _empty_int() -> IntArray:
    return np.zeros(0, dtype=np.int64)


def _empty_bool() -> BoolArray:
    return np.zeros(0, dtype=np.bool_)


@dataclass(frozen=True)
class Timeline:
    """A journal over the local days `first`..`last`, as arrays in time order.

    Times are POSIX seconds (UTC). `*_day` arrays index into `days`. Missing values are NaN.

    Doses carry what every engine needs to count them honestly: the product's form, whether it
    is leaf, grams of leaf (NaN for extracts, shots and 7-OH products, whose grams are not
    comparable), and mg of mitragynine and 7-OH as central, low and high, from the lab figure
    (exact) or the literature's defaults (marked estimated); NaN where neither exists.
    """

    clock: DayClock
    first: date
    last: date
    dose_time: FloatArray = field(default_factory=_empty_float)
    dose_grams: FloatArray = field(default_factory=_empty_float)  # grams of product, any form
    dose_mg_mitragynine: FloatArray = field(default_factory=_empty_float)
    dose_product: IntArray = field(default_factory=_empty_int)
    dose_form: tuple[str, ...] = ()
    dose_is_leaf: BoolArray = field(default_factory=_empty_bool)
    dose_grams_leaf: FloatArray = field(default_factory=_empty_float)
    dose_mg_mitragynine_low: FloatArray = field(default_factory=_empty_float)
    dose_mg_mitragynine_high: FloatArray = field(default_factory=_empty_float)
    dose_mg_mitragynine_estimated: BoolArray = field(default_factory=_empty_bool)
    dose_mg_7oh: FloatArray = field(default_factory=_empty_float)
    dose_mg_7oh_low: FloatArray = field(default_factory=_empty_float)
    dose_mg_7oh_high: FloatArray = field(default_factory=_empty_float)
    dose_mg_7oh_estimated: BoolArray = field(default_factory=_empty_bool)
    checkin_time: FloatArray = field(default_factory=_empty_float)
    anxiety: FloatArray = field(default_factory=_empty_float)
    mood: FloatArray = field(default_factory=_empty_float)
    sleep_hours: FloatArray = field(default_factory=_empty_float)
    sleep_quality: FloatArray = field(default_factory=_empty_float)
    symptoms: tuple[frozenset[str], ...] = ()
    regular_meals: FloatArray = field(default_factory=_empty_float)  # 1 yes, 0 no, NaN not said
    caffeine_cups: FloatArray = field(default_factory=_empty_float)  # cups that day, NaN not said
    practice_time: FloatArray = field(default_factory=_empty_float)
    practice_kind: tuple[str, ...] = ()
    practice_minutes: FloatArray = field(default_factory=_empty_float)
    intake_time: FloatArray = field(default_factory=_empty_float)
    intake_substance: IntArray = field(default_factory=_empty_int)
    intake_classes: tuple[frozenset[str], ...] = ()  # the substance's knowledge-base classes
    response_id: IntArray = field(default_factory=_empty_int)
    response_time: FloatArray = field(default_factory=_empty_float)
    response_instrument: tuple[str, ...] = ()
    response_answers: tuple[tuple[int | None, ...], ...] = ()
    response_total: FloatArray = field(default_factory=_empty_float)
    response_band: tuple[str, ...] = ()
    response_flags: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        # A Timeline made by hand (tests, simulations) may give only grams: every dose is then
        # leaf powder with no alkaloid figure, which is what a bare list of grams means.
        n = self.dose_time.size

        def missing(name: str) -> bool:
            return bool(len(getattr(self, name)) != n)

        def put(name: str, value: object) -> None:
            object.__setattr__(self, name, value)

        # A Timeline made by hand may leave out the diet of its check-ins: not said.
        for diet in ("regular_meals", "caffeine_cups"):
            if len(getattr(self, diet)) != self.checkin_time.size:
                put(diet, np.full(self.checkin_time.size, np.nan))
        if missing("dose_product"):
            put("dose_product", np.zeros(n, dtype=np.int64))
        if missing("dose_form"):
            put("dose_form", ("powder",) * n)
        if missing("dose_is_leaf"):
            put("dose_is_leaf", np.array([f in LEAF_FORMS for f in self.dose_form], np.bool_))
        if missing("dose_grams_leaf"):
            put("dose_grams_leaf", np.where(self.dose_is_leaf, self.dose_grams, np.nan))
        for alkaloid in ("mitragynine", "7oh"):
            central = f"dose_mg_{alkaloid}"
            if missing(central):
                put(central, np.full(n, np.nan))
            for bound in ("low", "high"):
                if missing(f"{central}_{bound}"):
                    put(f"{central}_{bound}", getattr(self, central).copy())
            if missing(f"{central}_estimated"):
                put(f"{central}_estimated", np.zeros(n, dtype=np.bool_))

    @property
    def n_days(self) -> int:
        """Number of local days in the span."""
        return (self.last - self.first).days + 1

    @property
    def days(self) -> npt.NDArray[np.datetime64]:
        """The local days of the span, as numpy dates."""
        return np.arange(
            np.datetime64(self.first, "D"), np.datetime64(self.last, "D") + 1, dtype="datetime64[D]"
        )

    def day_of(self, seconds: FloatArray) -> IntArray:
        """Day index of each time in this span."""
        return self.clock.day_index(seconds, self.first, self.last)

    def days_with_entries(self) -> int:
        """How many of the span's days hold an entry of any kind (a dose, a check-in, a
        practice, an intake, a questionnaire). A day with a check-in and no dose is known to
        be a day without kratom; a day with nothing logged is not known at all."""
        times = np.concatenate(
            [
                self.dose_time,
                self.checkin_time,
                self.practice_time,
                self.intake_time,
                self.response_time,
            ]
        )
        index = self.day_of(times)
        return int(np.unique(index[(index >= 0) & (index < self.n_days)]).size)

    def _per_day(self, *weights: FloatArray) -> list[FloatArray]:
        """Each of `weights` (one figure per dose) summed per local day; the doses' days are
        found once for all of them."""
        days = self.day_of(self.dose_time)
        ok = (days >= 0) & (days < self.n_days)
        return [
            np.bincount(days[ok], weights=w[ok], minlength=self.n_days)[: self.n_days].astype(
                np.float64
            )
            for w in weights
        ]

    def daily_grams_leaf(self) -> FloatArray:
        """Grams of leaf per local day (0 on days without a leaf dose); other forms never count."""
        return self._per_day(np.nan_to_num(self.dose_grams_leaf))[0]

    def daily_mg_mitragynine(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Estimated mg of mitragynine per local day: central, low and high.

        Doses whose content cannot be estimated (an extract, a shot or a 7-OH product without a
        lab figure) add nothing; `doses_without_content` counts them so a face can say so.
        """
        central, low, high = self._per_day(
            np.nan_to_num(self.dose_mg_mitragynine),
            np.nan_to_num(self.dose_mg_mitragynine_low),
            np.nan_to_num(self.dose_mg_mitragynine_high),
        )
        return central, low, high

    def doses_without_content(self) -> int:
        """How many doses have no mitragynine figure or estimate."""
        return int(np.isnan(self.dose_mg_mitragynine).sum())

    def hours_since_last_dose(self, moment: float) -> float | None:
        """Hours from the latest dose at or before `moment` (POSIX seconds); None if none."""
        since = float(self.hours_since_last_dose_at(np.array([moment], dtype=np.float64))[0])
        return None if np.isnan(since) else since

    def hours_since_last_dose_at(self, seconds: FloatArray) -> FloatArray:
        """`hours_since_last_dose` at each of many times (POSIX seconds); NaN before any dose."""
        ordered = np.sort(self.dose_time)
        last = np.searchsorted(ordered, seconds, side="right") - 1
        since = (seconds - ordered[np.maximum(last, 0)]) / 3600.0 if ordered.size else seconds
        return np.where(last >= 0, since, np.nan).astype(np.float64)

    def with_parts_of(self, other: Timeline, parts: Collection[TimelinePart]) -> Timeline:
        """This timeline with the entries of `parts` taken from `other` (same span and clock)."""
        if (other.clock, other.first, other.last) != (self.clock, self.first, self.last):
            raise ValueError("the timelines cover different spans")
        names = [name for part in parts for name in PART_FIELDS[part]]
        return replace(self, **{name: getattr(other, name) for name in names})

    def daily_anxiety(self) -> FloatArray:
        """Mean anxiety rating (0-10) per local day; NaN on days without a rating."""
        days = self.day_of(self.checkin_time)
        ok = ~np.isnan(self.anxiety)
        total = np.bincount(days[ok], weights=self.anxiety[ok], minlength=self.n_days)
        count = np.bincount(days[ok], minlength=self.n_days)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total[: self.n_days] / count[: self.n_days]
        return np.where(count[: self.n_days] > 0, mean, np.nan)


#: The fields that hold each part's entries.
PART_FIELDS: dict[TimelinePart, tuple[str, ...]] = {
    "doses": tuple(f for f in Timeline.__dataclass_fields__ if f.startswith("dose_")),
    "checkins": (
        "checkin_time",
        "anxiety",
        "mood",
        "sleep_hours",
        "sleep_quality",
        "symptoms",
        "regular_meals",
        "caffeine_cups",
    ),
    "practices": tuple(f for f in Timeline.__dataclass_fields__ if f.startswith("practice_")),
    "intakes": tuple(f for f in Timeline.__dataclass_fields__ if f.startswith("intake_")),
    "responses": tuple(f for f in Timeline.__dataclass_fields__ if f.startswith("response_")),
}


@cache
def _zone_countries() -> dict[str, str]:
    from importlib import resources

    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {row[2]: row[0] for row in rows if len(row) >= 3}


@cache
def _zone_links() -> dict[str, str]:
    """tzdata's links, older name to the zone it stands for ("US/Eastern": "America/New_York"),
    from the compiled data's source the package ships (its "L target link" lines)."""
    from importlib import resources

    text = resources.files("tzdata.zoneinfo").joinpath("tzdata.zi").read_text(encoding="utf-8")
    rows = (line.split() for line in text.splitlines() if line.startswith("L "))
    return {row[2]: row[1] for row in rows if len(row) == 3}


def zone_country(tz: str) -> str | None:
    """The ISO 3166 country of an IANA time zone ("Europe/Berlin" is DE), from tzdata's table.

    A name the table does not list, kept for older systems ("US/Eastern", "NZ", or the
    "America/Indianapolis" a browser may report), is a link: it is the country of the zone it
    stands for."""
    countries, links = _zone_countries(), _zone_links()
    for _ in range(3):  # a link to a link, at most a few deep
        if tz in countries or tz not in links:
            break
        tz = links[tz]
    return countries.get(tz)


@cache
def zone_names() -> tuple[str, ...]:
    """The IANA time zone names this machine knows, sorted (read once per process)."""
    return tuple(sorted(available_timezones() - {"localtime", "Factory"}))
