"""Estimated alkaloid exposure: mg of alkaloid in a dose, and one- and two-compartment oral models.

The default model is two-compartment (Tanna 2022 found its median profiles "best described by a
two-compartment model with central elimination"); it is fitted to the study's medians and summed
over doses as a sum of exponentials with the same log-domain states described below.

The model is linear, so the concentration after many doses is the sum of single-dose (Bateman)
curves. Instead of summing doses x grid points, the sum is carried by two exponentially decaying
state sums, one per rate constant, accumulated over the sorted doses in the log domain
(`np.logaddexp.accumulate`) and read off at each grid time from the last dose before it. That
costs O(doses + grid) time and memory, with no loop over doses and no ODE solver.

Every model parameter comes from one study's parameter set in `knowledge/pharmacokinetics.toml`,
derived from that set's own figures and marked as derived; figures of different studies are never
mixed. Times are in hours from any origin the caller chooses; concentrations are in nmol/L.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from mitra.knowledge.pharmacokinetics import (
    Alkaloid,
    Figure,
    ParameterSet,
    load_pharmacokinetics,
)

__all__ = [
    "DEFAULT_PARAMETER_SET",
    "ONE_COMPARTMENT_SET",
    "AlkaloidDose",
    "DerivedParameter",
    "ExposureCurve",
    "ExposureModel",
    "OneCompartment",
    "RegularDosing",
    "TwoCompartment",
    "absorption_rate",
    "accumulation_ratio",
    "alkaloid_dose",
    "concentration_nM",
    "default_grid",
    "elimination_rate",
    "exposure_curve",
    "exposure_model",
    "hours_since_last_dose",
    "one_compartment",
    "regular_dosing",
    "sample_one_compartment",
    "sample_two_compartment",
    "time_to_steady_state_hours",
    "two_compartment",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: The default model: Tanna 2022's figures as a two-compartment oral model (its leaf is also the
#: default alkaloid content, so dose and model agree).
DEFAULT_PARAMETER_SET = "tanna2022_two_compartment"
#: The same study's one-compartment set, kept by name (it gets the peak 13x too low).
ONE_COMPARTMENT_SET = "tanna2022"

_LN2 = math.log(2.0)
# mg/L to nmol/L: (mg/L) x 1e-3 g/mg / (g/mol) x 1e9 nmol/mol = (mg/L) x 1e6 / (g/mol).
_NM_PER_MG_PER_L_TIMES_G_PER_MOL = 1e6
# Below this relative gap between ka and ke the Bateman difference quotient loses digits to
# cancellation (rounding is amplified by about 1 / (gap k dt)); the two rates are then moved
# apart symmetrically to this gap. The quotient is even in the gap, so the concentration changes
# by a relative (gap k dt)^2 / 6: below 1e-10 while k dt < 20, i.e. wherever it is not ~0.
_MIN_RELATIVE_RATE_GAP = 1e-6
# Grid points per chunk x samples: bounds the band's working memory to ~16 MB per array.
_BAND_CHUNK_ELEMENTS = 1 << 21
_BAND_PERCENTILES = (5.0, 95.0)


# --- Dose normalisation ------------------------------------------------------------------------


@dataclass(frozen=True)
class AlkaloidDose:
    """mg of an alkaloid in a dose: a lab figure, or a literature estimate with its range."""

    alkaloid: str
    mg: float
    low_mg: float
    high_mg: float
    is_estimate: bool
    sources: tuple[str, ...]
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "alkaloid": self.alkaloid,
            "mg": self.mg,
            "low_mg": self.low_mg,
            "high_mg": self.high_mg,
            "is_estimate": self.is_estimate,
            "sources": list(self.sources),
            "note": self.note,
        }


def alkaloid_dose(
    grams: float,
    *,
    alkaloid: Alkaloid = "mitragynine",
    lab_mg_per_g: float | None = None,
    product: str = "leaf",
) -> AlkaloidDose:
    """mg of `alkaloid` in `grams` of product, from its lab figure or else a literature default.

    Parameters
    ----------
    grams : float
        Grams of product taken (>= 0).
    alkaloid : {"mitragynine", "7-hydroxymitragynine"}
        Which alkaloid to count.
    lab_mg_per_g : float or None
        The product's lab-tested content in mg per g. When given, the result is exact
        (`is_estimate` False) and carries no source.
    product : {"leaf", "7-OH product"}
        Kind of product, used to pick the literature default when there is no lab figure.

    Returns
    -------
    AlkaloidDose
        `mg` with `low_mg` and `high_mg` (equal to `mg` for a lab figure), whether it is an
        estimate, and the sources of the default (pharmacokinetics.toml, `default_content`).

    Raises
    ------
    ValueError
        Negative grams or content.
    KeyError
        No literature default exists for this alkaloid in this product (enter a lab figure).
    """
    if not grams >= 0:
        raise ValueError("grams must be zero or more")
    if lab_mg_per_g is not None:
        if not lab_mg_per_g >= 0:
            raise ValueError("lab content must be zero or more mg per g")
        mg = grams * lab_mg_per_g
        return AlkaloidDose(alkaloid, mg, mg, mg, is_estimate=False, sources=(), note="lab figure")
    pk = load_pharmacokinetics()
    default = pk.default_for(alkaloid, product)
    rows = [pk.content[cid] for cid in default.span]
    low = min(row.span[0] for row in rows)
    high = max(row.span[1] for row in rows)
    if default.central == "midpoint":
        central = (low + high) / 2.0
    else:
        central_row = pk.content[default.central]
        assert central_row.mg_per_g is not None  # a central row is a single figure
        central = central_row.mg_per_g
    ids = [default.central, *default.span] if default.central != "midpoint" else [*default.span]
    sources = tuple(dict.fromkeys(sid for cid in ids for sid in pk.content[cid].sources))
    return AlkaloidDose(
        alkaloid,
        grams * central,
        grams * low,
        grams * high,
        is_estimate=True,
        sources=sources,
        note=default.note,
    )


# --- Deriving a model from one study's figures --------------------------------------------------


def elimination_rate(half_life_hours: npt.ArrayLike) -> FloatArray:
    """Elimination rate constant ke = ln 2 / t1/2, in 1/h, from half-lives in hours."""
    t_half = np.asarray(half_life_hours, dtype=np.float64)
    if np.any(~(t_half > 0)):
        raise ValueError("half-lives must be positive")
    return _LN2 / t_half


def absorption_rate(tmax_hours: npt.ArrayLike, ke_per_hour: npt.ArrayLike) -> FloatArray:
    """Absorption rate constant ka (1/h) that puts a one-compartment peak at `tmax_hours`.

    The peak satisfies ln(ka/ke) = (ka - ke) Tmax. With c = ke Tmax < 1, its non-trivial root
    (ka > ke) is ka = -W_{-1}(-c e^{-c}) / Tmax, where W_{-1} is the lower branch of the Lambert
    W function; the principal branch gives back the trivial root ka = ke.

    Parameters
    ----------
    tmax_hours : array_like
        Time of the peak after a single dose, in hours (> 0).
    ke_per_hour : array_like
        Elimination rate constant, in 1/h; Tmax must be shorter than 1/ke.
    """
    tmax = np.asarray(tmax_hours, dtype=np.float64)
    ke = np.asarray(ke_per_hour, dtype=np.float64)
    c = ke * tmax
    if np.any(~(tmax > 0)) or np.any(~(c < 1)):
        raise ValueError("Tmax must be positive and shorter than 1/ke")
    # Imported here: scipy.special costs about 0.3 s to import, and logging a dose from the
    # terminal imports this module without deriving any rate constant.
    from scipy.special import lambertw

    w = np.asarray(lambertw(-c * np.exp(-c), k=-1), dtype=np.complex128).real
    return np.asarray(-w / tmax, dtype=np.float64)


@dataclass(frozen=True)
class DerivedParameter:
    """A model parameter, derived from named figures of one parameter set."""

    name: str
    value: float
    unit: str
    derivation: str
    inputs: tuple[str, ...]
    derived: bool = True

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "derivation": self.derivation,
            "inputs": list(self.inputs),
            "derived": self.derived,
        }


@dataclass(frozen=True)
class OneCompartment:
    """A one-compartment oral model with first-order absorption, from one parameter set.

    C(t) = Dose ka / (V/F (ka - ke)) (e^{-ke t} - e^{-ka t}), in mg/L, converted to nmol/L
    with the alkaloid's molar mass.
    """

    parameter_set: str
    alkaloid: Alkaloid
    ka_per_hour: float
    ke_per_hour: float
    volume_L: float  # noqa: N815  unit symbols keep their case: nM is not mM, L is litres
    molar_mass_g_per_mol: float
    parameters: tuple[DerivedParameter, ...]
    sources: tuple[str, ...]
    caveats: tuple[str, ...] = ()

    @property
    def half_life_hours(self) -> float:
        """Elimination half-life ln 2 / ke, in hours."""
        return _LN2 / self.ke_per_hour

    @property
    def clearance_L_per_h(self) -> float:  # noqa: N802  unit symbol L keeps its case
        """Apparent clearance CL/F = ke V/F, in L/h."""
        return self.ke_per_hour * self.volume_L

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "parameter_set": self.parameter_set,
            "alkaloid": self.alkaloid,
            "ka_per_hour": self.ka_per_hour,
            "ke_per_hour": self.ke_per_hour,
            "volume_L": self.volume_L,
            "clearance_L_per_h": self.clearance_L_per_h,
            "half_life_hours": self.half_life_hours,
            "molar_mass_g_per_mol": self.molar_mass_g_per_mol,
            "parameters": [p.as_dict() for p in self.parameters],
            "sources": list(self.sources),
            "caveats": list(self.caveats),
        }


def _modelled_set(parameter_set: str) -> ParameterSet:
    pset = load_pharmacokinetics().parameter_set(parameter_set)
    if pset.model is None:
        raise ValueError(
            f"{parameter_set} reports no figures a concentration model can be derived from"
        )
    return pset


def _volume(
    pset: ParameterSet, ke: FloatArray, figures: dict[str, FloatArray], body_mass_kg: float | None
) -> FloatArray:
    assert pset.model is not None
    if pset.model.volume == "clearance":
        return figures["clearance_L_per_h"] / ke
    if body_mass_kg is None or not body_mass_kg > 0:
        raise ValueError(f"{pset.id} reports volume per kg: give the person's body mass in kg")
    return figures["volume_L_per_kg"] * body_mass_kg


def _derive(
    pset: ParameterSet, figures: dict[str, FloatArray], body_mass_kg: float | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(ka, ke, V/F) from one set's figures (central values or samples), per the set's recipe."""
    ke = elimination_rate(figures["half_life_hours"])
    ka = absorption_rate(figures["tmax_hours"], ke)
    return ka, ke, _volume(pset, ke, figures, body_mass_kg)


