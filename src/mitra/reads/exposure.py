"""Estimated mitragynine in the body: one curve for Today, `mitra exposure` and the API.

`exposure` is the one function that turns doses into the curve read. Its doses come from a
`Timeline`, so which doses count and how their alkaloid content is estimated are the Timeline's
rules everywhere: a lab figure is exact; leaf products take the literature's leaf content
(marked estimated, with its range); an extract or a shot without a lab figure has no estimate
and is skipped, and said. Doses typed on the command line become a Timeline by the same rule
(`typed_doses`, through `pharmacology.content_per_gram`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from mitra.journal.schemas import EARLIEST, MAX_DOSE_GRAMS
from mitra.knowledge import load as load_knowledge
from mitra.knowledge.pharmacokinetics import load_pharmacokinetics
from mitra.pharmacology import (
    DEFAULT_PARAMETER_SET,
    ExposureCurve,
    UnknownUnitError,
    content_per_gram,
    exposure_curve,
    normalise_dose,
)
from mitra.safety.interactions import Citation
from mitra.timeline import DayClock, Timeline
from mitra.vocabulary import MASS_UNITS, PRODUCT_FORMS, PRODUCT_UNITS
from mitra.wording import day

if TYPE_CHECKING:
    from mitra.journal.models import Person

__all__ = [
    "AHEAD_HOURS",
    "AVERAGE_HOURS",
    "MAX_AHEAD_HOURS",
    "MAX_POINTS",
    "MAX_SPAN_HOURS",
    "STEP_HOURS",
    "ExposureDose",
    "ExposureRead",
    "ExposureRefused",
    "exposure",
    "lookback",
    "recent_exposure",
    "typed_doses",
]

#: Spacing of the Today curve, hours (a quarter hour resolves the peak about an hour after a dose).
STEP_HOURS = 0.25
#: How far the recent curve runs past now, hours: the model's projection if no dose is added, so
#: a dose just taken shows its estimated rise and fall instead of a spike at the chart's edge.
AHEAD_HOURS = 24.0
#: The most a face may ask to look ahead, hours (three days: past that the projection says little).
MAX_AHEAD_HOURS = 72.0
#: The span of the person's own average exposure that the relative scale compares with, hours.
AVERAGE_HOURS = 7 * 24.0
#: The longest curve any face draws: a year (366 days, so a leap year fits).
MAX_SPAN_HOURS = 366 * 24.0
#: The most points a curve may have: enough for a year every 6 minutes, small enough to send.
MAX_POINTS = 100_000
_SECONDS_PER_HOUR = 3600.0
# datetime covers years 1-9999; a curve must start and end inside, with a day to spare for time
# zones, or its times cannot be written down.
_FIRST_S = datetime(1, 1, 2, tzinfo=UTC).timestamp()
_LAST_S = datetime(9999, 12, 30, tzinfo=UTC).timestamp()


class ExposureRefused(ValueError):
    """The curve asked for cannot be drawn honestly (too long, too dense, out of range)."""


@dataclass(frozen=True)
class ExposureDose:
    """One dose as the curve sees it: its content in mg of mitragynine, and whether it counts.

    `grams_leaf` is None for an extract, a shot or a 7-OH product (their grams are not grams of
    leaf); `mg_*` are None where no lab figure or literature default exists (then not counted).
    """

    time: datetime
    form: str
    form_label: str
    grams: float  # grams of product
    grams_leaf: float | None
    mg_mitragynine: float | None
    mg_low: float | None
    mg_high: float | None
    estimated: bool
    counted: bool


@dataclass(frozen=True)
class ExposureRead:
    """Estimated mitragynine concentration (nmol/L) on a grid of UTC times, with its band.

    `low_nM` and `high_nM` are the 5th and 95th percentiles of the study's between-person spread
    at the low and the high end of the doses' content, so an estimated content widens the band.
    Empty arrays mean that no dose in the span could be counted (`skipped_doses` says why).
    """

    alkaloid: str
    unit: str
    parameter_set: str
    half_life_hours: float
    step_hours: float
    times: list[datetime]
    concentration_nM: list[float]  # noqa: N815  unit symbol: nmol/L
    low_nM: list[float]  # noqa: N815
    high_nM: list[float]  # noqa: N815
    peak_nM: float | None  # noqa: N815
    peak_at: datetime | None
    tmax_hours: float | None  # hours from the dose before the peak to the peak
    auc_nM_h: float  # noqa: N815  nmol/L x hours over the curve
    hours_since_last_dose: float | None  # any logged dose, counted or not
    doses: int  # counted on the curve
    estimated_doses: int  # of those, with a typical content instead of a lab figure
    skipped_doses: int  # with no mitragynine figure or estimate
    dose_details: tuple[ExposureDose, ...]
    note: str
    caveats: tuple[str, ...]
    sources: tuple[str, ...]
    citations: tuple[Citation, ...]
    # The recent curve's projection and relative scale (None and empty for a typed curve):
    # points after `projected_after` assume no further dose; `average_7d_nM` is the mean of the
    # same model's estimate over the 7 days before that moment, and `relative*` are the curve
    # and its band divided by it (empty when there was nothing to average).
    projected_after: datetime | None = None
    ahead_hours: float = 0.0  # how far the curve runs past `projected_after`, hours
    average_7d_nM: float | None = None  # noqa: N815
    relative: list[float] = field(default_factory=list)
    relative_low: list[float] = field(default_factory=list)
    relative_high: list[float] = field(default_factory=list)


@cache
def lookback() -> timedelta:
    """How far back doses still matter: five of the longest half-lives any study reports."""
    longest = max(
        (f.high if f.high is not None else f.value) or 0.0
        for s in load_pharmacokinetics().parameter_sets.values()
        if s.alkaloid == "mitragynine"
        for key, f in s.figures.items()
        if key.startswith("half_life_hours")
    )
    return timedelta(hours=5 * longest)


def _optional(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _note(counted: int, estimated: int, skipped: int) -> str:
    """What the curve counts, in one or two sentences a person can act on."""
    if counted == 0 and skipped == 0:
        return "No dose in this span."
    parts = [f"{counted} dose{'s' if counted != 1 else ''} counted"]
    if estimated:
        parts[0] += (
            f" ({estimated} without a lab figure, so a typical content from the literature "
            "was used and the band is wider)"
        )
    text = parts[0] + "."
    if skipped:
        text += (
            f" {skipped} dose{'s' if skipped != 1 else ''} of an extract, a shot or a 7-OH "
            "product without a lab figure could not be counted: no literature figure gives "
            "their mitragynine content; add the product's lab figures to include them."
        )
    return text


@lru_cache(maxsize=32)
def _curves(  # noqa: PLR0917  positional, so lru_cache keys on them
    dose_hours: tuple[float, ...],
    mg: tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]],
    points: int,
    step_hours: float,
    parameter_set: str,
    body_mass_kg: float | None,
) -> tuple[ExposureCurve, np.ndarray, np.ndarray]:
    # Not keyed on the moment of reading: nothing read from these curves depends on it (the
    # hours since the last dose are counted by `exposure` itself), so Today's curve is drawn
    # once per quarter hour and set of doses, not at every view.
    grid = np.arange(points, dtype=np.float64) * step_hours
    central = exposure_curve(
        dose_hours,
        mg[0],
        grid,
        parameter_set=parameter_set,
        body_mass_kg=body_mass_kg,
        band_samples=0,
    )
    # The curve is linear in the doses, so the low and the high content bound it; the study's
    # spread widens each bound further (its 5th and 95th percentiles). When every dose's content
    # is known exactly (lab figures), the two contents are one: its band gives both bounds.
    bounds = [
        exposure_curve(
            dose_hours, content, grid, parameter_set=parameter_set, body_mass_kg=body_mass_kg
        )
        for content in ((mg[1],) if mg[1] == mg[2] else (mg[1], mg[2]))
    ]
    low, high = bounds[0].band_low_nM, bounds[-1].band_high_nM
    assert low is not None
    assert high is not None
    return central, low, high


def _dose_views(line: Timeline) -> tuple[ExposureDose, ...]:
    views = []
    for i in range(line.dose_time.size):
        mg = _optional(line.dose_mg_mitragynine[i])
        form = line.dose_form[i]
        views.append(
            ExposureDose(
                time=datetime.fromtimestamp(float(line.dose_time[i]), UTC),
                form=form,
                form_label=PRODUCT_FORMS.get(form, form),  # type: ignore[call-overload]
                grams=float(line.dose_grams[i]),
                grams_leaf=_optional(line.dose_grams_leaf[i]),
                mg_mitragynine=mg,
                mg_low=_optional(line.dose_mg_mitragynine_low[i]),
                mg_high=_optional(line.dose_mg_mitragynine_high[i]),
                estimated=bool(line.dose_mg_mitragynine_estimated[i]) and mg is not None,
                counted=mg is not None,
            )
        )
    return tuple(views)


def exposure(
    line: Timeline,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    now: datetime | None = None,
    step_hours: float = STEP_HOURS,
    parameter_set: str = DEFAULT_PARAMETER_SET,
    body_mass_kg: float | None = None,
) -> ExposureRead:
    """The estimated mitragynine curve of `line`'s doses from `start` to `end`.

    Parameters
    ----------
    line : Timeline
        The doses, with their mg of mitragynine (central, low, high, estimated) by the
        Timeline's rules; doses without a figure are skipped and counted as skipped.
    start, end : datetime or None
        The span of the curve; by default from the first counted dose to five half-lives after
        the last. At most `MAX_SPAN_HOURS` long and `MAX_POINTS` points.
    now : datetime or None
        The moment for `hours_since_last_dose`; by default the current one (a dose after it
        is not a last dose yet).
    step_hours : float
        Spacing of the curve, hours (0.01 to 24).

    Raises
    ------
    ExposureRefused
        A span that is empty, too long or too dense, times outside the years 1-9999, an
        unknown parameter set, or a set that needs a body mass without one.
    """
    if not 0.01 <= step_hours <= 24:
        raise ExposureRefused("the step must be between 0.01 and 24 hours")
    pk = load_pharmacokinetics()
    modelled = [s.id for s in pk.modelled_sets()]
    if parameter_set not in modelled:
        raise ExposureRefused(
            f"{parameter_set} is not a modelled parameter set; use one of {', '.join(modelled)}"
        )
    counted = np.isfinite(line.dose_mg_mitragynine)
    times_s = line.dose_time
    if (start is None or end is None) and not counted.any():
        raise ExposureRefused(
            "no dose can be counted: the curve is of mitragynine, which an extract or a shot "
            "gives only with its lab figure (mg of mitragynine per g), and a 7-OH product does "
            "not give at all"
        )
    start_s = float(times_s[counted].min()) if start is None else start.timestamp()
    if end is None:
        half_life = _half_life_hours(parameter_set, body_mass_kg)
        end_s = float(times_s[counted].max()) + 5 * half_life * _SECONDS_PER_HOUR
    else:
        end_s = end.timestamp()
    if not (start_s >= _FIRST_S and end_s <= _LAST_S):
        raise ExposureRefused("the curve must lie between the years 1 and 9999")
    span_hours = (end_s - start_s) / _SECONDS_PER_HOUR
    if not span_hours > 0:
        raise ExposureRefused("the end of the curve must be after its start")
    if span_hours > MAX_SPAN_HOURS:
        raise ExposureRefused(
            f"the curve would span {span_hours / 24:,.0f} days; at most {MAX_SPAN_HOURS / 24:.0f} "
            "days can be drawn"
        )
    points = math.floor(span_hours / step_hours + 1e-9) + 1
    if points > MAX_POINTS:
        raise ExposureRefused(
            f"the curve would have {points:,} points; at most {MAX_POINTS:,}: use a larger step"
        )
    now_s = (_now() if now is None else now).timestamp()
    in_reach = counted & (times_s <= end_s)
    hours = tuple(((times_s[in_reach] - start_s) / _SECONDS_PER_HOUR).tolist())
    mg = (
        tuple(line.dose_mg_mitragynine[in_reach].tolist()),
        tuple(line.dose_mg_mitragynine_low[in_reach].tolist()),
        tuple(line.dose_mg_mitragynine_high[in_reach].tolist()),
    )
    try:
        central, low, high = _curves(
            hours,
            mg,
            points,
            step_hours,
            parameter_set,
            body_mass_kg,
        )
    except (KeyError, ValueError) as exc:
        raise ExposureRefused(str(exc).strip("'\"")) from None
    curve = central
    conc = np.asarray(curve.concentration_nM)
    origin = datetime.fromtimestamp(start_s, UTC)
    grid = [origin + timedelta(hours=i * step_hours) for i in range(points)] if hours else []
    peak_at = curve.peak_at_hours if hours else None
    doses = _dose_views(line)
    n_counted = int(counted.sum())
    n_estimated = int((counted & line.dose_mg_mitragynine_estimated).sum())
    n_skipped = int((~counted).sum())
    source_ids = tuple(curve.sources)
    kb = load_knowledge()
    before = times_s[times_s <= now_s]
    return ExposureRead(
        alkaloid=str(curve.alkaloid),
        unit="nmol/L",
        parameter_set=str(curve.parameter_set),
        half_life_hours=float(curve.half_life_hours),
        step_hours=step_hours,
        times=grid,
        concentration_nM=conc.tolist() if hours else [],
        low_nM=low.tolist() if hours else [],
        high_nM=high.tolist() if hours else [],
        peak_nM=float(conc.max()) if hours else None,
        peak_at=None if peak_at is None else origin + timedelta(hours=peak_at),
        tmax_hours=curve.tmax_hours if hours else None,
        auc_nM_h=float(curve.auc_nM_h) if hours else 0.0,
        hours_since_last_dose=None
        if before.size == 0
        else float((now_s - before.max()) / _SECONDS_PER_HOUR),
        doses=n_counted,
        estimated_doses=n_estimated,
        skipped_doses=n_skipped,
        dose_details=doses,
        note=_note(n_counted, n_estimated, n_skipped),
        caveats=tuple(str(c) for c in curve.model.caveats),
        sources=source_ids,
        citations=tuple(
            Citation.of(s) for s in kb.cite([sid for sid in source_ids if sid in kb.sources])
        ),
    )


def _half_life_hours(parameter_set: str, body_mass_kg: float | None) -> float:
    """The set's half-life, read off the model itself (whatever its compartments)."""
    try:
        return float(
            exposure_curve(
                [0.0],
                [1.0],
                [0.0],
                parameter_set=parameter_set,
                body_mass_kg=body_mass_kg,
                band_samples=0,
            ).half_life_hours
        )
    except (KeyError, ValueError) as exc:
        raise ExposureRefused(str(exc).strip("'\"")) from None


