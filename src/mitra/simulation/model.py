"""Simulate a person day by day and within the day, with the truth kept beside the data.

A day's anxiety level is a baseline, a weekday rhythm, a first-order autoregressive state, and
the effects of that day's and the previous day's practices and sleep. Each rating adds terms
that follow the estimated mitragynine concentration at its moment (mitra.pharmacology's
one-compartment model, over every dose actually taken, logged or not): acute relief that
tolerance shrinks, interdose withdrawal that dependence scales, and an optional too-much term.
All the parameters are synthetic (see `mitra.simulation.person`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.signal import lfilter

from mitra.instruments import score
from mitra.pharmacology import alkaloid_dose, concentration_nM, content_per_gram, one_compartment
from mitra.simulation.person import DEFAULT_PERSON, SYNTHETIC, DoseSlot, PersonParameters
from mitra.simulation.taper import (
    FLARE_SHAPE,
    SOWS_ITEMS,
    TRUE_FLARE_POINTS,
    TaperCourse,
    follow_allowance,
    plan_taper,
    step_withdrawal,
)
from mitra.taper import Schedule, withdrawal_symptom_ids
from mitra.timeline import DayClock, Timeline

__all__ = ["Simulation", "SyntheticJournal", "simulate"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_HOUR = 3600.0
# Entries stay inside the person's day (boundary 4:00): from 4:05 to 23:55 local time.
_EARLIEST_HOUR = 4.0 + 5.0 / 60.0
_LATEST_HOUR = 23.0 + 55.0 / 60.0
_REFERENCE_WINDOW_HOURS = 168  # the habitual concentration: the mean over the past 7 days
_GAD7_HOUR = 20.5
_SOWS_HOUR = 21.0


@dataclass
class SyntheticJournal:
    """Plain records ready for the journal's services or bulk loading."""

    products: list[dict[str, Any]] = field(default_factory=list)
    doses: list[dict[str, Any]] = field(
        default_factory=list
    )  # product index, taken_at, amount, unit
    checkins: list[dict[str, Any]] = field(default_factory=list)  # with "practices"
    responses: list[dict[str, Any]] = field(default_factory=list)  # instrument, at, answers
    truth: dict[str, Any] = field(default_factory=dict)
    taper: Schedule | None = None  # the taper the person follows, to save as theirs