def one_compartment(
    parameter_set: str = ONE_COMPARTMENT_SET, *, body_mass_kg: float | None = None
) -> OneCompartment:
    """The one-compartment model derived from one study's central figures.

    Parameters
    ----------
    parameter_set : str
        Id of a parameter set in pharmacokinetics.toml that has a `model` recipe.
    body_mass_kg : float or None
        Body mass in kg; needed only by sets that report volume per kg.
    """
    pset = _modelled_set(parameter_set)
    assert pset.model is not None
    if pset.model.compartments != 1:
        raise ValueError(f"{parameter_set} is a two-compartment set: use two_compartment()")
    figures = {name: np.array([pset.central(name)]) for name in pset.model.needs()}
    ka, ke, volume = (float(x[0]) for x in _derive(pset, figures, body_mass_kg))
    if pset.model.volume == "clearance":
        v_param = DerivedParameter(
            "volume_L", volume, "L", "V/F = (CL/F) / ke", ("clearance_L_per_h", "half_life_hours")
        )
    else:
        v_param = DerivedParameter(
            "volume_L",
            volume,
            "L",
            f"V/F = (Vd/F per kg) x {body_mass_kg} kg body mass",
            ("volume_L_per_kg",),
        )
    parameters = (
        DerivedParameter("ke_per_hour", ke, "1/h", "ke = ln 2 / t1/2", ("half_life_hours",)),
        DerivedParameter(
            "ka_per_hour",
            ka,
            "1/h",
            "ka solved from Tmax given ke: ka = -W_{-1}(-ke Tmax e^{-ke Tmax}) / Tmax",
            ("tmax_hours", "half_life_hours"),
        ),
        v_param,
    )
    pk = load_pharmacokinetics()
    return OneCompartment(
        parameter_set=pset.id,
        alkaloid=pset.alkaloid,
        ka_per_hour=ka,
        ke_per_hour=ke,
        volume_L=volume,
        molar_mass_g_per_mol=pk.molar_mass(pset.alkaloid),
        parameters=parameters,
        sources=tuple(
            dict.fromkeys([*pset.all_sources(), *pk.molar_masses[pset.alkaloid].sources])
        ),
        caveats=tuple(c.text for c in pset.caveats),
    )