def typed_doses(
    doses: Sequence[tuple[datetime, float] | tuple[datetime, float, str | None]],
    *,
    form: str = "powder",
    lab_mg_per_g: float | None = None,
    grams_per_unit: float | None = None,
) -> Timeline:
    """Doses typed on the command line as a Timeline, by its rules.

    Each dose is (time, grams of product) or (time, amount, unit): "g", "mg", or a product's
    unit such as "capsule", which needs `grams_per_unit` (and then all such doses share it).
    """
    grams_doses = [(d[0], _typed_grams(d, grams_per_unit)) for d in doses]
    # The bounds a logged dose has: a typed one past them is surely mistyped too.
    for when, typed in grams_doses:
        if typed > MAX_DOSE_GRAMS:
            raise ExposureRefused(
                f"a dose of {typed:g} g is more than {MAX_DOSE_GRAMS:g} g; check the amount "
                "and its unit"
            )
        if when < EARLIEST:
            raise ExposureRefused(
                f"a dose on {day(when.astimezone(UTC).date())} (UTC) is before the year 2000; "
                "check the date"
            )
    units = sorted({u for d in doses if len(d) == 3 and (u := d[2]) and u not in MASS_UNITS})
    if len(units) > 1:
        raise ExposureRefused(
            f"doses in {' and '.join(PRODUCT_UNITS.get(u, u) for u in units)}: one grams per "
            "unit cannot describe both; give those doses in g"
        )
    if form not in PRODUCT_FORMS:
        raise ExposureRefused(f"unknown form {form!r}; use one of {', '.join(PRODUCT_FORMS)}")
    ordered = sorted(grams_doses)
    grams = np.array([g for _, g in ordered], dtype=np.float64)
    found = content_per_gram(form, "mitragynine", lab_mg_per_g)
    nan = np.full(grams.size, np.nan)
    days = [t.astimezone(UTC).date() for t, _ in ordered] or [date.today()]
    return Timeline(
        clock=DayClock("UTC", 0),
        first=min(days),
        last=max(days),
        dose_time=np.array([t.timestamp() for t, _ in ordered], dtype=np.float64),
        dose_grams=grams,
        dose_form=(form,) * grams.size,
        dose_mg_mitragynine=nan if found is None else grams * found.mg,
        dose_mg_mitragynine_low=nan if found is None else grams * found.low_mg,
        dose_mg_mitragynine_high=nan if found is None else grams * found.high_mg,
        dose_mg_mitragynine_estimated=np.full(grams.size, found is not None and found.is_estimate),
    )