@dataclass(frozen=True)
class Simulation:
    """A simulated journal as arrays (what was logged), with the latent truth beside it."""

    parameters: PersonParameters
    seed: int
    clock: DayClock
    first: date
    last: date
    products: tuple[dict[str, Any], ...]
    # What was logged (times in POSIX seconds, sorted).
    dose_time: FloatArray
    dose_amount: FloatArray
    dose_grams: FloatArray
    dose_mg_mitragynine: FloatArray
    dose_product: IntArray
    checkin_time: FloatArray
    anxiety: FloatArray
    mood: FloatArray
    sleep_hours: FloatArray
    sleep_quality: FloatArray
    symptoms: tuple[frozenset[str], ...]
    practice_time: FloatArray
    practice_kind: tuple[str, ...]
    practice_minutes: FloatArray
    checkin_practices: tuple[tuple[int, ...], ...]  # indices into practice_* per check-in
    response_time: FloatArray
    response_answers: tuple[tuple[int, ...], ...]
    # The latent truth.
    day_level: FloatArray
    dependence: FloatArray  # per day, 0-1
    tolerance: FloatArray  # per day, 0-1
    rating_acute: FloatArray  # per check-in, points
    rating_withdrawal: FloatArray
    rating_excess: FloatArray
    rating_concentration_nM: FloatArray  # noqa: N815  unit symbol: nmol/L
    # A taper (None without one): the plan, each day's points from the steps' flare-ups, and
    # each step's drawn peak (points, scaled by dependence).
    response_instrument: tuple[str, ...] = ()  # empty: every response is a GAD-7
    taper: TaperCourse | None = None
    step_withdrawal: FloatArray = field(default_factory=lambda: np.zeros(0))
    step_peaks: tuple[float, ...] = ()

    @property
    def instruments(self) -> tuple[str, ...]:
        """Each response's instrument code."""
        return self.response_instrument or ("GAD-7",) * self.response_time.size

    @property
    def flare_days(self) -> tuple[date, ...]:
        """The true withdrawal flare-up days: the steps add at least TRUE_FLARE_POINTS."""
        return tuple(
            self.first + timedelta(days=int(d))
            for d in np.flatnonzero(self.step_withdrawal >= TRUE_FLARE_POINTS)
        )

    def taper_truth(self) -> dict[str, Any] | None:
        """The taper's plan and what the body did with it (synthetic), or None."""
        if self.taper is None:
            return None
        schedule = self.taper.schedule
        return {
            "starts": schedule.starts.isoformat(),
            "start_amount": schedule.start_amount,
            "pace": schedule.pace,
            "steps_lived": [
                {
                    "starts": (self.first + timedelta(days=s)).isoformat(),
                    "flare_peak_points": round(peak, 3),
                    "flare_up": peak * max(FLARE_SHAPE) >= TRUE_FLARE_POINTS,
                }
                for s, peak in zip(self.taper.step_start, self.step_peaks, strict=True)
            ],
            "flare_days": [d.isoformat() for d in self.flare_days],
            "true_flare_points": TRUE_FLARE_POINTS,
        }

    @property
    def truth(self) -> dict[str, Any]:
        """The parameters (synthetic) and what they produced, for saving beside the data."""
        p = self.parameters
        return {
            "label": SYNTHETIC,
            "seed": self.seed,
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "time_zone": self.clock.tz,
            "parameters": p.as_dict(),
            "effects": {
                **{f"{h.kind}_same_day": h.same_day for h in p.practices},
                **{f"{h.kind}_next_day": h.next_day for h in p.practices},
                "sleep_same_day_per_hour": p.sleep_same_day_per_hour,
                "sleep_next_day_per_hour": p.sleep_next_day_per_hour,
            },
            "withdrawal_present": bool(p.kratom is not None and p.withdrawal_per_10pct_fall > 0),
            "final_dependence": float(self.dependence[-1]) if self.dependence.size else 0.0,
            "final_tolerance": float(self.tolerance[-1]) if self.tolerance.size else 0.0,
            "mean_withdrawal_points": _mean(self.rating_withdrawal),
            "mean_acute_points": _mean(self.rating_acute),
            "taper": self.taper_truth(),
        }

    def timeline(self) -> Timeline:
        """The logged data as the engines see it (no database)."""
        return Timeline(
            clock=self.clock,
            first=self.first,
            last=self.last,
            dose_time=self.dose_time,
            dose_grams=self.dose_grams,
            dose_product=self.dose_product,
            **self._dose_content(),
            checkin_time=self.checkin_time,
            anxiety=self.anxiety,
            mood=self.mood,
            sleep_hours=self.sleep_hours,
            sleep_quality=self.sleep_quality,
            symptoms=self.symptoms,
            practice_time=self.practice_time,
            practice_kind=self.practice_kind,
            practice_minutes=self.practice_minutes,
            response_id=np.arange(self.response_time.size, dtype=np.int64),
            response_time=self.response_time,
            response_instrument=self.instruments,
            response_answers=tuple(tuple(a) for a in self.response_answers),
            **self._response_totals(),
        )

    def _response_totals(self) -> dict[str, Any]:
        """Each response's total and band as the journal stores them (scored on its
        instrument when it was given)."""
        scored = [
            score(code, list(answers))
            for code, answers in zip(self.instruments, self.response_answers, strict=True)
        ]
        return {
            "response_total": np.array([float(r.total) for r in scored], dtype=np.float64),
            "response_band": tuple(r.band.id if r.band is not None else "" for r in scored),
        }

    def _dose_content(self) -> dict[str, Any]:
        """Each dose's form and mg of mitragynine with its range, as the app's Timeline has
        them: the product's lab figure, else the literature's content for its form."""
        forms = tuple(str(self.products[int(p)]["form"]) for p in self.dose_product.tolist())
        per_gram = [
            content_per_gram(str(pr["form"]), "mitragynine", pr.get("mitragynine_mg_per_g"))
            for pr in self.products
        ]

        def each(attr: str) -> FloatArray:
            values = np.array(
                [np.nan if c is None else getattr(c, attr) for c in per_gram], dtype=np.float64
            )
            return np.asarray(self.dose_grams * values[self.dose_product], dtype=np.float64)

        estimated = np.array([c is not None and c.is_estimate for c in per_gram], dtype=np.bool_)
        return {
            "dose_form": forms,
            "dose_mg_mitragynine": each("mg"),
            "dose_mg_mitragynine_low": each("low_mg"),
            "dose_mg_mitragynine_high": each("high_mg"),
            "dose_mg_mitragynine_estimated": estimated[self.dose_product],
        }

    def latent_anxiety(self) -> FloatArray:
        """Each logged rating's noiseless anxiety: the day's level plus the within-day kratom
        terms at that moment, before rating noise, rounding and clipping."""
        day = self.clock.day_index(self.checkin_time, self.first, self.last)
        return np.asarray(
            self.day_level[day] + self.rating_acute + self.rating_withdrawal + self.rating_excess,
            dtype=np.float64,
        )

    def latent_timeline(self) -> Timeline:
        """The logged data with each rating replaced by its noiseless anxiety.

        An insight computed on it is the truth on that insight's own scale, for estimands no
        single parameter states: e.g. the within-day slope of anxiety on hours since the last
        logged dose that the interdose-withdrawal, relief and dependence terms imply at the
        moments this person happened to rate and dose.
        """
        return replace(self.timeline(), anxiety=self.latent_anxiety())

    def responses(self) -> list[dict[str, Any]]:
        """Responses (GAD-7, and SOWS in a taper) as {"instrument", "at", "answers"}."""
        return [
            {"instrument": code, "at": _aware(t), "answers": list(a)}
            for t, a, code in zip(
                self.response_time.tolist(), self.response_answers, self.instruments, strict=True
            )
        ]

    def journal(self) -> SyntheticJournal:
        """The records the journal loads (`mitra demo`)."""
        doses = [
            {
                "product": int(p),
                "taken_at": _aware(t),
                "amount": float(a),
                "unit": str(self.products[int(p)]["unit"]),
            }
            for t, a, p in zip(
                self.dose_time.tolist(),
                self.dose_amount.tolist(),
                self.dose_product.tolist(),
                strict=True,
            )
        ]
        checkins = []
        for i, t in enumerate(self.checkin_time.tolist()):
            sleep = self.sleep_hours[i]
            quality = self.sleep_quality[i]
            checkins.append(
                {
                    "at": _aware(t),
                    "anxiety": int(self.anxiety[i]),
                    "mood": int(self.mood[i]),
                    "sleep_hours": None if np.isnan(sleep) else float(sleep),
                    "sleep_quality": None if np.isnan(quality) else int(quality),
                    "symptoms": sorted(self.symptoms[i]),
                    "note": "",
                    "practices": [
                        {
                            "kind": self.practice_kind[j],
                            "minutes": int(self.practice_minutes[j]),
                        }
                        for j in self.checkin_practices[i]
                    ],
                }
            )
        return SyntheticJournal(
            products=list(self.products),
            doses=doses,
            checkins=checkins,
            responses=self.responses(),
            truth=self.truth,
            taper=None if self.taper is None else self.taper.schedule,
        )


