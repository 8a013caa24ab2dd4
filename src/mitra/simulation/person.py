"""The parameters of a synthetic person: every number is synthetic, chosen for demos and tests.

Nothing here is a clinical figure. The values make a plausible-looking journal and a known
ground truth for the insights' calibration; they are not estimates of how kratom, practices or
sleep act on anyone. Only the exposure model (mitra.pharmacology) and the products' alkaloid
content come from the literature, through their own modules and sources.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

__all__ = [
    "DEFAULT_PERSON",
    "DEMO_TAPER",
    "SYNTHETIC",
    "DoseSlot",
    "KratomHabit",
    "PersonParameters",
    "PracticeHabit",
    "ProductHabit",
    "TaperHabit",
    "null_person",
]

#: Every parameter below is synthetic: say so wherever the truth is shown or saved.
SYNTHETIC = "synthetic: chosen for demos and tests, not a clinical figure"


@dataclass(frozen=True)
class PracticeHabit:
    """A practice the person does on some days, and its (synthetic) effect on anxiety.

    Effects are in points of the 0-10 anxiety scale on the day of the practice (`same_day`)
    and on the day after (`next_day`); negative means less anxiety.
    """

    kind: str
    probability: float = 0.5
    minutes: tuple[int, int] = (10, 30)
    same_day: float = 0.0
    next_day: float = 0.0


@dataclass(frozen=True)
class ProductHabit:
    """A product the person owns and how often they reach for it (`share` of doses)."""

    name: str
    vendor: str = "Example Botanicals"
    strain: str = ""
    vein: str = "unknown"
    form: str = "powder"
    unit: str = "g"
    grams_per_unit: float | None = None
    mitragynine_mg_per_g: float | None = None  # None: the literature default is used
    share: float = 1.0

    def record(self) -> dict[str, Any]:
        """The product as the journal's add_product expects it."""
        out: dict[str, Any] = {
            "name": self.name,
            "vendor": self.vendor,
            "strain": self.strain,
            "vein": self.vein,
            "form": self.form,
            "unit": self.unit,
        }
        if self.grams_per_unit is not None:
            out["grams_per_unit"] = self.grams_per_unit
        if self.mitragynine_mg_per_g is not None:
            out["mitragynine_mg_per_g"] = self.mitragynine_mg_per_g
        return out


@dataclass(frozen=True)
class DoseSlot:
    """A usual time of day for a dose (local hours, may pass 24 for after midnight)."""

    hour: float
    probability: float


@dataclass(frozen=True)
class KratomHabit:
    """How the person takes kratom: products, times, amounts, gaps and what goes unlogged."""

    products: tuple[ProductHabit, ...] = (
        ProductHabit(
            name="Green Maeng Da powder",
            strain="Maeng Da",
            vein="green",
            form="powder",
            unit="g",
            mitragynine_mg_per_g=15.0,
            share=0.75,
        ),
        ProductHabit(
            name="Red Bali capsules",
            strain="Bali",
            vein="red",
            form="capsules",
            unit="capsule",
            grams_per_unit=0.5,
            share=0.25,
        ),
    )
    slots: tuple[DoseSlot, ...] = (DoseSlot(8.5, 0.95), DoseSlot(14.0, 0.85), DoseSlot(20.0, 0.25))
    time_sd_hours: float = 0.6
    grams_median: float = 2.5
    grams_cv: float = 0.3
    escalation_per_year: float = 0.0  # relative growth of the typical dose per year
    skip_day_probability: float = 0.04  # irregular days without kratom
    unlogged_probability: float = 0.05  # doses taken but never logged


@dataclass(frozen=True)
class TaperHabit:
    """A taper the person follows, and how their body answers each step (all synthetic).

    The taper starts `starts_days_before_end` days before the simulation's last day, planned
    by mitra's own planner (`pace`, down to `target_fraction` of the measured use). On taper
    days the person takes the day's allowance in powder, except on `over_days` (days since the
    start) when they take `over_factor` times it. After each step a withdrawal flare-up adds
    points to anxiety for a few days: with probability `flare_probability` (or surely for the
    step numbers in `forced_flares`, never for those in `quiet_steps`) its peak is drawn from
    `flare_points`, else from `quiet_points`; either is scaled by dependence. A SOWS is answered
    each evening from `sows_lead_days` before the start.
    """

    starts_days_before_end: int = 23
    pace: str = "10-per-week"
    target_fraction: float = 0.0
    over_days: tuple[int, ...] = (9,)
    over_factor: float = 1.3
    flare_probability: float = 0.5
    flare_points: tuple[float, float] = (1.5, 3.0)
    quiet_points: tuple[float, float] = (0.0, 0.3)
    forced_flares: tuple[int, ...] = ()
    quiet_steps: tuple[int, ...] = ()
    sows_lead_days: int = 3
    sows_item_per_point: float = 0.35  # SOWS item points per point of step withdrawal
    sows_item_sd: float = 0.3
    symptom_per_point: float = 0.3  # chance of each withdrawal symptom per point, above 0.2