def _typed_grams(
    dose: tuple[datetime, float] | tuple[datetime, float, str | None],
    grams_per_unit: float | None,
) -> float:
    """Grams of product in one typed dose, by the journal's own conversion."""
    unit = (dose[2] if len(dose) == 3 else None) or "g"
    try:
        return normalise_dose(dose[1], unit, product_unit=unit, grams_per_unit=grams_per_unit).grams
    except UnknownUnitError as exc:
        if unit in PRODUCT_UNITS and not grams_per_unit:
            raise ExposureRefused(
                f"a dose in {PRODUCT_UNITS[unit]} needs the grams in one {unit}: "
                "add --grams-per-unit, or give the dose in g"
            ) from None
        raise ExposureRefused(str(exc)) from None


def _until(line: Timeline, moment_s: float, since_s: float = -math.inf) -> Timeline:
    """`line` without the doses logged after `moment_s` (they have not been taken yet), nor
    those before `since_s`."""
    keep = (line.dose_time <= moment_s) & (line.dose_time >= since_s)
    if keep.all():
        return line
    arrays: dict[str, Any] = {}
    for name in line.__dataclass_fields__:
        if name.startswith("dose_"):
            value = getattr(line, name)
            arrays[name] = (
                tuple(v for v, k in zip(value, keep, strict=True) if k)
                if isinstance(value, tuple)
                else value[keep]
            )
    return replace(line, **arrays)