def _mean(values: FloatArray) -> float:
    return float(values.mean()) if values.size else 0.0


def _aware(seconds: float) -> datetime:
    return datetime.fromtimestamp(round(seconds), tz=UTC)


def _local_midnights(clock: DayClock, first: date, days: int) -> FloatArray:
    """For each day, POSIX seconds of its local midnight as if the day's noon offset held.

    Adding local hours from 4:05 to 23:55 to it gives the right instant even on a
    daylight-saving day, whose switch happens in the small hours.
    """
    import pandas as pd

    zone = clock.zone
    epoch_day = (first - date(1970, 1, 1)).days
    naive_midnight = (epoch_day + np.arange(days, dtype=np.int64)) * 86_400
    # Every day's noon placed in the zone at once; a noon the zone skipped or repeated (a
    # calendar change, as Samoa's in 2011) is left to datetime, as one day at a time.
    noons = pd.to_datetime(naive_midnight + 43_200, unit="s").tz_localize(
        zone, ambiguous="NaT", nonexistent="NaT"
    )
    offsets = (noons.tz_localize(None) - noons.tz_convert(None)).total_seconds().to_numpy().copy()
    for d in np.flatnonzero(np.isnan(offsets)).tolist():
        local = first + timedelta(days=d)
        offset = datetime(local.year, local.month, local.day, 12, tzinfo=zone).utcoffset()
        assert offset is not None
        offsets[d] = offset.total_seconds()
    return np.asarray(naive_midnight - offsets, dtype=np.float64)