@dataclass(frozen=True)
class PersonParameters:
    """Everything that makes a synthetic person, all of it synthetic and saved as the truth.

    Anxiety is on the 0-10 scale of the check-in. A day's level is the baseline plus a weekday
    rhythm, a first-order autoregressive state, practice and sleep effects; each rating adds
    the within-day kratom terms (acute relief, interdose withdrawal, too-much) and noise.
    """

    baseline_anxiety: float = 5.0
    autocorrelation: float = 0.5
    innovation_sd: float = 0.7
    weekday_shift: tuple[float, float, float, float, float, float, float] = (
        0.3,
        0.15,
        0.05,
        0.0,
        -0.1,
        -0.3,
        -0.1,
    )  # Monday..Sunday
    rating_sd: float = 0.6
    practices: tuple[PracticeHabit, ...] = (
        PracticeHabit("mindfulness", 0.55, (10, 30), same_day=-0.8, next_day=-0.2),
        PracticeHabit("exercise", 0.4, (20, 60), same_day=0.0, next_day=0.0),
    )
    sleep_mean_hours: float = 7.0
    sleep_sd_hours: float = 0.9
    sleep_same_day_per_hour: float = -0.25  # more sleep last night, less anxiety today
    sleep_next_day_per_hour: float = 0.0
    # Check-ins: usual local hours and how often each is done; a day may have none.
    checkin_slots: tuple[DoseSlot, ...] = (
        DoseSlot(7.5, 0.85),
        DoseSlot(13.0, 0.5),
        DoseSlot(19.0, 1.0),
    )
    checkin_time_sd_hours: float = 0.4
    missed_day_probability: float = 0.04
    kratom: KratomHabit | None = field(default_factory=KratomHabit)
    # Acute relief: -acute_relief x (1 - tolerance) x C / (C + acute_ec50_nM).
    acute_relief: float = 0.8
    acute_ec50_nM: float = 30.0  # noqa: N815  unit symbol: nmol/L
    # Dependence rises towards 1 with each day of use (time constant in days) and falls without.
    dependence_days: float = 21.0
    dependence_recovery_days: float = 10.0
    # Interdose withdrawal: points per 10% fall of the concentration below its 7-day mean,
    # scaled by dependence.
    withdrawal_per_10pct_fall: float = 0.8
    # Tolerance: the acute relief shrinks by up to tolerance_max, over months of daily use.
    tolerance_max: float = 0.6
    tolerance_days: float = 150.0
    tolerance_recovery_days: float = 14.0
    # Too much: points per 100 nmol/L above excess_threshold_nM (0: no such effect).
    excess_per_100nM: float = 0.0  # noqa: N815  unit symbol: nmol/L
    excess_threshold_nM: float = 60.0  # noqa: N815  unit symbol: nmol/L
    initial_dependence: float = 0.3  # the journal starts after some months of use
    initial_tolerance: float = 0.0
    # GAD-7 every `gad7_every_days`: each item is about `gad7_item_per_point` x the mean anxiety
    # of the two weeks it asks about, plus noise, rounded to 0-3.
    gad7_every_days: int = 14
    gad7_item_per_point: float = 0.3
    gad7_item_sd: float = 0.45
    taper: TaperHabit | None = None  # None: no taper (use stays as the habit has it)

    def as_dict(self) -> dict[str, Any]:
        """The parameters as plain data, labelled synthetic (the ground truth beside the data)."""
        return {"label": SYNTHETIC, **asdict(self)}


#: The demo's taper (`mitra demo --taper`): four weekly steps of 10% lived, the fourth begun two
#: days ago with a flare-up (so that a hold is proposed today), the others quiet, one day over.
DEMO_TAPER = TaperHabit(forced_flares=(4,), quiet_steps=(1, 2, 3))

#: The demo's person: mindfulness helps, exercise is neutral, a mild interdose withdrawal.
#: Sized so that `mitra demo --days 180` shows both (tests/simulation/test_demo_person.py):
#: mindfulness lowers that day's anxiety by 0.8 points, the morning rating (before the first
#: dose, the lowest concentration) carries about half a point more withdrawal than the evening
#: ones, and with a rating most mornings and about every other midday the within-day slope of
#: anxiety on hours since the last dose is about +0.27 points per 6 hours (the truth on the
#: card's scale: `Simulation.latent_timeline`). Sizes chosen for the demo, not clinical figures.
DEFAULT_PERSON = PersonParameters()


def null_person(base: PersonParameters = DEFAULT_PERSON) -> PersonParameters:
    """`base` with every effect set to zero: practices, sleep and every kratom term."""
    return replace(
        base,
        practices=tuple(replace(p, same_day=0.0, next_day=0.0) for p in base.practices),
        sleep_same_day_per_hour=0.0,
        sleep_next_day_per_hour=0.0,
        acute_relief=0.0,
        withdrawal_per_10pct_fall=0.0,
        excess_per_100nM=0.0,
    )