def _now() -> datetime:
    """The current moment (one place, so a test can fix it)."""
    return datetime.now(UTC)


def recent_exposure(
    person: Person,
    now: datetime | None = None,
    hours: float = 72,
    ahead_hours: float = AHEAD_HOURS,
) -> ExposureRead:
    """The last `hours` of estimated mitragynine from the journal and the `ahead_hours` after
    now if no dose is added (the Today page's curve), with the person's 7-day average.

    Doses up to `lookback()` before the window still count, since they are not yet gone.
    """
    now = now or _now()
    from .cache import timeline  # the journal's, cached on its version

    if not 0 < hours <= MAX_SPAN_HOURS:
        raise ExposureRefused(f"hours must be more than 0 and at most {MAX_SPAN_HOURS:.0f}")
    if not 0 <= ahead_hours <= MAX_AHEAD_HOURS:
        raise ExposureRefused(f"hours ahead must be between 0 and {MAX_AHEAD_HOURS:.0f}")
    if hours + ahead_hours > MAX_SPAN_HOURS:
        raise ExposureRefused(
            f"hours and hours ahead together must be at most {MAX_SPAN_HOURS:.0f}"
        )
    # Anchor the grid to the next quarter hour so repeated page views reuse the same curve
    # and a dose taken a minute ago is already on it.
    step_s = STEP_HOURS * _SECONDS_PER_HOUR
    now_s = -(-now.timestamp() // step_s) * step_s
    start = datetime.fromtimestamp(now_s, UTC) - timedelta(hours=hours)
    end = datetime.fromtimestamp(now_s, UTC) + timedelta(hours=ahead_hours)
    week_start = now - timedelta(hours=AVERAGE_HOURS)
    clock = DayClock(person.time_zone, person.day_boundary_hour)
    # One read of the journal for both spans; the curve lists the doses of its own span.
    first = clock.local_day(min(start, week_start) - lookback())
    line = _until(timeline(person, first, clock.local_day(now)), now.timestamp())
    in_reach = clock.day_span(clock.local_day(start - lookback()))[0].timestamp()
    read = exposure(_until(line, now.timestamp(), in_reach), start, end, now=now)
    average = _average_concentration(
        line, week_start.timestamp(), now.timestamp(), read.parameter_set
    )
    # The projection starts at the grid's own "now" (a moment the curve has a point at, and the
    # same for every read in that quarter hour).
    return _with_scale(read, datetime.fromtimestamp(now_s, UTC), ahead_hours, average)


def _average_concentration(
    line: Timeline, start_s: float, end_s: float, parameter_set: str
) -> float | None:
    """The model's mean estimated concentration from `start_s` to `end_s` (None if nothing)."""
    counted = np.isfinite(line.dose_mg_mitragynine) & (line.dose_time <= end_s)
    if not counted.any():
        return None
    hours = tuple(((line.dose_time[counted] - start_s) / _SECONDS_PER_HOUR).tolist())
    mg = tuple(line.dose_mg_mitragynine[counted].tolist())
    mean = _mean_concentration(hours, mg, (end_s - start_s) / _SECONDS_PER_HOUR, parameter_set)
    # Below a hundredth of a nmol/L the model's estimate is nothing to compare with.
    return mean if mean >= 0.01 else None


@lru_cache(maxsize=32)
def _mean_concentration(
    dose_hours: tuple[float, ...], mg: tuple[float, ...], span_hours: float, parameter_set: str
) -> float:
    grid = np.linspace(0.0, span_hours, math.floor(span_hours / STEP_HOURS) + 1)
    curve = exposure_curve(dose_hours, mg, grid, parameter_set=parameter_set, band_samples=0)
    return float(np.mean(curve.concentration_nM))


def _with_scale(
    read: ExposureRead, now: datetime, ahead_hours: float, average: float | None
) -> ExposureRead:
    """`read` with its projection marked and its curve against the 7-day average."""
    read = replace(read, projected_after=now, ahead_hours=ahead_hours)
    if average is None or not read.times:
        return replace(read, average_7d_nM=average)
    return replace(
        read,
        average_7d_nM=average,
        relative=[c / average for c in read.concentration_nM],
        relative_low=[c / average for c in read.low_nM],
        relative_high=[c / average for c in read.high_nM],
    )