def _sample_figure(fig: Figure, spread: str, n: int, rng: np.random.Generator) -> FloatArray:
    """Draws of one figure from its reported spread.

    Mean +/- SD: a log-normal with that mean and SD (the figures are positive and skewed).
    Median (range): on the log scale, half the draws from a triangle rising from the minimum
    to the median and half from one falling from the median to the maximum, so the draws keep
    the reported median and never leave the observed range. Figures without spread stay fixed.
    """
    assert fig.value is not None
    if spread == "sd" and fig.sd:
        sigma2 = math.log1p((fig.sd / fig.value) ** 2)
        mu = math.log(fig.value) - sigma2 / 2.0
        return rng.lognormal(mu, math.sqrt(sigma2), n)
    if spread == "range" and fig.low is not None and fig.high is not None and fig.low < fig.high:
        low, mid, high = math.log(fig.low), math.log(fig.value), math.log(fig.high)
        below = rng.triangular(low, mid, mid, n) if low < mid else np.full(n, mid)
        above = rng.triangular(mid, mid, high, n) if mid < high else np.full(n, mid)
        return np.exp(np.where(rng.random(n) < 0.5, below, above))
    return np.full(n, fig.value)


def sample_one_compartment(
    parameter_set: str = DEFAULT_PARAMETER_SET,
    n: int = 200,
    *,
    seed: int = 0,
    body_mass_kg: float | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(ka, ke, V/F) for `n` draws from one study's reported spread, seeded.

    Each figure the recipe needs is drawn independently from its own spread (the studies do not
    report correlations), then ka, ke and V/F are derived per draw as for the central model.
    A draw whose Tmax is not shorter than 1/ke (possible only in a far tail) has its Tmax
    shortened to 0.999/ke, where absorption and elimination rates nearly meet.
    """
    pset = _modelled_set(parameter_set)
    assert pset.model is not None
    rng = np.random.default_rng(seed)
    figures = {
        name: _sample_figure(pset.figure(name), pset.spread, n, rng) for name in pset.model.needs()
    }
    ke = elimination_rate(figures["half_life_hours"])
    figures["tmax_hours"] = np.minimum(figures["tmax_hours"], 0.999 / ke)
    return _derive(pset, figures, body_mass_kg)


# --- A two-compartment oral model fitted to one study's medians ---------------------------------
#
# C(t) = A (e^{-alpha t} - e^{-ka t}) + B (e^{-beta t} - e^{-ka t}) after one dose (no lag time:
# the study reports none). beta comes from the terminal half-life. Given ka and alpha, C(Tmax) =
# Cmax and C'(Tmax) = 0 are linear in A and B; AUCinf = A/alpha + B/beta - (A+B)/ka then fixes
# alpha (the AUC is monotone in alpha, so bisection finds it). ka is the one degree of freedom the
# medians leave: every ka in a bounded interval reproduces them (below it no alpha < ka fits,
# above it B turns negative, i.e. no terminal phase). The central model takes the interval's
# geometric middle; the band draws ka across its inner part.

_BISECTION_STEPS = 90
#: Share of the feasible ka interval (log scale) from which the band draws ka: its inner 80%,
#: which keeps alpha clear of ka (where the coefficients blow up and cancel).
_KA_INNER_SHARE = 0.8
#: The feasible interval's edges: rounds and points a round (64^10 = 2^60, below float spacing).
_EDGE_ROUNDS = 10
_EDGE_POINTS = 64


def _coefficients(
    ka: FloatArray, alpha: FloatArray, beta: FloatArray, tmax: FloatArray, cmax: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(A, B) in nM that put the single-dose peak Cmax at Tmax, for given rates."""
    e_ka = np.exp(-ka * tmax)
    f1, f2 = np.exp(-alpha * tmax) - e_ka, np.exp(-beta * tmax) - e_ka
    g1 = -alpha * np.exp(-alpha * tmax) + ka * e_ka
    g2 = -beta * np.exp(-beta * tmax) + ka * e_ka
    det = f1 * g2 - f2 * g1
    with np.errstate(divide="ignore", invalid="ignore"):
        return cmax * g2 / det, -cmax * g1 / det


def _auc(
    ka: FloatArray, alpha: FloatArray, beta: FloatArray, a: FloatArray, b: FloatArray
) -> FloatArray:
    return np.asarray(a / alpha + b / beta - (a + b) / ka, dtype=np.float64)


def _fit_two_compartment(
    ka: FloatArray, beta: FloatArray, tmax: FloatArray, cmax: FloatArray, auc: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """(alpha, A, B, valid) for each ka, by vectorised bisection on log alpha in (beta, ka)."""
    lo = np.log(beta * (1 + 1e-9))
    hi = np.log(ka * (1 - 1e-6))

    def residual(log_alpha: FloatArray) -> FloatArray:
        alpha = np.exp(log_alpha)
        a, b = _coefficients(ka, alpha, beta, tmax, cmax)
        return _auc(ka, alpha, beta, a, b) - auc

    with np.errstate(all="ignore"):
        r_lo, r_hi = residual(lo), residual(hi)
        bracketed = (np.sign(r_lo) != np.sign(r_hi)) & np.isfinite(r_lo) & np.isfinite(r_hi)
        for _ in range(_BISECTION_STEPS):
            mid = (lo + hi) / 2.0
            r_mid = residual(mid)
            same = np.sign(r_mid) == np.sign(r_lo)
            lo = np.where(same, mid, lo)
            r_lo = np.where(same, r_mid, r_lo)
            hi = np.where(same, hi, mid)
        alpha = np.exp((lo + hi) / 2.0)
        a, b = _coefficients(ka, alpha, beta, tmax, cmax)
    valid = bracketed & (a > 0) & (b > 0) & np.isfinite(a) & np.isfinite(b) & (ka > alpha)
    return alpha, a, b, valid


def _feasible_ka(beta: float, tmax: float, cmax: float, auc: float) -> tuple[float, float]:
    """The interval of ka (1/h) over which a two-compartment model reproduces the medians."""
    grid = np.geomspace(0.05 / tmax, 200.0 / tmax, 400)
    ones = np.ones_like(grid)
    valid = _fit_two_compartment(grid, beta * ones, tmax * ones, cmax * ones, auc * ones)[3]
    if not valid.any():
        raise ValueError("no two-compartment model reproduces these figures")
    first = int(np.argmax(valid))
    last = first + int(np.argmin(valid[first:])) - 1 if not valid[first:].all() else grid.size - 1

    def edge(inside: float, outside: float) -> float:
        # Each round tries 63 points between the two (one vectorised fit) and keeps the first
        # step from valid to not valid: 64 times narrower a round, so ten rounds narrow the
        # bracket 2^60-fold, as sixty halvings would, at a sixth of the numpy calls (this fit
        # is the first exposure figure of every process).
        for _ in range(_EDGE_ROUNDS):
            points = np.geomspace(inside, outside, _EDGE_POINTS + 1)
            size = np.ones_like(points)
            ok = _fit_two_compartment(points, beta * size, tmax * size, cmax * size, auc * size)[3]
            ok[0], ok[-1] = True, False  # the bracket's ends, as the grid found them
            k = int(np.argmin(ok))
            inside, outside = float(points[k - 1]), float(points[k])
        return inside

    low = edge(float(grid[first]), float(grid[first - 1])) if first > 0 else float(grid[0])
    high = (
        edge(float(grid[last]), float(grid[last + 1])) if last < grid.size - 1 else float(grid[-1])
    )
    return low, high


@dataclass(frozen=True)
class TwoCompartment:
    """A two-compartment oral model (first-order absorption, central elimination), one study.

    C(t) = Dose (a e^{-alpha t} + b e^{-beta t} - (a + b) e^{-ka t}), with a and b in nmol/L per
    mg; the apparent micro-constants (V1/F, CL/F, Q/F, V2/F) follow from them and are shown.
    """

    parameter_set: str
    alkaloid: Alkaloid
    ka_per_hour: float
    alpha_per_hour: float
    beta_per_hour: float
    a_nM_per_mg: float  # noqa: N815  unit symbols keep their case
    b_nM_per_mg: float  # noqa: N815  unit symbols keep their case
    ka_interval_per_hour: tuple[float, float]
    molar_mass_g_per_mol: float
    parameters: tuple[DerivedParameter, ...]
    sources: tuple[str, ...]
    caveats: tuple[str, ...] = ()

    @property
    def half_life_hours(self) -> float:
        """Terminal half-life ln 2 / beta, in hours."""
        return _LN2 / self.beta_per_hour

    @property
    def rates(self) -> FloatArray:
        """(alpha, beta, ka) in 1/h."""
        return np.array([self.alpha_per_hour, self.beta_per_hour, self.ka_per_hour])

    @property
    def coefficients(self) -> FloatArray:
        """nmol/L per mg for each rate of `rates`."""
        a, b = self.a_nM_per_mg, self.b_nM_per_mg
        return np.array([a, b, -(a + b)])

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "parameter_set": self.parameter_set,
            "alkaloid": self.alkaloid,
            "compartments": 2,
            "ka_per_hour": self.ka_per_hour,
            "ka_interval_per_hour": list(self.ka_interval_per_hour),
            "alpha_per_hour": self.alpha_per_hour,
            "beta_per_hour": self.beta_per_hour,
            "half_life_hours": self.half_life_hours,
            "molar_mass_g_per_mol": self.molar_mass_g_per_mol,
            "parameters": [p.as_dict() for p in self.parameters],
            "sources": list(self.sources),
            "caveats": list(self.caveats),
        }


def _two_compartment_figures(pset: ParameterSet) -> tuple[float, float, float, float, float]:
    """(beta, Tmax, Cmax per mg, AUC per mg, dose mg) from a set's central figures."""
    assert pset.dose_mg is not None
    beta = float(elimination_rate(pset.central("half_life_hours")))
    return (
        beta,
        pset.central("tmax_hours"),
        pset.central("cmax_nM"),
        pset.central("auc_nM_h"),
        pset.dose_mg,
    )


def two_compartment(parameter_set: str = DEFAULT_PARAMETER_SET) -> TwoCompartment:
    """The two-compartment model fitted to one study's medians (see the module's section)."""
    pset = _modelled_set(parameter_set)
    assert pset.model is not None
    if pset.model.compartments != 2:
        raise ValueError(f"{parameter_set} is a one-compartment set: use one_compartment()")
    return _two_compartment_cached(parameter_set)


@cache
def _two_compartment_cached(parameter_set: str) -> TwoCompartment:
    pset = _modelled_set(parameter_set)
    beta, tmax, cmax, auc, dose = _two_compartment_figures(pset)
    ka_low, ka_high = _feasible_ka(beta, tmax, cmax, auc)
    ka = math.sqrt(ka_low * ka_high)
    alpha_a, a_a, b_a, ok = _fit_two_compartment(
        np.array([ka]), np.array([beta]), np.array([tmax]), np.array([cmax]), np.array([auc])
    )
    assert ok[0]
    alpha, a, b = float(alpha_a[0]), float(a_a[0]), float(b_a[0])
    pk = load_pharmacokinetics()
    molar_mass = pk.molar_mass(pset.alkaloid)
    nmol = dose / molar_mass * _NM_PER_MG_PER_L_TIMES_G_PER_MOL  # nmol in the study's dose
    # Intravenous-equivalent coefficients, then the apparent micro-constants.
    iv_a, iv_b = a * (ka - alpha) / ka, b * (ka - beta) / ka
    v1 = nmol / (iv_a + iv_b)
    k21 = (iv_a * beta + iv_b * alpha) / (iv_a + iv_b)
    k10 = alpha * beta / k21
    k12 = alpha + beta - k21 - k10
    fitted = ("tmax_hours", "cmax_nM", "auc_nM_h", "half_life_hours")
    parameters = (
        DerivedParameter(
            "beta_per_hour", beta, "1/h", "beta = ln 2 / terminal t1/2", ("half_life_hours",)
        ),
        DerivedParameter(
            "ka_per_hour",
            ka,
            "1/h",
            f"not identified by the medians: any ka in {ka_low:.3g}-{ka_high:.3g} /h reproduces "
            "them; the geometric middle of that interval",
            fitted,
        ),
        DerivedParameter(
            "alpha_per_hour",
            alpha,
            "1/h",
            "distribution rate solved so that the model's AUCinf equals the reported median",
            fitted,
        ),
        DerivedParameter("central_volume_L", v1, "L", "V1/F from the fitted coefficients", fitted),
        DerivedParameter(
            "clearance_L_per_h", k10 * v1, "L/h", "CL/F = k10 V1/F (equals dose / AUCinf)", fitted
        ),
        DerivedParameter(
            "intercompartmental_clearance_L_per_h", k12 * v1, "L/h", "Q/F = k12 V1/F", fitted
        ),
        DerivedParameter(
            "peripheral_volume_L", v1 * k12 / k21, "L", "V2/F = V1/F k12 / k21", fitted
        ),
    )
    return TwoCompartment(
        parameter_set=pset.id,
        alkaloid=pset.alkaloid,
        ka_per_hour=ka,
        alpha_per_hour=alpha,
        beta_per_hour=beta,
        a_nM_per_mg=a / dose,
        b_nM_per_mg=b / dose,
        ka_interval_per_hour=(ka_low, ka_high),
        molar_mass_g_per_mol=molar_mass,
        parameters=parameters,
        sources=tuple(
            dict.fromkeys([*pset.all_sources(), *pk.molar_masses[pset.alkaloid].sources])
        ),
        caveats=tuple(c.text for c in pset.caveats),
    )


def sample_two_compartment(
    parameter_set: str = DEFAULT_PARAMETER_SET, n: int = 200, *, seed: int = 0
) -> tuple[FloatArray, FloatArray]:
    """(rates, coefficients) for up to `n` draws, shape (draws, 3), seeded.

    Tmax, Cmax, AUCinf and the half-life are drawn independently from their reported ranges
    (the study reports no correlations), and ka from the inner part of the interval that fits
    the medians, scaled by each draw's Tmax. Draws no two-compartment model can reproduce are
    dropped, so fewer than `n` may return (at least one: the central model).
    """
    rates, coefs = _two_compartment_draws(parameter_set, n, seed)
    return rates.copy(), coefs.copy()


@lru_cache(maxsize=16)
def _two_compartment_draws(parameter_set: str, n: int, seed: int) -> tuple[FloatArray, FloatArray]:
    """`sample_two_compartment`'s draws, made once per process: fitting each draw's model costs
    about ten milliseconds, paid by every exposure band (Today after each dose) for the same
    seeded draws. Read-only, since they are shared."""
    pset = _modelled_set(parameter_set)
    central = two_compartment(parameter_set)
    rng = np.random.default_rng(seed)
    m = 4 * n
    figs = {
        name: _sample_figure(pset.figure(name), pset.spread, m, rng)
        for name in ("tmax_hours", "cmax_nM", "auc_nM_h", "half_life_hours")
    }
    beta = elimination_rate(figs["half_life_hours"])
    ka_low, ka_high = central.ka_interval_per_hour
    span = math.log(ka_high / ka_low)
    margin = span * (1.0 - _KA_INNER_SHARE) / 2.0
    log_ka = rng.uniform(math.log(ka_low) + margin, math.log(ka_high) - margin, m)
    ka = np.exp(log_ka) * pset.central("tmax_hours") / figs["tmax_hours"]
    alpha, a, b, valid = _fit_two_compartment(
        ka, beta, figs["tmax_hours"], figs["cmax_nM"], figs["auc_nM_h"]
    )
    keep = np.flatnonzero(valid)[:n]
    assert pset.dose_mg is not None
    rates = np.column_stack([alpha[keep], beta[keep], ka[keep]])
    coefs = np.column_stack([a[keep], b[keep], -(a[keep] + b[keep])]) / pset.dose_mg
    if keep.size == 0:
        rates, coefs = central.rates[None, :], central.coefficients[None, :]
    rates.flags.writeable = coefs.flags.writeable = False
    return rates, coefs


def _superpose_exponentials(
    dose_hours: npt.ArrayLike,
    dose_mg: npt.ArrayLike,
    times_hours: npt.ArrayLike,
    *,
    rates: FloatArray,
    coefficients: FloatArray,
) -> FloatArray:
    """sum over past doses of mg sum_j c_j e^{-k_j dt}, for each draw: shape (draws, times).

    `rates` and `coefficients` have shape (draws, terms). Each rate's dose sum is carried by the
    same log-domain state as the one-compartment model, so the cost is O(doses + times) per term.
    """
    t_dose, log_mg, t, last_dose = _prepared(dose_hours, dose_mg, times_hours)
    draws, terms = rates.shape
    if t_dose.size == 0:
        return np.zeros((draws, t.size))
    k = rates.ravel()
    states = _log_states(t_dose, log_mg, k)  # (draws*terms, doses)
    out = np.zeros((draws, t.size))
    # A dose taken exactly at t adds C(0) = 0; leaving it out keeps its terms from cancelling
    # to a rounding residue instead of exact zero.
    last_dose = np.searchsorted(t_dose, t, side="left").astype(np.int64) - 1
    before = last_dose < 0
    j = np.maximum(last_dose, 0)
    tt = np.where(before, 0.0, t)
    chunk = max(1024, _BAND_CHUNK_ELEMENTS // max(1, draws * terms))
    for start in range(0, t.size, chunk):
        part = slice(start, start + chunk)
        values = np.exp(states[:, j[part]] - k[:, None] * tt[None, part])
        values = values.reshape(draws, terms, -1) * coefficients[:, :, None]
        out[:, part] = values.sum(axis=1)
    out[:, before] = 0.0
    np.maximum(out, 0.0, out=out)  # rounding right at a dose can leave -1e-15
    return out


# --- Superposition -------------------------------------------------------------------------------


def _apart(ka: FloatArray, ke: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(slower, faster) rate, moved apart symmetrically if they nearly coincide (see the gap)."""
    mean = (ka + ke) / 2.0
    half_gap = np.maximum(np.abs(ka - ke) / 2.0, _MIN_RELATIVE_RATE_GAP * mean)
    return mean - half_gap, mean + half_gap


def _log_states(t_dose: FloatArray, log_mg: FloatArray, k: FloatArray) -> FloatArray:
    """log sum_{i<=j} mg_i e^{k t_i} for every dose j and rate k: shape (rates, doses).

    Working in logs keeps e^{k t} (k up to tens per hour, t up to years) from overflowing; the
    result is exact to ~1e-16 relative of k t, i.e. about 1e-10 relative after five years.
    """
    return np.logaddexp.accumulate(log_mg[None, :] + k[:, None] * t_dose[None, :], axis=1)


def _evaluate(
    *,
    states_slow: FloatArray,
    states_fast: FloatArray,
    k_slow: FloatArray,
    k_fast: FloatArray,
    last_dose: IntArray,
    t: FloatArray,
) -> FloatArray:
    """sum over past doses of mg (e^{-k_slow dt} - e^{-k_fast dt}) / (k_fast - k_slow)."""
    before = last_dose < 0
    j = np.maximum(last_dose, 0)
    # Before the first dose, read the state at the first dose (t = 0 on this clock) rather than
    # extrapolate it backwards, which would overflow; those points are zeroed below.
    t = np.where(before, 0.0, t)
    slow = np.exp(states_slow[:, j] - k_slow[:, None] * t[None, :])
    fast = np.exp(states_fast[:, j] - k_fast[:, None] * t[None, :])
    out = (slow - fast) / (k_fast - k_slow)[:, None]
    out[:, before] = 0.0  # before the first dose there is nothing
    return out


def _prepared(
    dose_hours: npt.ArrayLike, dose_mg: npt.ArrayLike, times_hours: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, IntArray]:
    """Sorted dose times, log amounts, grid times (all from the first dose) and last-dose index."""
    t_dose = np.asarray(dose_hours, dtype=np.float64).ravel()
    mg = np.asarray(dose_mg, dtype=np.float64).ravel()
    t = np.asarray(times_hours, dtype=np.float64).ravel()
    if t_dose.shape != mg.shape:
        raise ValueError("give one amount per dose time")
    if not (np.all(np.isfinite(t_dose)) and np.all(np.isfinite(t))):
        raise ValueError("times must be finite")
    if np.any(~(mg >= 0)) or not np.all(np.isfinite(mg)):
        raise ValueError("dose amounts must be finite and zero or more mg")
    if t_dose.size == 0:
        return t_dose, mg, t, np.full(t.shape, -1, dtype=np.int64)
    order = np.argsort(t_dose, kind="stable")
    origin = t_dose[order[0]]  # from the first dose, so k t stays as small as it can
    t_dose = t_dose[order] - origin
    with np.errstate(divide="ignore"):  # a zero dose is log 0 = -inf, which adds nothing
        log_mg = np.log(mg[order])
    t = t - origin
    last_dose = np.searchsorted(t_dose, t, side="right").astype(np.int64) - 1
    return t_dose, log_mg, t, last_dose


def _superpose(
    dose_hours: npt.ArrayLike,
    dose_mg: npt.ArrayLike,
    times_hours: npt.ArrayLike,
    *,
    ka: FloatArray,
    ke: FloatArray,
    volume: FloatArray,
    molar_mass: float,
) -> FloatArray:
    """Concentrations in nmol/L for each of several parameter draws: shape (draws, times)."""
    t_dose, log_mg, t, last_dose = _prepared(dose_hours, dose_mg, times_hours)
    draws = ka.shape[0]
    if t_dose.size == 0:
        return np.zeros((draws, t.size))
    k_slow, k_fast = _apart(ka, ke)
    states_slow = _log_states(t_dose, log_mg, k_slow)
    states_fast = _log_states(t_dose, log_mg, k_fast)
    scale = ka / volume * (_NM_PER_MG_PER_L_TIMES_G_PER_MOL / molar_mass)
    out = np.empty((draws, t.size))
    # Chunks over the grid bound working memory for many draws; one chunk when there is one.
    chunk = max(1024, _BAND_CHUNK_ELEMENTS // draws)
    for start in range(0, t.size, chunk):
        part = slice(start, start + chunk)
        out[:, part] = _evaluate(
            states_slow=states_slow,
            states_fast=states_fast,
            k_slow=k_slow,
            k_fast=k_fast,
            last_dose=last_dose[part],
            t=t[part],
        )
    out *= scale[:, None]
    return out


# A grid with at least this many points, evenly spaced, is summed by one recursive filter.
_UNIFORM_GRID_MIN_POINTS = 4096
# The filter's inputs come from a small Vandermonde solve; past this condition number (a very
# fine grid against slow rates) its rounding could show, and the log-domain sum is used instead.
_UNIFORM_GRID_MAX_CONDITION = 1e8


def _on_uniform_grid(
    dose_hours: npt.ArrayLike,
    dose_mg: npt.ArrayLike,
    times_hours: npt.ArrayLike,
    rates: FloatArray,
    coefficients: FloatArray,
) -> FloatArray | None:
    """sum over past doses of mg sum_j c_j e^{-k_j dt} on a long, evenly spaced, ascending grid,
    by one recursive filter of order `terms`; None when the grid is not such a grid.

    With r_j = e^{-k_j step}, the curve is the output of H(z) = sum_j c_j / (1 - r_j z^-1) fed
    with each dose. A dose between grid points i-1 and i reaches point i decayed by a different
    factor per term, w_j = mg e^{-k_j (t_i - t_dose)}; feeding a_0, a_1, a_2 at points i, i+1,
    i+2 with sum_m a_m r_j^-m = w_j (one fixed Vandermonde system for all doses) gives exactly
    the dose's curve from i+2 on, and the two points before are corrected directly. One filter
    pass replaces one pass per term (the straightforward recurrence) and every exponential per
    grid point (the log-domain sum).
    """
    t = np.asarray(times_hours, dtype=np.float64).ravel()
    n = t.size
    terms = rates.size
    if n < _UNIFORM_GRID_MIN_POINTS or not np.all(np.isfinite(t[[0, -1]])):
        return None
    step = (t[-1] - t[0]) / (n - 1)
    if not step > 0 or np.max(np.abs(np.diff(t) - step)) > 1e-9 * step + 1e-12 * abs(t[-1]):
        return None
    r = np.exp(-rates * step)
    vandermonde = r[:, None] ** -np.arange(terms)[None, :]  # [j, m] = r_j^-m
    if np.linalg.cond(vandermonde) > _UNIFORM_GRID_MAX_CONDITION:
        return None
    t_dose = np.asarray(dose_hours, dtype=np.float64).ravel()
    mg = np.asarray(dose_mg, dtype=np.float64).ravel()
    if t_dose.shape != mg.shape:
        raise ValueError("give one amount per dose time")
    if not np.all(np.isfinite(t_dose)):
        raise ValueError("times must be finite")
    if np.any(~(mg >= 0)) or not np.all(np.isfinite(mg)):
        raise ValueError("dose amounts must be finite and zero or more mg")
    # Imported here: only a long grid needs it, and it costs an import on the way to Today.
    from scipy.signal import lfilter

    first = np.searchsorted(t, t_dose, side="right")  # C(0) = 0: a dose adds after it
    on = first < n
    first, mg_on = first[on], mg[on]
    delay = t[first] - t_dose[on]
    weights = mg_on[:, None] * np.exp(-rates[None, :] * delay[:, None])  # w[d, j]
    inputs = np.linalg.solve(vandermonde, weights.T).T  # a[d, m]
    places = (first[:, None] + np.arange(terms)[None, :]).ravel()
    fed = np.bincount(places, weights=inputs.ravel(), minlength=n + terms)[:n]
    denominator = np.poly(r)
    numerator = sum(c * np.poly(np.delete(r, j)) for j, c in enumerate(coefficients))
    out = lfilter(numerator, denominator, fed)
    # Points i .. i+terms-2 after a dose hold the filter's start-up, not the dose's curve: add
    # the difference, from the same inputs, so every point is exact.
    for lag in range(terms - 1):
        true = (coefficients[None, :] * weights * r[None, :] ** lag).sum(axis=1)
        given = np.zeros(first.size)
        for m in range(lag + 1):
            given += inputs[:, m] * (coefficients * r ** (lag - m)).sum()
        np.add.at(out, np.minimum(first + lag, n - 1), np.where(first + lag < n, true - given, 0.0))
    np.maximum(out, 0.0, out=out)  # rounding right at a dose can leave -1e-15
    return np.asarray(out, dtype=np.float64)


ExposureModel = OneCompartment | TwoCompartment


def exposure_model(
    parameter_set: str = DEFAULT_PARAMETER_SET, *, body_mass_kg: float | None = None
) -> ExposureModel:
    """The model a parameter set's recipe asks for: one- or two-compartment."""
    pset = _modelled_set(parameter_set)
    assert pset.model is not None
    if pset.model.compartments == 2:
        return two_compartment(parameter_set)
    return one_compartment(parameter_set, body_mass_kg=body_mass_kg)


def concentration_nM(  # noqa: N802  nM is a unit symbol (not nm, not mM)
    dose_hours: npt.ArrayLike,
    dose_mg: npt.ArrayLike,
    times_hours: npt.ArrayLike,
    model: ExposureModel | None = None,
) -> FloatArray:
    """Plasma concentration (nmol/L) at each time, summed over all doses; O(doses + times).

    Parameters
    ----------
    dose_hours : array_like
        Time of each dose, in hours (any origin, any order).
    dose_mg : array_like
        mg of the model's alkaloid in each dose.
    times_hours : array_like
        Times to evaluate, in hours on the same clock (any order).
    model : OneCompartment, TwoCompartment or None
        The model; by default the one of `DEFAULT_PARAMETER_SET` (two-compartment).
    """
    m = model or exposure_model()
    if isinstance(m, TwoCompartment):
        fast = _on_uniform_grid(dose_hours, dose_mg, times_hours, m.rates, m.coefficients)
        if fast is not None:
            return fast
        two: FloatArray = _superpose_exponentials(
            dose_hours,
            dose_mg,
            times_hours,
            rates=m.rates[None, :],
            coefficients=m.coefficients[None, :],
        )
        return np.asarray(two[0], dtype=np.float64)
    draws: FloatArray = _superpose(
        dose_hours,
        dose_mg,
        times_hours,
        ka=np.array([m.ka_per_hour]),
        ke=np.array([m.ke_per_hour]),
        volume=np.array([m.volume_L]),
        molar_mass=m.molar_mass_g_per_mol,
    )
    return np.asarray(draws[0], dtype=np.float64)


def _band(
    dose_hours: FloatArray,
    dose_mg: FloatArray,
    times_hours: FloatArray,
    *,
    parameter_set: str,
    samples: int,
    seed: int,
    body_mass_kg: float | None,
    molar_mass: float,
) -> tuple[FloatArray, FloatArray]:
    """5th and 95th percentile of the concentration over draws from the study's spread."""
    pset = _modelled_set(parameter_set)
    assert pset.model is not None
    if pset.model.compartments == 2:
        rates, coefs = sample_two_compartment(parameter_set, samples, seed=seed)
        draws2 = _superpose_exponentials(
            dose_hours, dose_mg, times_hours, rates=rates, coefficients=coefs
        )
        low2, high2 = np.percentile(draws2, _BAND_PERCENTILES, axis=0)
        return np.asarray(low2, dtype=np.float64), np.asarray(high2, dtype=np.float64)
    ka, ke, volume = sample_one_compartment(
        parameter_set, samples, seed=seed, body_mass_kg=body_mass_kg
    )
    low = np.empty(times_hours.size)
    high = np.empty(times_hours.size)
    chunk = max(1024, _BAND_CHUNK_ELEMENTS // samples)
    for start in range(0, times_hours.size, chunk):
        part = slice(start, start + chunk)
        draws = _superpose(
            dose_hours,
            dose_mg,
            times_hours[part],
            ka=ka,
            ke=ke,
            volume=volume,
            molar_mass=molar_mass,
        )
        low[part], high[part] = np.percentile(draws, _BAND_PERCENTILES, axis=0)
    return low, high


# --- Summaries ---------------------------------------------------------------------------------


def hours_since_last_dose(dose_hours: npt.ArrayLike, at_hours: float) -> float | None:
    """Hours from the latest dose at or before `at_hours`; None if there is none."""
    t_dose = np.asarray(dose_hours, dtype=np.float64).ravel()
    past = t_dose[t_dose <= at_hours]
    return float(at_hours - past.max()) if past.size else None


def accumulation_ratio(ke_per_hour: float, interval_hours: float) -> float:
    """Steady-state over single-dose exposure, dosing every `interval_hours`: 1/(1-e^{-ke tau})."""
    if not (ke_per_hour > 0 and interval_hours > 0):
        raise ValueError("the rate and the interval must be positive")
    return 1.0 / -math.expm1(-ke_per_hour * interval_hours)


def time_to_steady_state_hours(ke_per_hour: float, fraction: float = 0.9) -> float:
    """Hours of regular dosing until exposure reaches `fraction` of steady state: -ln(1-f)/ke."""
    if not (ke_per_hour > 0 and 0 < fraction < 1):
        raise ValueError("the rate must be positive and the fraction between 0 and 1")
    return -math.log1p(-fraction) / ke_per_hour


@dataclass(frozen=True)
class RegularDosing:
    """What a regular pattern (one dose every `interval_hours`) does over time, for one study."""

    parameter_set: str
    interval_hours: float
    half_life_hours: float
    accumulation_ratio: float
    steady_state_fraction: float
    time_to_steady_state_hours: float
    sources: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "parameter_set": self.parameter_set,
            "interval_hours": self.interval_hours,
            "half_life_hours": self.half_life_hours,
            "accumulation_ratio": self.accumulation_ratio,
            "steady_state_fraction": self.steady_state_fraction,
            "time_to_steady_state_hours": self.time_to_steady_state_hours,
            "sources": list(self.sources),
        }


def regular_dosing(
    interval_hours: float,
    *,
    parameter_set: str = DEFAULT_PARAMETER_SET,
    fraction: float = 0.9,
) -> RegularDosing:
    """Accumulation ratio and time to `fraction` of steady state for a regular dosing interval."""
    pset = load_pharmacokinetics().parameter_set(parameter_set)
    ke = float(elimination_rate(pset.central("half_life_hours")))
    return RegularDosing(
        parameter_set=pset.id,
        interval_hours=interval_hours,
        half_life_hours=_LN2 / ke,
        accumulation_ratio=accumulation_ratio(ke, interval_hours),
        steady_state_fraction=fraction,
        time_to_steady_state_hours=time_to_steady_state_hours(ke, fraction),
        sources=pset.all_sources(),
    )


@dataclass(frozen=True)
class ExposureCurve:
    """An estimated concentration curve with its summary, variability band and sources.

    `times` are hours on the caller's clock; `tmax_hours` is the peak's delay after the dose
    that preceded it (the usual Tmax for one dose) and `peak_at_hours` its time on the clock.
    `auc_nM_h` integrates the curve over the grid only (trapezoids).
    """

    parameter_set: str
    alkaloid: str
    times: FloatArray
    concentration_nM: FloatArray  # noqa: N815  unit symbols keep their case: nM is not mM, L is litres
    tmax_hours: float | None
    peak_at_hours: float | None
    cmax_nM: float  # noqa: N815  unit symbols keep their case: nM is not mM, L is litres
    auc_nM_h: float  # noqa: N815  unit symbols keep their case: nM is not mM, L is litres
    half_life_hours: float
    hours_since_last_dose: float | None
    model: ExposureModel
    band_low_nM: FloatArray | None = None  # noqa: N815  unit symbols keep their case: nM is not mM, L is litres
    band_high_nM: FloatArray | None = None  # noqa: N815  unit symbols keep their case: nM is not mM, L is litres
    band_samples: int = 0
    seed: int = 0
    dose_hours: FloatArray = field(default_factory=lambda: np.empty(0))
    dose_mg: FloatArray = field(default_factory=lambda: np.empty(0))

    @property
    def sources(self) -> tuple[str, ...]:
        """Source ids behind the model."""
        return self.model.sources

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (what `mitra exposure --json` prints)."""
        band = None
        if self.band_low_nM is not None and self.band_high_nM is not None:
            band = {
                "low": self.band_low_nM.tolist(),
                "high": self.band_high_nM.tolist(),
                "percentiles": list(_BAND_PERCENTILES),
                "samples": self.band_samples,
                "seed": self.seed,
            }
        return {
            "parameter_set": self.parameter_set,
            "alkaloid": self.alkaloid,
            "units": {"times": "hours", "concentration": "nmol/L", "dose": "mg"},
            "doses": [
                {"hours": h, "mg": m}
                for h, m in zip(self.dose_hours.tolist(), self.dose_mg.tolist(), strict=True)
            ],
            "times": self.times.tolist(),
            "concentration_nM": self.concentration_nM.tolist(),
            "tmax_hours": self.tmax_hours,
            "peak_at_hours": self.peak_at_hours,
            "cmax_nM": self.cmax_nM,
            "auc_nM_h": self.auc_nM_h,
            "half_life_hours": self.half_life_hours,
            "hours_since_last_dose": self.hours_since_last_dose,
            "band": band,
            "model": self.model.as_dict(),
            "caveats": list(self.model.caveats),
            "sources": list(self.sources),
        }


def _trapezoid(y: FloatArray, x: FloatArray) -> float:
    if x.size < 2:
        return 0.0
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    return float(np.sum((ys[1:] + ys[:-1]) * np.diff(xs)) / 2.0)


def default_grid(
    dose_hours: Sequence[float] | FloatArray, half_life_hours: float, step_hours: float = 0.25
) -> FloatArray:
    """From the first dose to five half-lives after the last, every `step_hours` hours."""
    t_dose = np.asarray(dose_hours, dtype=np.float64)
    if t_dose.size == 0:
        return np.empty(0)
    end = float(t_dose.max()) + 5.0 * half_life_hours
    return np.arange(float(t_dose.min()), end + step_hours / 2.0, step_hours)


def exposure_curve(
    dose_hours: npt.ArrayLike,
    dose_mg: npt.ArrayLike,
    times_hours: npt.ArrayLike | None = None,
    *,
    parameter_set: str = DEFAULT_PARAMETER_SET,
    body_mass_kg: float | None = None,
    band_samples: int = 200,
    seed: int = 0,
    now_hours: float | None = None,
    step_hours: float = 0.25,
) -> ExposureCurve:
    """Estimated concentration of one study's alkaloid after the given doses, with a band.

    Parameters
    ----------
    dose_hours : array_like
        Time of each dose, in hours on any clock.
    dose_mg : array_like
        mg of the set's alkaloid in each dose (see `alkaloid_dose`).
    times_hours : array_like or None
        Times to evaluate, in hours; by default every `step_hours` from the first dose until
        five half-lives after the last.
    parameter_set : str
        The study whose figures define the model (never mixed with another's); its recipe picks
        the one- or two-compartment model. By default Tanna 2022 as a two-compartment model;
        "tanna2022" is the same study's one-compartment set.
    body_mass_kg : float or None
        Needed only by sets that report volume per kg.
    band_samples : int
        Draws from the study's spread for the 5th-95th percentile band; 0 for no band.
    seed : int
        Seed of those draws, so the same input gives the same band.
    now_hours : float or None
        The moment for `hours_since_last_dose`; by default the last time on the grid.
    """
    model = exposure_model(parameter_set, body_mass_kg=body_mass_kg)
    t_dose = np.asarray(dose_hours, dtype=np.float64).ravel()
    mg = np.asarray(dose_mg, dtype=np.float64).ravel()
    times = (
        default_grid(t_dose, model.half_life_hours, step_hours)
        if times_hours is None
        else np.asarray(times_hours, dtype=np.float64).ravel()
    )
    conc = concentration_nM(t_dose, mg, times, model)
    cmax = float(conc.max()) if conc.size else 0.0
    tmax = peak_at = None
    if conc.size and cmax > 0:
        peak_at = float(times[int(np.argmax(conc))])
        tmax = hours_since_last_dose(t_dose, peak_at)
    low = high = None
    if band_samples > 0 and times.size:
        low, high = _band(
            t_dose,
            mg,
            times,
            parameter_set=parameter_set,
            samples=band_samples,
            seed=seed,
            body_mass_kg=body_mass_kg,
            molar_mass=model.molar_mass_g_per_mol,
        )
    now = now_hours if now_hours is not None else (float(times.max()) if times.size else None)
    return ExposureCurve(
        parameter_set=model.parameter_set,
        alkaloid=model.alkaloid,
        times=times,
        concentration_nM=conc,
        tmax_hours=tmax,
        peak_at_hours=peak_at,
        cmax_nM=cmax,
        auc_nM_h=_trapezoid(conc, times),
        half_life_hours=model.half_life_hours,
        hours_since_last_dose=None if now is None else hours_since_last_dose(t_dose, now),
        model=model,
        band_low_nM=low,
        band_high_nM=high,
        band_samples=band_samples if low is not None else 0,
        seed=seed,
        dose_hours=t_dose,
        dose_mg=mg,
    )