def _local_to_utc(midnights: FloatArray, day: IntArray, hours: FloatArray) -> FloatArray:
    """POSIX seconds of local wall-clock `hours` (kept within 4:05-23:55) on day index `day`."""
    clipped = np.clip(hours, _EARLIEST_HOUR, _LATEST_HOUR)
    minutes = np.round(clipped * 60.0)  # whole minutes, as a person logs them
    return np.asarray(midnights[day] + minutes * 60.0, dtype=np.float64)


def _slot_times(
    rng: np.random.Generator, slots: tuple[DoseSlot, ...], active: BoolArray, sd_hours: float
) -> tuple[IntArray, FloatArray]:
    """(day index, local hour) of each slot taken on each active day."""
    n = active.size
    days: list[IntArray] = []
    hours: list[FloatArray] = []
    for slot in slots:
        taken = active & (rng.random(n) < slot.probability)
        idx = np.flatnonzero(taken).astype(np.int64)
        days.append(idx)
        hours.append(slot.hour + rng.normal(0.0, sd_hours, idx.size))
    return np.concatenate(days), np.concatenate(hours)


def _states(
    used: BoolArray, p: PersonParameters, exposure: FloatArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """Dependence and tolerance at the end of each day (first-order rise and recovery).

    On a day of use dependence moves towards `exposure` (the day's use relative to the habit
    before a taper; 1 without one): up at the rise rate, down at the recovery rate, so that
    sustained lower use brings it down.
    """
    dependence = np.empty(used.size)
    tolerance = np.empty(used.size)
    dep, tol = p.initial_dependence, p.initial_tolerance
    up_d, down_d = 1.0 / p.dependence_days, 1.0 / p.dependence_recovery_days
    up_t, down_t = 1.0 / p.tolerance_days, 1.0 / p.tolerance_recovery_days
    level = np.ones(used.size) if exposure is None else exposure
    for d, u in enumerate(used.tolist()):
        if u and level[d] >= dep:
            dep += (level[d] - dep) * up_d
            tol += (p.tolerance_max - tol) * up_t
        elif u:
            dep += (level[d] - dep) * down_d
            tol += (p.tolerance_max - tol) * up_t
            tol += (p.tolerance_max - tol) * up_t
        else:
            dep -= dep * down_d
            tol -= tol * down_t
        dependence[d] = dep
        tolerance[d] = tol
    return dependence, tolerance


def simulate(  # noqa: PLR0915  one generative story, read best top to bottom
    days: int,
    parameters: PersonParameters = DEFAULT_PERSON,
    *,
    seed: int = 0,
    time_zone: str = "UTC",
    end: date | None = None,
    now: datetime | None = None,
    boundary_hour: int = 4,
) -> Simulation:
    """Simulate `days` local days ending at `end` (default: the person's today).

    Nothing is logged after `now` (default: the current time), so the last day may be today
    and only partly filled.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    p = parameters
    rng = np.random.default_rng(seed)
    # The taper's own draws come from their own stream, so a person without a taper is the
    # same person whatever the taper code does.
    taper_rng = np.random.default_rng([seed, 7])
    taper: TaperCourse | None = None
    clock = DayClock(time_zone, boundary_hour)
    moment = now or datetime.now(UTC)
    last = end or clock.today(moment)
    first = last - timedelta(days=days - 1)
    now_s = moment.timestamp()
    origin = clock.day_start(first).timestamp()
    midnights = _local_midnights(clock, first, days)

    # --- The day's level -------------------------------------------------------------------
    weekday = (np.arange(days) + first.weekday()) % 7
    state = lfilter([1.0], [1.0, -p.autocorrelation], rng.normal(0.0, p.innovation_sd, days))
    sleep = np.clip(rng.normal(p.sleep_mean_hours, p.sleep_sd_hours, days), 3.0, 11.0)
    sleep = np.round(sleep * 2.0) / 2.0  # people report half hours
    sleep_dev = sleep - p.sleep_mean_hours
    level = p.baseline_anxiety + np.asarray(p.weekday_shift)[weekday] + state
    level += p.sleep_same_day_per_hour * sleep_dev
    level[1:] += p.sleep_next_day_per_hour * sleep_dev[:-1]
    done = np.zeros((days, len(p.practices)), dtype=bool)
    minutes = np.zeros((days, len(p.practices)))
    for k, habit in enumerate(p.practices):
        done[:, k] = rng.random(days) < habit.probability
        minutes[:, k] = rng.integers(habit.minutes[0], habit.minutes[1] + 1, days)
        level += habit.same_day * done[:, k]
        level[1:] += habit.next_day * done[:-1, k]

    # --- Kratom ----------------------------------------------------------------------------
    habit_k = p.kratom
    if habit_k is not None:
        using = rng.random(days) >= habit_k.skip_day_probability
        d_day, d_hour = _slot_times(rng, habit_k.slots, using, habit_k.time_sd_hours)
        growth = (1.0 + habit_k.escalation_per_year) ** (d_day / 365.0)
        sigma = np.sqrt(np.log1p(habit_k.grams_cv**2))
        wanted = habit_k.grams_median * growth * rng.lognormal(0.0, sigma, d_day.size)
        shares = np.array([pr.share for pr in habit_k.products], dtype=np.float64)
        product = rng.choice(len(shares), d_day.size, p=shares / shares.sum()).astype(np.int64)
        per_unit = np.array([pr.grams_per_unit or 1.0 for pr in habit_k.products])
        counted = np.array([pr.unit != "g" for pr in habit_k.products])
        amount = wanted / per_unit[product]
        amount = np.where(
            counted[product], np.maximum(1.0, np.round(amount)), np.round(amount * 10) / 10
        )
        amount = np.maximum(amount, 0.1)
        grams = amount * per_unit[product]
        if p.taper is not None:
            taper = plan_taper(p.taper, first, days, d_day, grams)
            d_day, d_hour, amount, grams, product = follow_allowance(
                taper_rng,
                p.taper,
                taper,
                habit_k.products,
                dose_day=d_day,
                dose_hour=d_hour,
                grams=grams,
                product=product,
            )
        mg_per_g = np.array(
            [alkaloid_dose(1.0, lab_mg_per_g=pr.mitragynine_mg_per_g).mg for pr in habit_k.products]
        )
        mg = grams * mg_per_g[product]
        dose_t = _local_to_utc(midnights, d_day, d_hour)
        logged = rng.random(d_day.size) >= habit_k.unlogged_probability
        used = np.bincount(d_day, minlength=days)[:days] > 0
        products = tuple(pr.record() for pr in habit_k.products)
    else:
        d_day = np.zeros(0, dtype=np.int64)
        dose_t = amount = grams = mg = np.zeros(0)
        product = np.zeros(0, dtype=np.int64)
        logged = np.zeros(0, dtype=bool)
        used = np.zeros(days, dtype=bool)
        products = ()
    exposure = None
    if taper is not None:
        per_day = np.bincount(d_day, weights=grams, minlength=days)[:days]
        start_amount = max(taper.schedule.start_amount, 1e-9)
        exposure = np.where(np.isnan(taper.allowance), 1.0, np.minimum(per_day / start_amount, 1.0))
    dependence, tolerance = _states(used, p, exposure)
    if taper is not None and p.taper is not None:
        step_points, step_peaks = step_withdrawal(taper_rng, p.taper, taper, dependence)
    else:
        step_points, step_peaks = np.zeros(days), ()

    # --- Check-ins and what each rating adds within the day --------------------------------
    present = rng.random(days) >= p.missed_day_probability
    c_day, c_hour = _slot_times(rng, p.checkin_slots, present, p.checkin_time_sd_hours)
    c_t = _local_to_utc(midnights, c_day, c_hour)
    order = np.lexsort((c_t, c_day))
    c_day, c_t = c_day[order], c_t[order]
    keep = np.r_[True, np.diff(c_t) > 0] if c_t.size else np.zeros(0, dtype=bool)
    c_day, c_t = c_day[keep], c_t[keep]
    model = one_compartment()
    dose_h = (dose_t - origin) / _HOUR
    rating_h = (c_t - origin) / _HOUR
    conc = concentration_nM(dose_h, mg, rating_h, model)
    grid_end = int(np.ceil(rating_h.max())) + 1 if rating_h.size else 1
    grid_conc = concentration_nM(dose_h, mg, np.arange(grid_end, dtype=np.float64), model)
    cumulative = np.r_[0.0, np.cumsum(grid_conc)]
    hi = np.clip(np.floor(rating_h).astype(np.int64), 0, grid_end)
    lo = np.maximum(hi - _REFERENCE_WINDOW_HOURS, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        reference = np.where(hi > lo, (cumulative[hi] - cumulative[lo]) / (hi - lo), 0.0)
        fall = np.where(reference > 0, np.clip(1.0 - conc / reference, 0.0, 1.0), 0.0)
    dep_at = dependence[c_day]
    tol_at = tolerance[c_day]
    acute = -p.acute_relief * (1.0 - tol_at) * conc / (conc + p.acute_ec50_nM)
    withdrawal = p.withdrawal_per_10pct_fall * 10.0 * fall * dep_at + step_points[c_day]
    excess = p.excess_per_100nM * np.maximum(conc - p.excess_threshold_nM, 0.0) / 100.0
    latent = level[c_day] + acute + withdrawal + excess
    anxiety = np.clip(np.round(latent + rng.normal(0.0, p.rating_sd, c_t.size)), 0.0, 10.0)
    mood = np.clip(np.round(3.5 - (anxiety - 5.0) / 2.5), 1.0, 5.0)
    first_of_day = np.r_[True, np.diff(c_day) > 0] if c_t.size else np.zeros(0, dtype=bool)
    last_of_day = np.r_[np.diff(c_day) > 0, True] if c_t.size else np.zeros(0, dtype=bool)
    sleep_hours = np.where(first_of_day, sleep[c_day], np.nan)
    sleep_quality = np.where(first_of_day, np.clip(np.round(sleep[c_day] - 3.5), 1, 5), np.nan)
    restless = (withdrawal > 0.8) & (rng.random(c_t.size) < 0.6)
    craving = (withdrawal > 0.8) & (rng.random(c_t.size) < 0.3)
    # Each of the four combinations made once: 2 * restless + craving picks it.
    ticked: tuple[frozenset[str], ...] = (frozenset(), frozenset({"craving"}),
                                          frozenset({"restless"}),
                                          frozenset({"restless", "craving"}))  # fmt: skip
    symptoms = tuple(ticked[i] for i in (2 * restless + craving).tolist())
    if taper is not None and p.taper is not None:
        symptoms = _flare_symptoms(
            taper_rng, p.taper.symptom_per_point, step_points[c_day], symptoms
        )

    # Practices are logged with the day's last check-in.
    # Numbered in check-in order, then in the order of the person's habits.
    lasts = np.flatnonzero(last_of_day)
    logged_with = done[c_day[lasts]]
    row, kind = np.nonzero(logged_with)
    pt = np.asarray(c_t[lasts][row], dtype=np.float64)
    pm = np.asarray(minutes[c_day[lasts][row], kind], dtype=np.float64)
    p_kind = [p.practices[k].kind for k in kind.tolist()]
    counts = np.zeros(c_t.size, dtype=np.int64)
    counts[lasts] = logged_with.sum(axis=1)
    starts = np.cumsum(counts) - counts
    per_checkin = [
        tuple(range(s, s + n)) for s, n in zip(starts.tolist(), counts.tolist(), strict=True)
    ]

    # GAD-7 about the two weeks before it, from the latent anxiety of those days' ratings.
    r_time: list[float] = []
    r_answers: list[tuple[int, ...]] = []
    if p.gad7_every_days > 0:
        daily_latent = np.bincount(c_day, weights=latent, minlength=days)[:days]
        daily_n = np.bincount(c_day, minlength=days)[:days]
        for d in range(p.gad7_every_days - 1, days, p.gad7_every_days):
            span = slice(max(0, d - 13), d + 1)
            n = daily_n[span].sum()
            mean = daily_latent[span].sum() / n if n else float(level[span].mean())
            items = p.gad7_item_per_point * mean + rng.normal(0.0, p.gad7_item_sd, 7)
            r_answers.append(tuple(int(x) for x in np.clip(np.round(items), 0, 3)))
            at = _local_to_utc(midnights, np.array([d]), np.array([_GAD7_HOUR]))
            r_time.append(float(at[0]))

    r_code = ["GAD-7"] * len(r_time)
    if taper is not None and p.taper is not None:
        s_time, s_answers = _sows(taper_rng, p.taper, taper, step_points, midnights)
        r_time += s_time
        r_answers += s_answers
        r_code += ["SOWS"] * len(s_time)
        by_time = sorted(range(len(r_time)), key=r_time.__getitem__)
        r_time = [r_time[i] for i in by_time]
        r_answers = [r_answers[i] for i in by_time]
        r_code = [r_code[i] for i in by_time]

    # --- Nothing in the future -------------------------------------------------------------
    dose_keep = logged & (dose_t <= now_s)
    dose_order = np.argsort(dose_t[dose_keep], kind="stable")
    c_keep = c_t <= now_s
    c_index = np.flatnonzero(c_keep)
    kept_practices = [j for i in c_index.tolist() for j in per_checkin[i]]
    renumber = {old: new for new, old in enumerate(kept_practices)}
    r_keep = [i for i, t in enumerate(r_time) if t <= now_s]
    return Simulation(
        parameters=p,
        seed=seed,
        clock=clock,
        first=first,
        last=last,
        products=products,
        dose_time=dose_t[dose_keep][dose_order],
        dose_amount=amount[dose_keep][dose_order],
        dose_grams=grams[dose_keep][dose_order],
        dose_mg_mitragynine=mg[dose_keep][dose_order],
        dose_product=product[dose_keep][dose_order],
        checkin_time=c_t[c_keep],
        anxiety=anxiety[c_keep],
        mood=mood[c_keep],
        sleep_hours=sleep_hours[c_keep],
        sleep_quality=sleep_quality[c_keep],
        symptoms=tuple(symptoms[i] for i in c_index.tolist()),
        practice_time=pt[kept_practices] if kept_practices else np.zeros(0),
        practice_kind=tuple(p_kind[j] for j in kept_practices),
        practice_minutes=pm[kept_practices] if kept_practices else np.zeros(0),
        checkin_practices=tuple(per_checkin)
        if c_index.size == len(per_checkin)  # all kept: the numbers stand
        else tuple(tuple(renumber[j] for j in per_checkin[i]) for i in c_index.tolist()),
        response_time=np.asarray([r_time[i] for i in r_keep], dtype=np.float64),
        response_answers=tuple(r_answers[i] for i in r_keep),
        day_level=level,
        dependence=dependence,
        tolerance=tolerance,
        rating_acute=acute[c_keep],
        rating_withdrawal=withdrawal[c_keep],
        rating_excess=excess[c_keep],
        rating_concentration_nM=conc[c_keep],
        response_instrument=tuple(r_code[i] for i in r_keep) if taper is not None else (),
        taper=taper,
        step_withdrawal=step_points,
        step_peaks=step_peaks,
    )


def _flare_symptoms(
    rng: np.random.Generator,
    per_point: float,
    points: FloatArray,
    symptoms: tuple[frozenset[str], ...],
) -> tuple[frozenset[str], ...]:
    """Add withdrawal-like symptoms of the checklist as a step's flare-up grows: each with a
    chance of `per_point` per point above 0.2 (at most 0.85)."""
    watched = sorted(withdrawal_symptom_ids())
    chance = np.clip(per_point * (points - 0.2), 0.0, 0.85)
    draws = rng.random((points.size, len(watched))) < chance[:, None]
    return tuple(
        old | frozenset(s for s, on in zip(watched, row.tolist(), strict=True) if on)
        for old, row in zip(symptoms, draws, strict=True)
    )


def _sows(
    rng: np.random.Generator,
    habit: Any,
    taper: TaperCourse,
    points: FloatArray,
    midnights: FloatArray,
) -> tuple[list[float], list[tuple[int, ...]]]:
    """A SOWS each evening from `sows_lead_days` before the taper: each item a steady personal
    level, plus `sows_item_per_point` per point of the day's flare-up, plus noise (0-4)."""
    days = points.size
    first_day = max(0, taper.start - habit.sows_lead_days)
    base = rng.uniform(0.0, 0.6, SOWS_ITEMS)
    times: list[float] = []
    answers: list[tuple[int, ...]] = []
    for d in range(first_day, days):
        items = base + habit.sows_item_per_point * points[d]
        items = items + rng.normal(0.0, habit.sows_item_sd, SOWS_ITEMS)
        answers.append(tuple(int(x) for x in np.clip(np.round(items), 0, 4)))
        at = _local_to_utc(midnights, np.array([d]), np.array([_SOWS_HOUR]))
        times.append(float(at[0]))
    return times, answers
